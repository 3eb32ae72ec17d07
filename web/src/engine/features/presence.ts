// Presence in the call (state.presence, presence-view.ts): who is speaking, the active speaker,
// and how good each connection is. The parts live in engine/presence/:
//
//   levels.ts          everyone's audio level every LEVEL_INTERVAL_MS, and the feed the UI draws
//   speaking.ts        a hysteresis detector per person
//   active-speaker.ts  the remote person to show large, held ACTIVE_HOLD_MS
//   quality.ts         a connection's grade and numbers from two stats reports in a row
//
// Levels change ten times a second; the snapshot changes only when the speakers or the active
// speaker do, and when a stats report (every 2 s per connection) brings new quality.

import { type LevelFeed, NO_PRESENCE, type LinkQuality, type PresenceView } from "./presence-view";
import { realTimers, type Timers } from "../files/timers";
import { type LevelMeter, openLevelMeter } from "../media/level-meter";
import type { LocalMedia } from "../media/local-media";
import { ActiveSpeaker } from "../presence/active-speaker";
import { LevelSampler, MIC_WINDOW } from "../presence/levels";
import { linkQuality, ownQuality } from "../presence/quality";
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
}

export class PresenceFeature {
  private readonly sampler: LevelSampler;
  private readonly speakers = new Speakers();
  private readonly active = new ActiveSpeaker();
  /** Per connection: its last stats and grade. */
  private readonly links = new Map<string, { stats: StatsRecords; quality: LinkQuality }>();
  /** Connections up now: a report fetched just before one went down (or its peer left) is not taken. */
  private readonly up = new Set<string>();
  private readonly unsubscribe: Array<() => void>;
  private selfId: string | null = null;
  private view: PresenceView = NO_PRESENCE;
  private disposed = false;

  constructor(private readonly deps: PresenceDeps) {
    const { transport, media } = deps;
    this.sampler = new LevelSampler({
      transport,
      micTrack: () => {
        const track = media.tracks.audio ?? null;
        return media.state.mic && track && track.readyState !== "ended" ? track : null;
      },
      openMeter: deps.openMeter ?? ((track) => openLevelMeter(track, MIC_WINDOW)),
      timers: deps.timers ?? realTimers,
      now: deps.now ?? (() => performance.now()),
      onLevels: (levels, at) => this.onLevels(levels, at),
    });
    this.unsubscribe = [
      transport.onStats((peerId, report) => this.onStats(peerId, report)),
      // Quality is of a connection that is up: one that went down shows none until its next report.
      transport.on("connection", ({ peerId, state }) => {
        if (state === "connected") this.up.add(peerId);
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
    const quality = linkQuality(before?.stats ?? null, stats, before?.quality.grade ?? null);
    this.links.set(peerId, { stats, quality });
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
    const next: PresenceView = { speaking, activeSpeaker: this.active.value, quality, own: ownQuality([...this.links.values()].map((l) => l.quality)) };
    const same =
      sameList(next.speaking, this.view.speaking) &&
      next.activeSpeaker === this.view.activeSpeaker &&
      JSON.stringify([next.quality, next.own]) === JSON.stringify([this.view.quality, this.view.own]);
    if (same) return;
    // Unchanged parts keep their identity, so a component that reads only one of them is not redrawn.
    if (sameList(next.speaking, this.view.speaking)) next.speaking = this.view.speaking;
    this.view = next;
    this.deps.update({ presence: next });
  }
}

const sameList = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);
