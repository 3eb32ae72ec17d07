// On a stage, which viewers get our camera video. A speaker encodes one copy per viewer, so its
// uplink and CPU decide how many it can afford (features/stage.ts, FEATURES §1): viewers are
// admitted to video in join order while every copy together stays within this device's upload
// budget, at a floor per video copy, and while no video sender is CPU-limited. The others get our
// audio and a low-rate screen, and are told so with a `tier` signal, so their screen can say why
// there is no picture. Links to other speakers always get video; in a meeting nothing is tiered.
//
// The decision is pure (admitVideo); StageTiers applies it to the links and watches the shared
// stats poll for the CPU.

import type { Sending } from "../peer/media-layout";
import { AUDIO_BPS, LOW_SCREEN } from "./bitrate-budget";
import type { StatsPoll, StatsSource } from "./stats-poll";

/** What a new video copy must get, at least, to be admitted (about 360p at a low frame rate). */
export const VIDEO_FLOOR_BPS = 250_000;
/**
 * What a copy already admitted may shrink to before it loses video: lower than the floor, so that
 * a viewer's picture does not vanish because others joined after it (hysteresis).
 */
export const VIDEO_KEEP_BPS = 150_000;

export interface AdmitInput {
  /** This device's whole upload budget, bits per second. */
  budgetBps: number;
  /** Links that get video whatever it costs: the other speakers. */
  speakers: number;
  /** Viewer links, in join order (the earliest viewer is admitted first). */
  viewers: readonly string[];
  /** Sharing a screen: an audio-only viewer gets it too, at the low rate. */
  screen: boolean;
  /** Our encoder is short of CPU: nobody new is admitted; those in `current` keep video. */
  frozen: boolean;
  /** Who gets video now. */
  current: ReadonlySet<string>;
}

/**
 * The viewers that get our camera video. Every copy's audio (and, when sharing, every audio-only
 * viewer's low-rate screen) is set aside first, as in bitrate-budget.ts: audio matters most. Those
 * who have video keep it while every video copy still gets VIDEO_KEEP_BPS (the latest-joined lose
 * it first); a new one is admitted, in join order, only if every video copy would still get
 * VIDEO_FLOOR_BPS. At the default 2.5 Mbps: 8 video viewers, kept however many watch (at 25, each
 * video copy gets about 210 kbps).
 */
export function admitVideo({ budgetBps, speakers, viewers, screen, frozen, current }: AdmitInput): Set<string> {
  const audioCopy = AUDIO_BPS + (screen ? LOW_SCREEN.maxBitrate : 0);
  const base = speakers * (VIDEO_FLOOR_BPS + AUDIO_BPS) + viewers.length * audioCopy;
  // What a viewer's copy costs beyond its audio-only copy when it carries video at `floor`.
  const extra = (floor: number) => floor + AUDIO_BPS - audioCopy;
  const kept = viewers.filter((id) => current.has(id));
  while (kept.length > 0 && base + kept.length * extra(VIDEO_KEEP_BPS) > budgetBps) kept.pop();
  const admitted = new Set(kept);
  if (frozen) return admitted;
  for (const id of viewers) {
    if (admitted.has(id)) continue;
    // Join order: once one does not fit, nobody after it jumps ahead.
    if (base + (admitted.size + 1) * extra(VIDEO_FLOOR_BPS) > budgetBps) break;
    admitted.add(id);
  }
  return admitted;
}

/** Whether a report shows one of our video encoders held back by the CPU (webrtc-stats qualityLimitationReason). */
export function cpuLimited(report: RTCStatsReport): boolean {
  let limited = false;
  report.forEach((s) => {
    if (s.type === "outbound-rtp" && s.kind === "video" && s.qualityLimitationReason === "cpu") limited = true;
  });
  return limited;
}

/** What the tiers need of a link. */
export interface TierLink extends StatsSource {
  readonly sending: Sending;
  setSending(sending: Sending): void;
  sendTier(video: boolean): void;
}

export interface TierSource<L> {
  /** Every link. */
  links(): L[];
  /** The links that are tiered (a speaker's viewers, on a stage), in join order; none otherwise. */
  viewers(): L[];
  budgetBps(): number;
  screen(): boolean;
}

/** Reports in a row that must show the CPU limit: one can be a blip while a new copy's encoder starts. */
const CPU_REPORTS = 2;

export class StageTiers<L extends TierLink> {
  private video = new Set<string>();
  private viewerIds: string[] = [];
  /** What each viewer link was last told, so a tier goes out once per change. */
  private readonly told = new WeakMap<L, boolean>();
  private readonly cpuStreak = new WeakMap<L, number>();
  private frozen = false;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly source: TierSource<L>,
    stats: StatsPoll<L>,
  ) {
    this.unsubscribe = stats.subscribe((link, report) => this.onReport(link, report));
  }

  /** Viewer links with our camera video, and those with audio (and screen) only. */
  get snapshot(): { video: string[]; audioOnly: string[] } {
    return { video: this.viewerIds.filter((id) => this.video.has(id)), audioOnly: this.viewerIds.filter((id) => !this.video.has(id)) };
  }

  /** The links, seats, budget or screen changed: every link gets its tier now. */
  update(): void {
    const links = this.source.links();
    const viewers = this.source.viewers();
    this.viewerIds = viewers.map((l) => l.peerId);
    this.video = admitVideo({
      budgetBps: this.source.budgetBps(),
      speakers: links.length - viewers.length,
      viewers: this.viewerIds,
      screen: this.source.screen(),
      frozen: this.frozen,
      current: this.video,
    });
    const tiered = new Set(viewers);
    for (const link of links) {
      const video = !tiered.has(link) || this.video.has(link.peerId);
      if (link.sending.video !== video) link.setSending({ ...link.sending, video });
      // A link that stops being tiered forgets what it was told: if it is tiered again, it hears anew.
      if (!tiered.has(link)) this.told.delete(link);
      else if (this.told.get(link) !== video) {
        this.told.set(link, video);
        link.sendTier(video);
      }
    }
  }

  /**
   * The viewer behind this link came back (a resume, maybe from a reloaded page that has
   * forgotten what we told it): it hears its tier again on the next update.
   */
  retell(link: L): void {
    this.told.delete(link);
  }

  dispose(): void {
    this.unsubscribe();
  }

  private onReport(link: L, report: RTCStatsReport) {
    const sendsVideo = link.sending.publish && link.sending.video;
    this.cpuStreak.set(link, sendsVideo && cpuLimited(report) ? (this.cpuStreak.get(link) ?? 0) + 1 : 0);
    const frozen = this.source.links().some((l) => (this.cpuStreak.get(l) ?? 0) >= CPU_REPORTS);
    if (frozen === this.frozen) return;
    this.frozen = frozen;
    this.update();
  }
}
