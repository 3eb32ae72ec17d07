// MediaRecorder's slices, written to disk one after the other, with the two limits that keep a
// long recording from taking the tab or the disk down (FEATURES §7: Jitsi holds chunks in RAM up to
// 1 GB; openscreen#616 crashed on buffer copies):
// - memory: at most `maxPendingBytes` of slices wait for the disk. A slice that would pass it is
//   dropped and the writer stops with "disk-slow"; what is queued still goes to disk, so the file
//   ends on a whole slice (each is a run of whole WebM clusters or MP4 fragments).
// - quota: before each slice, when the sink counts against the origin's quota (OPFS), the writer
//   asks for an estimate and stops with "no-space" if writing it would pass `quotaFraction`.
// A failed write stops with "write-failed" and drops the rest (the file keeps what was written).
//
// Pure of the browser: the sink and the estimate are injected (test/unit/recording-writer.test.ts
// drives it with fake slices, a slow fake disk and a fake estimate).

export type WriterStop = "disk-slow" | "no-space" | "write-failed";

/** Where the bytes go: an OPFS file or a file the person picked. */
export interface SliceSink {
  /** Appends the slice at the end of what was written; resolves when it is on disk. */
  append(slice: Blob): Promise<void>;
  /** Overwrites `bytes` at `position` (the duration patch). */
  writeAt(position: number, bytes: Uint8Array): Promise<void>;
  /** Closes the file and reads it back from disk. */
  close(): Promise<File>;
  /** Closes without reading back, after a failure; never throws. */
  abort(): Promise<void>;
}

export type Estimate = () => Promise<{ usage?: number; quota?: number }>;

export interface SliceWriterOptions {
  maxPendingBytes: number;
  /** null: the sink is outside the origin's quota (a picked file). */
  estimate: Estimate | null;
  quotaFraction: number;
  /** Called once, when the writer stops by itself; the recorder then stops the encoder. */
  onStop(reason: WriterStop): void;
}

export class SliceWriter {
  private readonly queue: Blob[] = [];
  private pending = 0;
  private writing: Promise<void> | null = null;
  private stopReason: WriterStop | null = null;
  private closed = false;
  /** Bytes on disk so far. */
  written = 0;
  /** The most bytes ever waiting in memory at once: the bound the tests check and the report quotes. */
  maxPendingSeen = 0;

  constructor(
    private readonly sink: SliceSink,
    private readonly options: SliceWriterOptions,
  ) {}

  /** Bytes waiting for the disk now. */
  get pendingBytes(): number {
    return this.pending;
  }

  /** Why it stopped by itself, or null. */
  get stopped(): WriterStop | null {
    return this.stopReason;
  }

  /** Queues a slice (in the order MediaRecorder gave them). Refused after a stop or `finish()`. */
  push(slice: Blob): void {
    if (this.closed || this.stopReason !== null || slice.size === 0) return;
    if (this.pending + slice.size > this.options.maxPendingBytes) {
      this.stop("disk-slow");
      return;
    }
    this.queue.push(slice);
    this.pending += slice.size;
    this.maxPendingSeen = Math.max(this.maxPendingSeen, this.pending);
    this.kick();
  }

  /** Refuses further slices and resolves when everything queued is on disk (or dropped by a failure). */
  async finish(): Promise<void> {
    this.closed = true;
    while (this.writing) await this.writing;
  }

  private stop(reason: WriterStop): void {
    if (this.stopReason !== null) return;
    this.stopReason = reason;
    this.options.onStop(reason);
  }

  /** One drain at a time; a slice pushed while the last one settles starts the next. */
  private kick(): void {
    if (this.writing || this.queue.length === 0) return;
    this.writing = this.drain().finally(() => {
      this.writing = null;
      this.kick();
    });
  }

  private async drain(): Promise<void> {
    for (let slice = this.queue.shift(); slice; slice = this.queue.shift()) {
      if (this.stopReason === "no-space" || this.stopReason === "write-failed") {
        this.pending -= slice.size;
        continue;
      }
      if (this.options.estimate && !(await this.roomFor(slice.size))) {
        this.pending -= slice.size;
        this.stop("no-space");
        continue;
      }
      try {
        await this.sink.append(slice);
        this.written += slice.size;
      } catch {
        this.stop("write-failed");
      }
      this.pending -= slice.size;
    }
  }

  /** Whether writing `bytes` more keeps the origin under its quota fraction (unknown counts as room). */
  private async roomFor(bytes: number): Promise<boolean> {
    let estimate: { usage?: number; quota?: number };
    try {
      estimate = await this.options.estimate!();
    } catch {
      return true;
    }
    if (estimate.quota === undefined || estimate.usage === undefined) return true;
    return estimate.usage + bytes <= estimate.quota * this.options.quotaFraction;
  }
}
