// A recording written to a file the person picked (showSaveFilePicker, Chromium desktop). Its
// writable stream is the only way in; Chromium keeps the bytes in a swap file next to it and moves
// them into place on close(), so a crash loses a picked recording (OPFS ones survive, see
// opfs-sink-worker.ts). It sits outside the origin's quota.

import type { SliceSink } from "./slice-writer";

export class PickedSink implements SliceSink {
  /** Where the next slice goes. */
  private end = 0;

  private constructor(
    private readonly handle: FileSystemFileHandle,
    private readonly writable: FileSystemWritableFileStream,
  ) {}

  static async open(handle: FileSystemFileHandle): Promise<PickedSink> {
    return new PickedSink(handle, await handle.createWritable({ keepExistingData: false }));
  }

  async append(slice: Blob): Promise<void> {
    await this.writable.write({ type: "write", position: this.end, data: slice });
    this.end += slice.size;
  }

  writeAt(position: number, bytes: Uint8Array): Promise<void> {
    return this.writable.write({ type: "write", position, data: bytes as Uint8Array<ArrayBuffer> });
  }

  async close(): Promise<File> {
    await this.writable.close();
    return this.handle.getFile();
  }

  async abort(): Promise<void> {
    // close() rather than abort(): what was written is kept, as the contract promises.
    await this.writable.close().catch(() => undefined);
  }
}
