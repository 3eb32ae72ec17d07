// The OPFS worker's slice reads (web/src/engine/recording/slice-reader.ts): every byte in order
// through one reused buffer, the slice read whole where Blob.stream() is no byte stream, and a
// buffer detached by a failed write replaced rather than breaking the next slice.

import { describe, expect, it } from "vitest";
import { READ_BUFFER_BYTES, readSlice } from "../../web/src/engine/recording/slice-reader";

/** A slice of `size` bytes counting up (mod 251), so order and completeness show. */
function slice(size: number): { blob: Blob; bytes: Uint8Array } {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = i % 251;
  return { blob: new Blob([bytes]), bytes };
}

/** Byte for byte (toEqual walks a MiB-long array far too slowly). */
function same(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0;
}

/** Reads `blob`, returning what `write` saw joined, the chunks' buffers, and the buffer handed back. */
async function read(blob: Blob, buffer: ArrayBuffer) {
  const chunks: Uint8Array[] = [];
  const buffers: ArrayBufferLike[] = [];
  const next = await readSlice(blob, buffer, (bytes) => {
    chunks.push(bytes.slice());
    buffers.push(bytes.buffer);
  });
  const joined = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    joined.set(c, at);
    at += c.length;
  }
  return { joined, chunks, buffers, next };
}

describe("recording slice reader", () => {
  it("writes a slice larger than the buffer whole and in order, and hands the buffer back for the next", async () => {
    const { blob, bytes } = slice(READ_BUFFER_BYTES * 2 + 12_345);
    const first = new ArrayBuffer(READ_BUFFER_BYTES);
    const a = await read(blob, first);
    expect(same(a.joined, bytes)).toBe(true);
    expect(a.chunks.length).toBeGreaterThan(1);
    // The BYOB reader transferred our buffer: the old reference is detached, the new one is it.
    expect(first.byteLength).toBe(0);
    expect(a.next.byteLength).toBe(READ_BUFFER_BYTES);
    // Every chunk was a view of our buffer, handed on to the next read: each earlier one is
    // detached by that read's transfer, so no chunk kept memory of its own.
    expect(a.buffers.slice(0, -1).every((b) => b.byteLength === 0)).toBe(true);
    const b = await read(slice(1000).blob, a.next);
    expect(same(b.joined, slice(1000).bytes)).toBe(true);
    expect(b.next.byteLength).toBe(READ_BUFFER_BYTES);
  });

  it("reads an empty slice as nothing", async () => {
    const a = await read(new Blob([]), new ArrayBuffer(READ_BUFFER_BYTES));
    expect(a.chunks).toEqual([]);
    expect(a.next.byteLength).toBe(READ_BUFFER_BYTES);
  });

  it("reads the slice whole where Blob.stream() is no byte stream", async () => {
    const { blob, bytes } = slice(5000);
    // As in an engine whose blob stream refuses a BYOB reader.
    const plain = Object.assign(blob.slice(), {
      stream: () => ({
        getReader(options?: { mode?: string }) {
          if (options?.mode === "byob") throw new TypeError("not a byte stream");
          throw new Error("unexpected reader");
        },
      }),
    }) as unknown as Blob;
    const buffer = new ArrayBuffer(READ_BUFFER_BYTES);
    const a = await read(plain, buffer);
    expect(same(a.joined, bytes)).toBe(true);
    expect(a.next).toBe(buffer);
  });

  it("after a write that threw, the next slice gets a fresh buffer", async () => {
    const buffer = new ArrayBuffer(READ_BUFFER_BYTES);
    await expect(
      readSlice(slice(3000).blob, buffer, () => {
        throw new Error("the disk took no more bytes");
      }),
    ).rejects.toThrow("the disk took no more bytes");
    // Our reference went to the stream and never came back.
    expect(buffer.byteLength).toBe(0);
    const a = await read(slice(3000).blob, buffer);
    expect(same(a.joined, slice(3000).bytes)).toBe(true);
    expect(a.next.byteLength).toBe(READ_BUFFER_BYTES);
  });
});
