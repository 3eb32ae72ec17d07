// Where a receiver puts verified blocks: OPFS (createSyncAccessHandle in a worker) or a file the
// person picked with showSaveFilePicker, both written as blocks arrive so that memory stays flat
// (FEATURES §6). Those adapters come with the UI; this file holds the contract and the memory
// sink, the fallback for small files (and the tests' sink), refused past its cap.

export interface FileSink {
  /**
   * Writes one verified block at `offset`. Blocks may come out of order (a block sent again after
   * a nack lands behind later ones), and a block written before a resume may be written again.
   * The sink may keep `bytes`, or take its buffer (transfer it to a worker, which detaches it):
   * the receiver hands over a fresh buffer per block and does not read it after the call.
   */
  write(offset: number, bytes: Uint8Array<ArrayBuffer>): Promise<void>;
  /**
   * How many writes the sink takes before the first has settled, applying them in the order they
   * were called (the receiver never interleaves writes otherwise). Absent: one at a time.
   */
  readonly writesAtOnce?: number;
  /** Every block is written: make the file whole (flush, close the handle). */
  close(): Promise<void>;
  /** The transfer failed for good: discard what was written. */
  abort(): Promise<void>;
}

/** FEATURES §6: keep at most 500 MB in RAM. */
export const MEMORY_SINK_MAX_BYTES = 500 * 1000 * 1000;

export class MemorySink implements FileSink {
  private readonly parts = new Map<number, Uint8Array<ArrayBuffer>>();
  private result: Blob | null = null;
  private aborted = false;

  constructor(
    private readonly size: number,
    private readonly type = "",
    maxBytes = MEMORY_SINK_MAX_BYTES,
  ) {
    if (size > maxBytes) throw new RangeError(`${size} bytes is over the memory sink's ${maxBytes}`);
  }

  async write(offset: number, bytes: Uint8Array<ArrayBuffer>): Promise<void> {
    if (this.result || this.aborted) throw new Error("write to a finished memory sink");
    if (offset + bytes.byteLength > this.size) throw new RangeError(`write past the file's ${this.size} bytes`);
    this.parts.set(offset, bytes);
  }

  async close(): Promise<void> {
    const offsets = [...this.parts.keys()].sort((a, b) => a - b);
    this.result = new Blob(offsets.map((o) => this.parts.get(o)!), { type: this.type });
    this.parts.clear();
    if (this.result.size !== this.size) throw new Error(`memory sink holds ${this.result.size} of ${this.size} bytes`);
  }

  async abort(): Promise<void> {
    this.aborted = true;
    this.parts.clear();
  }

  /** The whole file, once closed. */
  blob(): Blob | null {
    return this.result;
  }
}
