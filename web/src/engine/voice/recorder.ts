// A voice message's recorder: MediaRecorder at about 32 kbps in the container this browser
// records (container.ts), a clock, an input level, and the 5-minute limit. No UI: start(),
// stop(), cancel(), and a state that the chat box renders.
//
// It records the call's microphone when the call has one open, through a clone of its track: a
// clone has its own enabled flag and its own life, so muting the call does not silence the
// recording, and ending the recording does not end the call. Reusing the call's capture also
// spares a second getUserMedia, which on iOS Safari takes the microphone from the call (one
// capture of a device runs at a time there). With no microphone in the call (a stage's viewer,
// a mic that failed), it asks for one itself and releases it afterwards.

import { VOICE_MAX_MS } from "../../../../protocol/protocol";
import { Emitter } from "../emitter";
import type { LevelMeter } from "../media/level-meter";
import { type MediaErrorCode, mediaErrorCode } from "../media/local-media";
import { chooseContainer, type VoiceContainer } from "./container";
import type { Recording } from "./types";

/** FEATURES §5: about 32 kbps, so that 5 minutes stay near 1.2 MB. Safari may ignore it. */
export const VOICE_BITRATE = 32_000;
/** The clock and the level are published ten times a second: enough for a timer and a meter. */
export const TICK_MS = 100;

/** What the recorder needs from the browser; tests hand in fakes. */
export interface RecorderDeps {
  /** The call's microphone track, if the call has one open (muted or not). */
  callTrack(): MediaStreamTrack | null;
  getUserMedia(constraints: MediaStreamConstraints): Promise<MediaStream>;
  /** MediaRecorder.isTypeSupported; undefined where there is no MediaRecorder. */
  isTypeSupported: ((mimeType: string) => boolean) | undefined;
  createRecorder(track: MediaStreamTrack, options: MediaRecorderOptions, events: RecorderEvents): RecorderHandle;
  openLevelMeter(track: MediaStreamTrack): LevelMeter;
  now(): number;
  /** Runs `run` every `ms` / once after `ms`; each returns what cancels it. */
  every(ms: number, run: () => void): () => void;
  after(ms: number, run: () => void): () => void;
  fixWebmDuration(blob: Blob, durationMs: number): Promise<Blob>;
}

export interface RecorderEvents {
  data(blob: Blob): void;
  /** After the last `data`. */
  stop(): void;
  error(): void;
}

export interface RecorderHandle {
  start(): void;
  /** Ends the recording; a second call does nothing. */
  stop(): void;
}

export type RecorderError = MediaErrorCode | "not-supported" | "failed";

export interface RecorderState {
  /** "stopped": the limit was reached (or the microphone went away); the recording waits for stop() or cancel(). */
  phase: "idle" | "starting" | "recording" | "stopped";
  elapsedMs: number;
  /** Input level, 0..1. */
  level: number;
  /** Stopped by itself at VOICE_MAX_MS. */
  atLimit: boolean;
  /** Why the last start or recording failed; cleared by the next start. */
  error: RecorderError | null;
}

const IDLE: RecorderState = { phase: "idle", elapsedMs: 0, level: 0, atLimit: false, error: null };

interface Take {
  container: VoiceContainer;
  /** Ours to stop: a clone of the call's track, or our own capture. */
  track: MediaStreamTrack;
  recorder: RecorderHandle;
  chunks: Blob[];
  startedAt: number;
  durationMs: number;
  /** The clock, the limit, the meter and the track's `ended` listener. */
  release: () => void;
  /** Resolves when the recorder has handed over its last data. */
  stopped: Promise<void>;
  finished: Promise<void> | null;
}

export class VoiceRecorder extends Emitter<{ change: RecorderState }> {
  private stateValue: RecorderState = IDLE;
  private take: Take | null = null;
  /** Bumped by cancel(): a start still waiting for its microphone then gives it back. */
  private generation = 0;
  private destroyed = false;

  constructor(private readonly deps: RecorderDeps) {
    super();
  }

  get state(): RecorderState {
    return this.stateValue;
  }

  /** Starts recording; false if it did not (already recording, no microphone, no MediaRecorder: see state.error). */
  async start(): Promise<boolean> {
    this.assertAlive();
    if (this.stateValue.phase !== "idle") return false;
    const container = chooseContainer(this.deps.isTypeSupported);
    if (!container) {
      this.update({ ...IDLE, error: "not-supported" });
      return false;
    }
    const generation = ++this.generation;
    this.update({ ...IDLE, phase: "starting" });
    let track: MediaStreamTrack;
    try {
      track = await this.microphone();
    } catch (e) {
      if (generation === this.generation) this.update({ ...IDLE, error: mediaErrorCode(e) });
      return false;
    }
    if (generation !== this.generation) {
      track.stop(); // cancelled (or destroyed) while the microphone was opening
      return false;
    }
    try {
      this.take = this.record(track, container);
    } catch {
      // MediaRecorder refused the stream or the options (NotSupportedError).
      track.stop();
      this.update({ ...IDLE, error: "failed" });
      return false;
    }
    this.update({ phase: "recording" });
    return true;
  }

  /** Ends the recording and hands it over (null if there was none, or it came out empty). */
  async stop(): Promise<Recording | null> {
    const take = this.take;
    if (!take) {
      if (this.stateValue.phase === "starting") this.cancel();
      return null;
    }
    await this.finish(take, false);
    // Cancelled while the last data came in, or a second stop() got here first.
    if (take !== this.take) return null;
    this.take = null;
    const { type } = take.container;
    const recorded = new Blob(take.chunks, { type });
    if (recorded.size === 0) {
      this.update({ ...IDLE, error: "failed" });
      return null;
    }
    this.update(IDLE);
    // A file the fix cannot parse is sent as it is: it plays, only without a duration.
    const blob = type === "audio/webm" ? await this.deps.fixWebmDuration(recorded, take.durationMs).catch(() => recorded) : recorded;
    return { blob: blob.type === type ? blob : new Blob([blob], { type }), type, durationMs: take.durationMs };
  }

  /** Drops the recording (or the start still waiting for a microphone). */
  cancel(): void {
    this.generation++;
    const take = this.take;
    this.take = null;
    if (take) {
      take.release();
      take.recorder.stop();
      take.track.stop();
    }
    this.update(IDLE);
  }

  destroy(): void {
    if (this.destroyed) return;
    this.cancel();
    this.destroyed = true;
    this.removeAllListeners();
  }

  private async microphone(): Promise<MediaStreamTrack> {
    const call = this.deps.callTrack();
    if (call && call.readyState === "live") {
      const clone = call.clone();
      // A muted call's track is disabled, and a clone of it would record silence.
      clone.enabled = true;
      return clone;
    }
    const stream = await this.deps.getUserMedia({ audio: { echoCancellation: true, noiseSuppression: true, autoGainControl: true } });
    const track = stream.getAudioTracks()[0];
    if (!track) throw new DOMException("no audio track", "NotFoundError");
    return track;
  }

  private record(track: MediaStreamTrack, container: VoiceContainer): Take {
    let stopped!: () => void;
    const take: Take = {
      container,
      track,
      recorder: { start() {}, stop() {} },
      chunks: [],
      startedAt: 0,
      durationMs: 0,
      release: () => {},
      stopped: new Promise<void>((resolve) => (stopped = resolve)),
      finished: null,
    };
    take.recorder = this.deps.createRecorder(track, { mimeType: container.mimeType, audioBitsPerSecond: VOICE_BITRATE }, {
      data: (blob) => {
        if (blob.size > 0) take.chunks.push(blob);
      },
      stop: () => stopped(),
      error: () => this.failed(take),
    });
    take.recorder.start();
    take.startedAt = this.deps.now();
    let meter: LevelMeter | null = null;
    try {
      meter = this.deps.openLevelMeter(track);
    } catch {
      // The level is a nicety: without Web Audio the recording goes on, with the meter at zero.
    }
    const stopTick = this.deps.every(TICK_MS, () => {
      if (take === this.take && !take.finished) this.update({ elapsedMs: this.elapsed(take), level: meter?.read() ?? 0 });
    });
    const stopLimit = this.deps.after(VOICE_MAX_MS, () => void this.finish(take, true));
    // The microphone went away (unplugged, or the permission revoked): keep what was recorded.
    const ended = () => void this.finish(take, false);
    track.addEventListener("ended", ended);
    take.release = () => {
      stopTick();
      stopLimit();
      track.removeEventListener("ended", ended);
      meter?.close();
      meter = null;
    };
    return take;
  }

  /** Stops capturing; the recording then waits for stop() (the limit, a lost microphone) or is collected by it. */
  private finish(take: Take, atLimit: boolean): Promise<void> {
    if (take.finished) return take.finished;
    take.durationMs = this.elapsed(take);
    take.release();
    take.recorder.stop();
    // Stopped after the recorder has had the last of it.
    take.finished = take.stopped.then(() => take.track.stop());
    if (take === this.take) this.update({ phase: "stopped", elapsedMs: take.durationMs, level: 0, atLimit });
    return take.finished;
  }

  private failed(take: Take): void {
    if (take !== this.take) return;
    this.cancel();
    this.update({ error: "failed" });
  }

  private elapsed(take: Take): number {
    return Math.min(VOICE_MAX_MS, Math.max(0, this.deps.now() - take.startedAt));
  }

  private update(patch: Partial<RecorderState>): void {
    if (this.destroyed) return;
    this.stateValue = { ...this.stateValue, ...patch };
    this.emit("change", this.stateValue);
  }

  private assertAlive(): void {
    if (this.destroyed) throw new Error("VoiceRecorder used after destroy");
  }
}
