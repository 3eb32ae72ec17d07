// Audio levels of everyone in the call, sampled every LEVEL_INTERVAL_MS from joining (start) to
// leaving (dispose): the remote peers' from the transport (their receivers' synchronization
// sources), ours from a level meter on our mic track. Each round goes to the speaking detection
// (on the level scale, level-scale.ts) whether or not anyone draws the levels, and to the feed's
// subscribers (on the meter's scale) when someone does.
//
// Our meter follows the mic: opened on the track that is on, opened again when the track changes
// (another device), closed while muted (an AudioContext costs CPU, and a muted mic is silent).
//
// A remote's level is that of the last packet played (getSynchronizationSources), a 20 ms
// glimpse per sample. Speech lasts long enough for that; a sound of 20 ms every 500 ms (Chromium's
// fake mic) is caught by one sample in three to five, so a remote fake mic starts speaking late
// and may stop for a moment between catches more than a second apart. Sampling the receivers
// every packet time and keeping the peak per interval would catch each beep, at five times the
// calls; worth it only if the tuning against the fake mic shows that it must.

import { LEVEL_INTERVAL_MS, type LevelFeed } from "../features/presence-view";
import type { Timers } from "../files/timers";
import { log } from "../log";
import type { LevelMeter } from "../media/level-meter";
import type { Transport } from "../session/transport";
import { fromMeter, fromReceiver, toDisplay } from "./level-scale";

/**
 * Our meter's window, samples: 4096 is 85 ms at 48 kHz, nearly the whole interval between two
 * reads, so a sound shorter than the interval (Chromium's fake mic beeps for 20 ms every 500 ms)
 * is in the read that follows it rather than in one read out of five.
 */
export const MIC_WINDOW = 4096;

export interface LevelSamplerDeps {
  transport: Pick<Transport, "audioLevels">;
  /** Our mic track while it is on; null while muted or without a mic. */
  micTrack: () => MediaStreamTrack | null;
  openMeter: (track: MediaStreamTrack) => LevelMeter;
  timers: Timers;
  /** A monotonic clock, ms. */
  now: () => number;
  /** Every round, by peer id (ours under our id), on the level scale. */
  onLevels: (levels: ReadonlyMap<string, number>, at: number) => void;
}

type Subscriber = (levels: ReadonlyMap<string, number>) => void;

export class LevelSampler implements LevelFeed {
  private readonly subscribers = new Set<Subscriber>();
  private selfId: string | null = null;
  private timer: unknown = null;
  /** The meter on our mic, and the track it listens to (null meter: it could not be opened). */
  private mic: { track: MediaStreamTrack; meter: LevelMeter | null } | null = null;
  private disposed = false;

  constructor(private readonly deps: LevelSamplerDeps) {}

  /** Levels every LEVEL_INTERVAL_MS while in the call; returns the remover. A feed that has ended gives nothing. */
  subscribe(fn: Subscriber): () => void {
    if (this.disposed) return () => {};
    this.subscribers.add(fn);
    return () => this.subscribers.delete(fn);
  }

  /** We are in the call as `selfId` (every welcome: a new identity is a new id); sampling starts if it had not. */
  start(selfId: string): void {
    if (this.disposed) return;
    this.selfId = selfId;
    this.timer ??= this.deps.timers.setTimeout(this.tick, LEVEL_INTERVAL_MS);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.timer !== null) this.deps.timers.clearTimeout(this.timer);
    this.timer = null;
    this.closeMic();
    this.subscribers.clear();
  }

  private readonly tick = () => {
    // Armed again first: a subscriber's bug must not stop the sampling.
    this.timer = this.deps.timers.setTimeout(this.tick, LEVEL_INTERVAL_MS);
    const at = this.deps.now();
    const levels = new Map<string, number>();
    try {
      for (const [id, level] of this.deps.transport.audioLevels()) levels.set(id, fromReceiver(level));
      if (this.selfId !== null) levels.set(this.selfId, this.micLevel());
      this.deps.onLevels(levels, at);
    } catch (e) {
      // Thrown ten times a second otherwise, into nobody's hands; the next round tries again.
      log({ event: "media", step: "levels failed", detail: String(e) });
      return;
    }
    if (this.subscribers.size === 0) return;
    const shown = new Map([...levels].map(([id, level]) => [id, toDisplay(level)]));
    for (const fn of [...this.subscribers]) {
      try {
        fn(shown);
      } catch (e) {
        // One reader's bug must not starve the others (as in the stats poll).
        log({ event: "media", step: "level subscriber failed", detail: String(e) });
      }
    }
  };

  private micLevel(): number {
    const track = this.deps.micTrack();
    if (track !== this.mic?.track) {
      this.closeMic();
      if (track) this.mic = { track, meter: this.open(track) };
    }
    const meter = this.mic?.meter;
    return meter ? fromMeter(meter.read()) : 0;
  }

  private open(track: MediaStreamTrack): LevelMeter | null {
    try {
      return this.deps.openMeter(track);
    } catch (e) {
      // An AudioContext can be refused (too many open in the page, or none in this browser): we
      // show no level for our mic and do not try again until the track changes.
      log({ event: "media", step: "level meter failed", detail: String(e) });
      return null;
    }
  }

  private closeMic() {
    this.mic?.meter?.close();
    this.mic = null;
  }
}
