// Presence in the call (state.presence, presence-view.ts): who is speaking, the active speaker,
// and how good each connection is. The parts live in engine/presence/:
//
//   levels.ts          everyone's audio level every LEVEL_INTERVAL_MS, and the feed the UI draws
//   speaking.ts        a hysteresis detector per person
//   active-speaker.ts  the remote person to show large, held ACTIVE_HOLD_MS
//   quality.ts         a connection's grade and numbers from two stats reports in a row
//
// Levels change ten times a second; the snapshot changes only when the speakers or the active
// speaker do, and when a poll round (every 2 s, a report per connection, one after another)
// brings new quality: once per round, QUALITY_SETTLE_MS after its first report, not once per
// connection, so that a speaker with many viewers does not redraw the room for each of them.
//
// A connection that goes down (reconnecting, failed) keeps its entry, graded 0 with what it last
// measured: bars that vanished would say nothing, bars at zero say the link is in trouble. It
// goes when the connection closes or starts again from scratch.

import { type LevelFeed, NO_PRESENCE, type LinkQuality, type PresenceView } from "./presence-view";
import { realTimers, type Timers } from "../files/timers";
import { type LevelMeter, openLevelMeter } from "../media/level-meter";
import type { LocalMedia } from "../media/local-media";
import { ActiveSpeaker } from "../presence/active-speaker";
import { LevelSampler, MIC_WINDOW } from "../presence/levels";
import { type LinkMemory, linkQuality, ownQuality, packetsIn } from "../presence/quality";
import { Speakers } from "../presence/speaking";
import { readStats, type StatsRecords } from "../presence/stats-records";
import type { StateUpdate } from "../session/session-state";
import type { Transport } from "../session/transport";

export interface PresenceDeps {
  transport: Pick<Transport, "on" | "onStats" | "audioLevels">;
  media: Pick<LocalMedia, "state" | "tracks">;
  update: StateUpdate<"presence">;
  timers?: Timers;
  /** A monotonic clock, ms. */
  now?: () => number;
  openMeter?: (track: MediaStreamTrack) => LevelMeter;
  /**
   * Whether a participant says it sends anything (mic, camera or screen on). One that turns all
   * off goes silent on the wire (a muted mic sends nothing: LocalTracks.micOn), and a silent
   * interval from it is no stall. Without it, every silent interval after packets counts as one.
   */
  sends?: (peerId: string) => boolean;
}

export class PresenceFeature {
  private readonly sampler: LevelSampler;
  private readonly speakers = new Speakers();
  private readonly active = new ActiveSpeaker();
  /** Per connection: its last stats and quality, and whether packets were arriving. */
  private readonly links = new Map<string, { stats: StatsRecords; quality: LinkQuality; receiving: boolean }>();
  /** A publish waiting for the rest of a poll round's reports. */
  private settling: unknown = null;
  private readonly timers: Timers;
  /** Connections up now: a report fetched just before one went down (or its peer left) is not taken. */
  private readonly up = new Set<string>();
  private readonly unsubscribe: Array<() => void>;
  private selfId: string | null = null;
  private view: PresenceView = NO_PRESENCE;
  private disposed = false;

  constructor(private readonly deps: PresenceDeps) {
    const { transport, media } = deps;
    this.timers = deps.timers ?? realTimers;
    this.sampler = new LevelSampler({
      transport,
      micTrack: () => {
        const track = media.tracks.audio ?? null;
        return media.state.mic && track && track.readyState !== "ended" ? track : null;
      },
      openMeter: deps.openMeter ?? ((track) => openLevelMeter(track, MIC_WINDOW)),
      timers: this.timers,
      now: deps.now ?? (() => performance.now()),
      onLevels: (levels, at) => this.onLevels(levels, at),
    });
    this.unsubscribe = [
      transport.onStats((peerId, report) => this.onStats(peerId, report)),
      // Reports are taken from a connection that is up; one that went down is graded 0 until it is back.
      transport.on("connection", ({ peerId, state }) => {
        if (state === "connected") this.up.add(peerId);
        else if (state === "reconnecting" || state === "failed") this.linkDown(peerId);
        else this.forgetLink(peerId);
      }),
    ];
  }

  /** Audio levels by peer id (ours under our id), for a mic icon. */
  get levels(): LevelFeed {
    return this.sampler;
  }

  /** Every welcome: who we are now and who is here; sampling starts with the first. */
  welcome(selfId: string, present: readonly string[]): void {
    if (this.disposed) return;
    const here = new Set(present);
    if (this.selfId !== null && this.selfId !== selfId) this.speakers.remove(this.selfId);
    this.selfId = selfId;
    for (const id of [...this.speakers.speaking, ...this.links.keys(), this.active.value]) if (id !== null && id !== selfId && !here.has(id)) this.drop(id);
    this.sampler.start(selfId);
    this.publish();
  }

  /** A member left: its speaking, its place as active speaker and its connection's quality go. */
  peerLeft(id: string): void {
    if (this.disposed) return;
    this.drop(id);
    this.publish();
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.settling !== null) this.timers.clearTimeout(this.settling);
    this.settling = null;
    for (const off of this.unsubscribe.splice(0)) off();
    this.sampler.dispose();
    this.speakers.clear();
    this.links.clear();
    this.up.clear();
  }

  private onLevels(levels: ReadonlyMap<string, number>, at: number) {
    if (this.disposed) return;
    const spoke = this.speakers.sample(levels, at);
    const remote = this.speakers.starts();
    if (this.selfId !== null) remote.delete(this.selfId);
    const moved = this.active.update(remote, at);
    if (spoke || moved) this.publish();
  }

  private onStats(peerId: string, report: RTCStatsReport) {
    if (this.disposed || !this.up.has(peerId)) return;
    const stats = readStats(report);
    const before = this.links.get(peerId);
    // Packets that stop from someone who said it turned everything off are no stall.
    const memory: LinkMemory | null = before ? { grade: before.quality.grade, lossOutPct: before.quality.lossOutPct, receiving: before.receiving && (this.deps.sends?.(peerId) ?? true) } : null;
    const fresh = linkQuality(before?.stats ?? null, stats, memory);
    // Unchanged numbers keep the old object: the tile that reads it is not redrawn.
    const quality = before && sameQuality(before.quality, fresh) ? before.quality : fresh;
    this.links.set(peerId, { stats, quality, receiving: before ? packetsIn(before.stats, stats) > 0 : true });
    this.settleThenPublish();
  }

  /** The poll's other reports come within a few ms each; one publish for the round. */
  private settleThenPublish() {
    this.settling ??= this.timers.setTimeout(() => {
      this.settling = null;
      if (!this.disposed) this.publish();
    }, QUALITY_SETTLE_MS);
  }

  private linkDown(peerId: string) {
    this.up.delete(peerId);
    const link = this.links.get(peerId);
    if (this.disposed || !link || link.quality.grade === 0) return;
    this.links.set(peerId, { ...link, quality: { ...link.quality, grade: 0, hint: "loss" }, receiving: false });
    this.publish();
  }

  private forgetLink(peerId: string) {
    this.up.delete(peerId);
    if (this.disposed || !this.links.delete(peerId)) return;
    this.publish();
  }

  private drop(id: string) {
    this.speakers.remove(id);
    this.active.remove(id);
    this.links.delete(id);
    this.up.delete(id);
  }

  /** The view from the parts; the snapshot changes only if a part did. */
  private publish() {
    const speaking = this.speakers.speaking;
    const quality: Record<string, LinkQuality> = {};
    for (const [id, link] of this.links) quality[id] = link.quality;
    const own = ownQuality([...this.links.values()].map((l) => l.quality));
    const next: PresenceView = { speaking, activeSpeaker: this.active.value, quality, own };
    const sameLinks = sameRecord(quality, this.view.quality);
    const sameOwn = own === null || this.view.own === null ? own === this.view.own : sameFields(own, this.view.own);
    if (sameList(speaking, this.view.speaking) && next.activeSpeaker === this.view.activeSpeaker && sameLinks && sameOwn) return;
    // Unchanged parts keep their identity, so a component that reads only one of them is not redrawn.
    if (sameList(next.speaking, this.view.speaking)) next.speaking = this.view.speaking;
    if (sameLinks) next.quality = this.view.quality;
    if (sameOwn) next.own = this.view.own;
    this.view = next;
    this.deps.update({ presence: next });
  }
}

/** How long a poll round's reports are gathered before one publish. */
export const QUALITY_SETTLE_MS = 250;

const sameList = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/** Same links, each the same object (onStats keeps the object when nothing in it changed). */
function sameRecord(a: Readonly<Record<string, LinkQuality>>, b: Readonly<Record<string, LinkQuality>>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}

/** Flat objects whose values are numbers, strings, booleans, null or flat objects of those. */
function sameFields<T extends object>(a: T, b: T): boolean {
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  const keys = Object.keys(x);
  if (keys.length !== Object.keys(y).length) return false;
  return keys.every((k) => {
    const u = x[k];
    const v = y[k];
    if (u !== null && v !== null && typeof u === "object" && typeof v === "object") return sameFields(u, v);
    return u === v;
  });
}

const sameQuality = (a: LinkQuality, b: LinkQuality): boolean => sameFields(a, b);
