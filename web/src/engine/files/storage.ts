// Where received files live until the person saves them: the contract the files feature uses.
// The browser's implementation (browser-storage.ts) writes to the origin-private file system
// (OPFS) as blocks arrive, so memory stays flat whatever the size, and falls back to memory for
// files up to MEMORY_SINK_MAX_BYTES where there is no OPFS (sink.ts).

import type { FileSink } from "./sink";

/** One received file: written block by block, then offered as a download. */
export interface StoredFile extends FileSink {
  /** After close(): an object URL of the whole file for a download link (disk-backed on OPFS). */
  url(): Promise<string>;
  /** Forgets it: revokes the URL and deletes what is on disk. Safe to call at any time, more than once. */
  discard(): Promise<void>;
}

/** Why storage was refused: no room (quota, or no disk and too big for memory). */
export class NoSpaceError extends Error {
  override readonly name = "NoSpaceError";
}

export interface FileStorage {
  /**
   * Makes room for a file of `size` bytes; rejects with NoSpaceError if there is none. `key` is
   * unique per transfer (the transfer id); `name` and `type` are the offer's, for the download.
   */
  open(key: string, size: number, name: string, type: string): Promise<StoredFile>;
}
