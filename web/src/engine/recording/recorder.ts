// One local recording, from the click to the saved file: starting → recording → stopping → saved
// (or failed). It wires the capture (canvas + audio mix), MediaRecorder, the slice writer and the
// sink, and stops by itself, keeping the file, when the writer runs out of room or time.

import type { FrameCounters } from "./capture";
import {
  AUDIO_BITS_PER_SECOND,
  type LocalRecorder,
  MIN_FREE_BYTES,
  MAX_PENDING_BYTES,
  QUOTA_STOP_FRACTION,
  type RecorderFailure,
  type RecorderOptions,
  type RecorderSources,
  type RecorderState,
  type RecordingKind,
  type SavedRecording,
  SLICE_MS,
  VIDEO_BITS_PER_SECOND,
} from "./contract";
import { isWebm, recordingName } from "./formats";
import { type Estimate, SliceWriter, type SliceSink } from "./slice-writer";
import { WEBM_HEAD_BYTES, webmDurationPatch } from "./webm-duration";

export type SaveFilePicker = (options: { suggestedName: string; types: { description: string; accept: Record<string, string[]> }[] }) => Promise<FileSystemFileHandle>;

/** The part of MediaRecorder the recorder uses. */
export interface Encoder {
  readonly state: "inactive" | "recording" | "paused";
  ondataavailable: ((event: BlobEvent) => void) | null;
  onerror: ((event: ErrorEvent) => void) | null;
  onstop: ((event: Event) => void) | null;
  start(timeslice: number): void;
  stop(): void;
}

/** The capture (capture.ts): the canvas and mix the encoder records. */
export interface CaptureHandle {
  readonly stream: MediaStream;
  readonly counters: FrameCounters;
  stop(): void;
}

/**
 * The browser's parts, injected so the recorder's states and stops can be tested with fakes
 * (test/unit/recording-recorder.test.ts); browser-parts.ts has the real ones.
 */
export interface RecorderParts {
  /** The container to record, or null when this browser cannot record (see canRecord). */
  mimeType(): string | null;
  estimate: Estimate;
  picker: SaveFilePicker | null;
  /** A new OPFS file (a free name near `suggested`, claimed for this recorder). */
  openOpfs(suggested: string): Promise<{ name: string; sink: SliceSink; release(): void }>;
  openPicked(handle: FileSystemFileHandle): Promise<SliceSink>;
  /** The OPFS file as it is on disk, or null. */
  readOpfs(name: string): Promise<File | null>;
  removeOpfs(name: string): Promise<void>;
  capture(sources: RecorderSources, onSecond: () => void): CaptureHandle;
  encoder(stream: MediaStream, options: MediaRecorderOptions): Encoder;
  /** A monotonic clock in ms (performance.now). */
  now(): number;
}

/**
 * What a recorder counted, for the tests and the report (test/browser/recording-pipeline.test.ts):
 * frames drawn (in a hidden tab too) and the most slice bytes that waited for the disk at once.
 * Nothing in the app reads them.
 */
export interface RecorderCounters extends FrameCounters {
  maxPendingBytes: number;
}

export interface RecorderWithCounters extends LocalRecorder {
  readonly counters: RecorderCounters;
}

export function startRecording(options: RecorderOptions, parts: RecorderParts): Promise<RecorderWithCounters> {
  const recording = new Recording(options, parts);
  // begin() runs synchronously up to its first await, so the file picker opens inside the click.
  return recording.start().then(() => recording);
}

class Recording implements RecorderWithCounters {
  readonly kind: RecordingKind;
  state: RecorderState = { phase: "starting" };
  private mimeType = "";
  private name = "";
  private where: "opfs" | "picked" = "opfs";
  private sink: SliceSink | null = null;
  private writer: SliceWriter | null = null;
  private capture: CaptureHandle | null = null;
  private encoder: Encoder | null = null;
  private release: (() => void) | null = null;
  /**
   * Copies of the file's first WEBM_HEAD_BYTES, slice by slice as they reach the disk: all the
   * duration patch needs, so the file is never read back whole.
   */
  private readonly headParts: Promise<ArrayBuffer>[] = [];
  private headLength = 0;
  private startedAt = 0;
  /** performance.now() at the encoder's start: the duration is measured on the monotonic clock. */
  private startedMono = 0;
  private stopping: Promise<RecorderState> | null = null;
  private beginning: Promise<unknown> = Promise.resolve();
  /** stop() came while starting: the recording stops as soon as the encoder runs. */
  private stopWanted = false;
  /** Resolves on the encoder's `stop` event, which follows its last `dataavailable` (after an error too). */
  private encoderStopped: Promise<unknown> = Promise.resolve();
  /** When each slice came (monotonic), so the duration ends at the last one written. */
  private readonly sliceTimes = new WeakMap<Blob, number>();
  /** The time of the last slice on disk, or null while none is. */
  private lastWrittenMono: number | null = null;

  get counters(): RecorderCounters {
    const frames = this.capture?.counters ?? { drawn: 0, drawnHidden: 0 };
    return { ...frames, maxPendingBytes: this.writer?.maxPendingSeen ?? 0 };
  }

  constructor(
    private readonly options: RecorderOptions,
    private readonly parts: RecorderParts,
  ) {
    this.kind = options.sources.kind;
    this.emit(this.state);
  }

  start(): Promise<unknown> {
    this.beginning = this.begin();
    return this.beginning;
  }

  private async begin(): Promise<unknown> {
    const { sources } = this.options;
    const { parts } = this;
    const mimeType = parts.mimeType();
    if (mimeType === null) return this.fail("unsupported");
    this.mimeType = mimeType;
    if (sources.kind === "self") {
      const own = sources.ownTracks();
      if (!own.audio && !own.video) return this.fail("no-media");
    }
    const suggested = recordingName(new Date(), mimeType, this.options.label);
    const picker = parts.picker;
    // Called before any await: the picker needs the click's user activation.
    const picked = this.options.pickFile && picker ? picker({ suggestedName: suggested, types: [{ description: "Video", accept: { [mimeType.split(";")[0]!]: [isWebm(mimeType) ? ".webm" : ".mp4"] } }] }) : null;
    try {
      if (picked) {
        let handle: FileSystemFileHandle;
        try {
          handle = await picked;
        } catch (e) {
          return this.fail(e instanceof DOMException && e.name === "AbortError" ? "cancelled" : "write-failed");
        }
        this.where = "picked";
        this.name = handle.name;
        this.sink = await parts.openPicked(handle);
      } else {
        const { usage = 0, quota = Infinity } = await parts.estimate();
        // The writer's own rule (slice-writer.ts) with MIN_FREE_BYTES to spare: a recording that
        // starts must not stop with "no-space" at its first slice.
        if (usage + MIN_FREE_BYTES > quota * QUOTA_STOP_FRACTION) return this.fail("no-space");
        const opened = await parts.openOpfs(suggested);
        this.name = opened.name;
        this.release = () => opened.release();
        this.sink = opened.sink;
      }
    } catch {
      this.release?.();
      return this.fail("write-failed");
    }
    try {
      this.startEncoding();
    } catch {
      // MediaRecorder refused the stream or the options: nothing was recorded.
      this.capture?.stop();
      await this.sink?.abort();
      await this.removeOpfsFile();
      return this.fail("unsupported");
    }
    if (this.stopWanted) void this.finish(null);
  }

  stop(): Promise<RecorderState> {
    if (this.state.phase === "starting") {
      // The person clicked stop before the picker or the disk answered: stop right after the start.
      this.stopWanted = true;
      return this.beginning.then(() => this.stopping ?? this.state);
    }
    if (this.state.phase !== "recording") return this.stopping ?? Promise.resolve(this.state);
    return this.finish(null);
  }

  private startEncoding(): void {
    const sink = this.sink!;
    // Notes when each slice reaches the disk: the duration ends at the last one written, not at
    // the stop (a disk-slow or no-space stop drops the slices after it). The head is copied from
    // what reached the disk too, so the patch's offsets are the file's.
    const timed: SliceSink = {
      append: async (slice) => {
        await sink.append(slice);
        this.lastWrittenMono = this.sliceTimes.get(slice) ?? this.lastWrittenMono;
        this.keepHead(slice);
      },
      writeAt: (position, bytes) => sink.writeAt(position, bytes),
      close: () => sink.close(),
      abort: () => sink.abort(),
    };
    const writer = new SliceWriter(timed, {
      maxPendingBytes: MAX_PENDING_BYTES,
      // A picked file is outside the origin's quota: the browser polices its disk.
      estimate: this.where === "opfs" ? this.parts.estimate : null,
      quotaFraction: QUOTA_STOP_FRACTION,
      onStop: (reason) => void this.finish(reason),
    });
    this.writer = writer;
    const capture = this.parts.capture(this.options.sources, () => this.progress());
    this.capture = capture;
    const encoder = this.parts.encoder(capture.stream, {
      mimeType: this.mimeType,
      videoBitsPerSecond: VIDEO_BITS_PER_SECOND[this.kind],
      audioBitsPerSecond: AUDIO_BITS_PER_SECOND,
    });
    this.encoder = encoder;
    encoder.ondataavailable = (event) => {
      this.sliceTimes.set(event.data, this.parts.now());
      writer.push(event.data);
    };
    // Set up before the start, so save() always waits for the last slice: after an error too,
    // where MediaRecorder is already inactive and its last `dataavailable` and `stop` come next
    // (MediaStream Recording, "fire an error event").
    this.encoderStopped = new Promise((resolve) => (encoder.onstop = resolve));
    // An encoder error (a track the encoder cannot take) ends the recording; keep what was written.
    encoder.onerror = () => void this.finish("write-failed");
    // 2 s slices (FEATURES §7): tiny timeslices crashed tabs after hours (OpenVidu#686), and
    // each slice leaves memory as soon as the disk has it.
    encoder.start(SLICE_MS);
    this.startedAt = Date.now();
    this.startedMono = this.parts.now();
    this.emit({ phase: "recording", startedAt: this.startedAt, bytes: 0, elapsedMs: 0 });
  }

  /** Once a second, from the frame clock (it keeps running in a hidden tab). */
  private progress(): void {
    if (this.state.phase !== "recording") return;
    this.emit({ phase: "recording", startedAt: this.startedAt, bytes: this.writer!.written, elapsedMs: Math.round(this.parts.now() - this.startedMono) });
  }

  private finish(reason: RecorderFailure | null): Promise<RecorderState> {
    this.stopping ??= this.save(reason);
    return this.stopping;
  }

  private async save(reason: RecorderFailure | null): Promise<RecorderState> {
    this.emit({ phase: "stopping" });
    const encoder = this.encoder!;
    // The last slice comes with `dataavailable` before `stop`.
    if (encoder.state !== "inactive") encoder.stop();
    await this.encoderStopped;
    this.capture!.stop();
    const writer = this.writer!;
    const sink = this.sink!;
    await writer.finish();
    const durationMs = Math.round((this.lastWrittenMono ?? this.parts.now()) - this.startedMono);
    const why = reason ?? writer.stopped;
    if (writer.written === 0) {
      await sink.abort();
      await this.removeOpfsFile();
      return this.fail(why ?? "write-failed");
    }
    // Only a failed write leaves the file's end in doubt; after an encoder error the file is whole
    // up to its last slice and gets its duration like any other.
    const sinkFailed = writer.stopped === "write-failed";
    let file: File;
    try {
      const head = isWebm(this.mimeType) && !sinkFailed ? await this.head() : null;
      const patch = head && webmDurationPatch(head, durationMs);
      if (patch) await sink.writeAt(patch.position, patch.bytes);
      file = await sink.close();
    } catch {
      await sink.abort();
      // What was written stays: read it back if the file is there at all.
      const kept = await this.readBack();
      if (!kept) {
        // Empty or unreadable: nothing to offer, so neither the file nor its lock stays behind.
        await this.removeOpfsFile();
        return this.fail("write-failed");
      }
      file = kept;
      return this.saved(file, durationMs, "write-failed");
    }
    return this.saved(file, durationMs, why);
  }

  /**
   * Keeps the start of a slice just written while the head is not complete. The head may span
   * slices: when the encoder starts late (two recordings on a busy machine), Chromium can end the
   * first slice after one byte of the EBML header (slices of 1, 24589, … bytes seen in
   * test/browser/recording.test.ts), and a head taken from that slice alone got no duration.
   */
  private keepHead(slice: Blob): void {
    if (this.headLength >= WEBM_HEAD_BYTES) return;
    const part = slice.slice(0, WEBM_HEAD_BYTES - this.headLength);
    this.headLength += part.size;
    const read = part.arrayBuffer();
    // Awaited only at the save: a failed read must not surface before as an unhandled rejection.
    read.catch(() => undefined);
    this.headParts.push(read);
  }

  /** The file's first bytes as written, or null if a copy could not be read (no patch then). */
  private async head(): Promise<Uint8Array | null> {
    try {
      return new Uint8Array(await new Blob(await Promise.all(this.headParts)).arrayBuffer());
    } catch {
      return null;
    }
  }

  private saved(file: File, durationMs: number, reason: RecorderFailure | null): RecorderState {
    const { where, name, parts } = this;
    let release = this.release;
    const recording: SavedRecording = {
      name,
      file,
      bytes: file.size,
      durationMs,
      mimeType: this.mimeType.split(";")[0]!,
      where,
      discard: async () => {
        if (where !== "opfs") return;
        await parts.removeOpfs(name).catch(() => undefined);
        release?.();
        release = null;
      },
    };
    const state: RecorderState = { phase: "saved", recording, reason };
    this.emit(state);
    return state;
  }

  private async readBack(): Promise<File | null> {
    if (this.where !== "opfs") return null;
    const file = await this.parts.readOpfs(this.name).catch(() => null);
    return file && file.size > 0 ? file : null;
  }

  private async removeOpfsFile(): Promise<void> {
    if (this.where !== "opfs" || !this.name) return;
    await this.parts.removeOpfs(this.name).catch(() => undefined);
    this.release?.();
    this.release = null;
  }

  private fail(reason: RecorderFailure): RecorderState {
    const state: RecorderState = { phase: "failed", reason };
    this.emit(state);
    return state;
  }

  private emit(state: RecorderState): void {
    this.state = state;
    this.options.onState(state);
  }
}
