// Block hashing and the file id (FEATURES §6: integrity without a streaming digest): checked
// against node:crypto's streaming SHA-256 as an independent reference, on a few MiB of bytes.

import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { BLOCK_SIZE, blockBytes, blockCount, bytesBefore, fileIdOf, hashFile, sha256Hex, verifyBlock } from "../../web/src/engine/files/blocks";
import { generatedBytes, MiB } from "./files-fakes";

const nodeSha = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

/** The reference: each block hashed by node:crypto, the id over the raw digests. */
function reference(bytes: Uint8Array) {
  const blocks: string[] = [];
  for (let start = 0; start < bytes.byteLength; start += BLOCK_SIZE) blocks.push(nodeSha(bytes.subarray(start, start + BLOCK_SIZE)));
  const id = createHash("sha256").update(Buffer.concat(blocks.map((h) => Buffer.from(h, "hex")))).digest("hex");
  return { blocks, id };
}

/** A Blob that records the slices read from it. */
class CountingBlob extends Blob {
  readonly slices: number[] = [];
  override slice(start?: number, end?: number, type?: string): Blob {
    this.slices.push((end ?? this.size) - (start ?? 0));
    return super.slice(start, end, type);
  }
}

describe("block arithmetic", () => {
  it("counts blocks, the last one holding the rest", () => {
    expect(blockCount(0, BLOCK_SIZE)).toBe(0);
    expect(blockCount(1, BLOCK_SIZE)).toBe(1);
    expect(blockCount(BLOCK_SIZE, BLOCK_SIZE)).toBe(1);
    expect(blockCount(BLOCK_SIZE + 1, BLOCK_SIZE)).toBe(2);
    expect(blockCount(2 * 1024 ** 3, BLOCK_SIZE)).toBe(2048);
    expect(blockBytes(BLOCK_SIZE + 10, 0, BLOCK_SIZE)).toBe(BLOCK_SIZE);
    expect(blockBytes(BLOCK_SIZE + 10, 1, BLOCK_SIZE)).toBe(10);
    expect(bytesBefore(BLOCK_SIZE + 10, 1, BLOCK_SIZE)).toBe(BLOCK_SIZE);
    expect(bytesBefore(BLOCK_SIZE + 10, 2, BLOCK_SIZE)).toBe(BLOCK_SIZE + 10);
  });
});

describe("hashFile", () => {
  const bytes = generatedBytes(3 * MiB + 12_345);

  it("hashes each 1 MiB block and names the file by the hash of the block hashes", async () => {
    const manifest = await hashFile(new Blob([bytes]));
    const expected = reference(bytes);
    expect(manifest.blocks).toHaveLength(4);
    expect(manifest.blocks).toEqual(expected.blocks);
    expect(manifest.id).toBe(expected.id);
    expect(manifest.size).toBe(bytes.byteLength);
    expect(manifest.blockSize).toBe(BLOCK_SIZE);
    expect(await fileIdOf(manifest.blocks)).toBe(manifest.id);
  });

  it("reads one block at a time, never the whole file", async () => {
    const blob = new CountingBlob([bytes]);
    const seen: number[] = [];
    await hashFile(blob, { onProgress: (n) => seen.push(n) });
    expect(blob.slices).toHaveLength(4);
    expect(Math.max(...blob.slices)).toBe(BLOCK_SIZE);
    expect(seen).toEqual([MiB, 2 * MiB, 3 * MiB, bytes.byteLength]);
  });

  it("changes the changed block's hash and the id, and no other block's hash", async () => {
    const before = await hashFile(new Blob([bytes]));
    const changed = bytes.slice();
    changed[2 * MiB + 7]! ^= 0x01;
    const after = await hashFile(new Blob([changed]));
    expect(after.blocks[2]).not.toBe(before.blocks[2]);
    expect([after.blocks[0], after.blocks[1], after.blocks[3]]).toEqual([before.blocks[0], before.blocks[1], before.blocks[3]]);
    expect(after.id).not.toBe(before.id);
  });

  it("gives an empty file no blocks and the hash of nothing as its id", async () => {
    const manifest = await hashFile(new Blob([]));
    expect(manifest.blocks).toEqual([]);
    expect(manifest.id).toBe(nodeSha(new Uint8Array(0)));
  });

  it("stops between blocks when aborted", async () => {
    const abort = new AbortController();
    const hashing = hashFile(new Blob([bytes]), { signal: abort.signal, onProgress: () => abort.abort(new Error("stop")) });
    await expect(hashing).rejects.toThrow("stop");
  });
});

describe("verifyBlock", () => {
  it("accepts a block with its announced hash and refuses one changed byte", async () => {
    const block = generatedBytes(BLOCK_SIZE, 7);
    const hash = await sha256Hex(block);
    expect(hash).toBe(nodeSha(block));
    expect(await verifyBlock(block, hash)).toBe(true);
    const bad = block.slice();
    bad[BLOCK_SIZE - 1]! ^= 0x80;
    expect(await verifyBlock(bad, hash)).toBe(false);
  });
});
