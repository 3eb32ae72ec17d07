// Integrity without a streaming digest. crypto.subtle.digest takes a whole buffer, and a
// streaming SHA-256 is still a proposal (w3c/webcrypto#73, its PR #390), so a file is hashed
// as 1 MiB blocks, each read on its own (blob.slice().arrayBuffer()): memory holds one block
// whatever the file's size. The file id is the SHA-256 of the block hashes, so one 32-byte value
// names the exact bytes, and each block can be verified, acked and resumed on its own.
//
// The id is computed over the raw 32-byte digests concatenated in block order (not their hex).

/** Integrity is checked, acknowledged and resumed per block of this size (FEATURES §6). */
export const BLOCK_SIZE = 1024 * 1024;

export interface FileManifest {
  /** Hex SHA-256 of the concatenated raw block digests. */
  id: string;
  size: number;
  blockSize: number;
  /** Hex SHA-256 of each block, in order; empty for an empty file. */
  blocks: string[];
}

export const blockCount = (size: number, blockSize: number): number => Math.ceil(size / blockSize);

/** Bytes in block `index`: blockSize, except the last, which holds the rest. */
export const blockBytes = (size: number, index: number, blockSize: number): number => Math.max(0, Math.min(blockSize, size - index * blockSize));

/** Bytes in blocks [0, count): where block `count` starts, or the size. */
export const bytesBefore = (size: number, count: number, blockSize: number): number => Math.min(size, count * blockSize);

export function readBlock(file: Blob, index: number, blockSize: number): Promise<ArrayBuffer> {
  const start = index * blockSize;
  return file.slice(start, Math.min(file.size, start + blockSize)).arrayBuffer();
}

const toHex = (digest: ArrayBuffer): string => Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");

export async function sha256Hex(bytes: ArrayBuffer | Uint8Array<ArrayBuffer>): Promise<string> {
  return toHex(await crypto.subtle.digest("SHA-256", bytes));
}

/** The file id of a block-hash list. */
export async function fileIdOf(blockHashes: readonly string[]): Promise<string> {
  const raw = new Uint8Array(blockHashes.length * 32);
  blockHashes.forEach((hex, i) => {
    for (let j = 0; j < 32; j++) raw[i * 32 + j] = parseInt(hex.slice(j * 2, j * 2 + 2), 16);
  });
  return sha256Hex(raw);
}

export const verifyBlock = async (bytes: ArrayBuffer | Uint8Array<ArrayBuffer>, expectedHex: string): Promise<boolean> =>
  (await sha256Hex(bytes)) === expectedHex;

export interface HashOptions {
  /** BLOCK_SIZE unless a test wants small blocks. */
  blockSize?: number;
  /** After each block, the bytes hashed so far (a 2 GiB file takes a while). */
  onProgress?: (bytesHashed: number) => void;
  /** Stops between blocks; hashFile then rejects with the signal's reason. */
  signal?: AbortSignal;
}

/** Reads and hashes `file` one block at a time. */
export async function hashFile(file: Blob, options: HashOptions = {}): Promise<FileManifest> {
  const blockSize = options.blockSize ?? BLOCK_SIZE;
  const blocks: string[] = [];
  for (let i = 0; i < blockCount(file.size, blockSize); i++) {
    options.signal?.throwIfAborted();
    blocks.push(await sha256Hex(await readBlock(file, i, blockSize)));
    options.onProgress?.(bytesBefore(file.size, i + 1, blockSize));
  }
  options.signal?.throwIfAborted();
  return { id: await fileIdOf(blocks), size: file.size, blockSize, blocks };
}
