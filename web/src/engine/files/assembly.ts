// One block being put together from its binary chunks, in one buffer of exactly the size its
// header announced (checked against the offer before this exists, wire.ts checkBlockHeader).
// A chunk that would write past that size is refused here, before a byte of it is copied: a
// sender that sends more than it announced cannot make the receiver hold more.

import { type FileError, fileError } from "./errors";
import { takeBuffer } from "./spare-buffers";

export class BlockAssembly {
  private readonly buffer: Uint8Array<ArrayBuffer>;
  private filled = 0;

  constructor(
    readonly index: number,
    bytes: number,
  ) {
    // Possibly a spare, holding an earlier block's bytes: take() refuses until every byte is ours.
    this.buffer = takeBuffer(bytes);
  }

  get bytes(): number {
    return this.buffer.byteLength;
  }

  get complete(): boolean {
    return this.filled === this.buffer.byteLength;
  }

  /** Copies a chunk in; an error (and nothing copied) if it overruns the block. */
  add(chunk: ArrayBuffer): FileError | null {
    if (this.filled + chunk.byteLength > this.buffer.byteLength) {
      return fileError("block-overrun", `block ${this.index}: ${this.filled + chunk.byteLength} bytes sent for ${this.buffer.byteLength} announced`);
    }
    this.buffer.set(new Uint8Array(chunk), this.filled);
    this.filled += chunk.byteLength;
    return null;
  }

  /** The block's bytes, once complete. */
  take(): Uint8Array<ArrayBuffer> {
    if (!this.complete) throw new Error(`block ${this.index} taken before it was complete`);
    return this.buffer;
  }
}
