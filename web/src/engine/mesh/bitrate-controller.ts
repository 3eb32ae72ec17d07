// Keeps every link's outgoing video inside the device's upload budget: recomputes the caps when
// the room grows or shrinks or a screen share starts, and on every stats report steps a
// struggling link down (or a recovered one back up) from the receiver's reports
// (remote-inbound-rtp). On a stage, a viewer link that gets no camera video from us (its tier,
// stage-tiers.ts) costs its audio and a low-rate screen; the links with video share the rest.

import { log } from "../log";
import type { MediaSenders, Sending } from "../peer/media-layout";
import { audioOnlyCaps, LinkQuality, peerCaps, scaleCap } from "./bitrate-budget";
import { applyCaps } from "./sender-caps";
import type { StatsPoll, StatsSource } from "./stats-poll";

export interface BudgetSource {
  /** Bits per second for this device's whole upload. */
  budgetBps(): number;
  screen(): boolean;
}

/** What the controller needs of a link. */
export interface CappedLink extends StatsSource {
  readonly senders: MediaSenders | null;
  readonly sending: Sending;
}

export class BitrateController<L extends CappedLink> {
  private readonly quality = new WeakMap<L, LinkQuality>();
  private readonly unsubscribe: () => void;
  private disposed = false;

  constructor(
    private readonly links: () => L[],
    private readonly source: BudgetSource,
    stats: StatsPoll<L>,
  ) {
    this.unsubscribe = stats.subscribe((link, report) => this.onReport(link, report));
  }

  /** The room or the media changed: every link gets its new cap now. */
  update(): void {
    if (this.disposed) return;
    for (const link of this.links()) this.apply(link);
  }

  dispose(): void {
    this.disposed = true;
    this.unsubscribe();
  }

  private onReport(link: L, report: RTCStatsReport) {
    let quality = this.quality.get(link);
    if (!quality) this.quality.set(link, (quality = new LinkQuality()));
    const video = videoReport(report);
    if (video) quality.report(video.fractionLost, video.rtt);
    // Applied every tick: cheap when unchanged, and it reaches links negotiated since the last update.
    this.apply(link);
  }

  private apply(link: L) {
    const senders = link.senders;
    if (!senders) return;
    const links = this.links();
    const screen = this.source.screen();
    const audioOnly = links.filter((l) => !l.sending.video).length;
    const caps = link.sending.video ? peerCaps({ budgetBps: this.source.budgetBps(), peers: links.length, screen, audioOnly }) : audioOnlyCaps(screen);
    const factor = this.quality.get(link)?.factor ?? 1;
    const scaled = {
      camera: scaleCap(caps.camera, factor, "camera"),
      screen: caps.screen ? scaleCap(caps.screen, factor, "screen") : null,
      audio: caps.audio,
    };
    applyCaps(senders, scaled).catch((e: unknown) => {
      // setCap already absorbs a refused setParameters; what is left (getParameters on a sender
      // whose connection closed meanwhile) concerns a link on its way out, whose caps no longer
      // matter. The next update or stats tick tries again on the links that remain.
      log({ event: "stats", peer: link.peerId, step: "apply-caps failed", detail: String(e) });
    });
  }
}

/** What the remote says about our video: the worst loss and round trip across our video senders. */
function videoReport(stats: RTCStatsReport): { fractionLost: number; rtt: number } | null {
  let found = false;
  let fractionLost = 0;
  let rtt = 0;
  stats.forEach((s) => {
    if (s.type !== "remote-inbound-rtp" || s.kind !== "video") return;
    found = true;
    fractionLost = Math.max(fractionLost, s.fractionLost ?? 0);
    rtt = Math.max(rtt, s.roundTripTime ?? 0);
  });
  return found ? { fractionLost, rtt } : null;
}
