// One getStats() per connected link every STATS_INTERVAL_MS, shared by everything that reads
// stats (bitrate control today; connection quality and the active speaker next), so that each
// new reader costs a subscription, not another timer and another getStats() per link.
// The timer runs only while someone is subscribed.

import { log } from "../log";
import type { PeerState } from "../peer/peer-link";

export const STATS_INTERVAL_MS = 2000;

/** What a link must offer to be polled. */
export interface StatsSource {
  readonly peerId: string;
  readonly state: PeerState;
  getStats(): Promise<RTCStatsReport>;
}

export type StatsSubscriber<S> = (source: S, report: RTCStatsReport) => void;

export class StatsPoll<S extends StatsSource> {
  private readonly subscribers = new Set<StatsSubscriber<S>>();
  private timer: ReturnType<typeof setInterval> | null = null;
  /** A slow getStats() must not stack ticks on top of each other. */
  private polling = false;
  private disposed = false;
  /** Benchmarks only: ticks are skipped, so the poll's cost can be measured against none. */
  private paused = false;

  constructor(
    private readonly sources: () => S[],
    private readonly intervalMs = STATS_INTERVAL_MS,
  ) {}

  /** Every tick, each connected source's report; returns the remover. */
  subscribe(fn: StatsSubscriber<S>): () => void {
    if (this.disposed) throw new Error("StatsPoll used after dispose");
    this.subscribers.add(fn);
    this.timer ??= setInterval(() => void this.tick(), this.intervalMs);
    return () => {
      this.subscribers.delete(fn);
      if (this.subscribers.size === 0) this.stop();
    };
  }

  /**
   * For the benchmark of the poll's own cost: while paused no getStats() runs and subscribers
   * keep what they last read (bitrate caps stay as they were).
   */
  pause(paused: boolean): void {
    this.paused = paused;
  }

  dispose(): void {
    this.disposed = true;
    this.subscribers.clear();
    this.stop();
  }

  private stop() {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  /** Never rejects: a link that fails to report is skipped for this tick. */
  private async tick(): Promise<void> {
    if (this.polling || this.paused) return;
    this.polling = true;
    try {
      for (const source of this.sources()) {
        // Checked right before asking: an earlier await may have seen this link close.
        if (this.disposed || source.state !== "connected") continue;
        let report: RTCStatsReport;
        try {
          report = await source.getStats();
        } catch (e) {
          // getStats() rejects once the connection is closed (webrtc-pc §8.2); it is gone next tick.
          log({ event: "stats", peer: source.peerId, step: "get-stats failed", detail: String(e) });
          continue;
        }
        for (const fn of [...this.subscribers]) {
          try {
            fn(source, report);
          } catch (e) {
            // One reader's bug must not starve the others of their reports.
            log({ event: "stats", peer: source.peerId, step: "subscriber failed", detail: String(e) });
          }
        }
      }
    } finally {
      this.polling = false;
    }
  }
}
