// Where this browser puts a received file, chosen per file:
//
// 1. OPFS (opfs-storage.ts), written to disk as blocks arrive: memory stays flat, and the size is
//    bounded only by the origin's quota. Every current engine has it in a worker (Chromium 102,
//    Firefox 111, Safari 15.2), but not every context: Firefox's private windows refuse it, and a
//    worker can fail to load. The first failure other than "no space" turns it off for the page:
//    from here we cannot tell a broken OPFS from a missing one, and retrying would cost every
//    later transfer a failing round-trip first.
// 2. Memory (MemorySink) for what fits in MEMORY_SINK_MAX_BYTES, counted over all the files held
//    at once (FEATURES §6: at most 500 MB in RAM, not 500 MB per file). It also takes a file that
//    OPFS has no quota for: a private window's quota is small, and such a file may well fit here.
// 3. Otherwise NoSpaceError: the receiver declines with "no-space" before a byte is sent.
//
// Not showSaveFilePicker: it is Chromium's only, asks a second question per file, and cannot be
// driven in a headless test; OPFS works in all three engines without asking.

import { MemorySink, MEMORY_SINK_MAX_BYTES } from "./sink";
import { OpfsStorage } from "./opfs-storage";
import { type FileStorage, NoSpaceError, type StoredFile } from "./storage";

type Urls = Pick<typeof URL, "createObjectURL" | "revokeObjectURL">;

export interface BrowserStorageOptions {
  /** The disk store, or null where the page has none. */
  opfs: FileStorage | null;
  memoryMaxBytes?: number;
  urls?: Urls;
}

export class BrowserStorage implements FileStorage {
  private opfs: FileStorage | null;
  private readonly memoryMaxBytes: number;
  private readonly urls: Urls;
  private memoryInUse = 0;

  constructor(options: BrowserStorageOptions) {
    this.opfs = options.opfs;
    this.memoryMaxBytes = options.memoryMaxBytes ?? MEMORY_SINK_MAX_BYTES;
    this.urls = options.urls ?? URL;
  }

  /** Whether files still go to disk (false once OPFS failed in this page, or where there is none). */
  get onDisk(): boolean {
    return this.opfs !== null;
  }

  /** Bytes of memory files held now (open, or closed and waiting for their download). */
  get memoryBytes(): number {
    return this.memoryInUse;
  }

  async open(key: string, size: number, name: string, type: string): Promise<StoredFile> {
    let noSpace: NoSpaceError | null = null;
    if (this.opfs) {
      try {
        return await this.opfs.open(key, size, name, type);
      } catch (e) {
        if (e instanceof NoSpaceError) noSpace = e;
        else this.opfs = null;
      }
    }
    if (this.memoryInUse + size > this.memoryMaxBytes) {
      throw noSpace ?? new NoSpaceError(`${size} bytes do not fit in memory (${this.memoryInUse} of ${this.memoryMaxBytes} held) and there is no disk storage`);
    }
    this.memoryInUse += size;
    return new MemoryFile(size, type, this.urls, () => (this.memoryInUse -= size));
  }
}

/** A file held in memory until it is discarded; its share of the memory budget goes back then. */
class MemoryFile implements StoredFile {
  private readonly sink: MemorySink;
  private objectUrl: string | null = null;
  private gone = false;

  constructor(
    size: number,
    type: string,
    private readonly urls: Urls,
    private readonly release: () => void,
  ) {
    // The budget was checked by the storage; the sink still refuses a write past `size`.
    this.sink = new MemorySink(size, type, Infinity);
  }

  write(offset: number, bytes: Uint8Array<ArrayBuffer>): Promise<void> {
    return this.sink.write(offset, bytes);
  }

  close(): Promise<void> {
    return this.sink.close();
  }

  async abort(): Promise<void> {
    await this.sink.abort();
    this.forget();
  }

  async url(): Promise<string> {
    const blob = this.sink.blob();
    if (this.gone || !blob) throw new Error("no download for a memory file that is not closed, or discarded");
    this.objectUrl ??= this.urls.createObjectURL(blob);
    return this.objectUrl;
  }

  async discard(): Promise<void> {
    if (this.objectUrl) this.urls.revokeObjectURL(this.objectUrl);
    this.objectUrl = null;
    await this.sink.abort();
    this.forget();
  }

  private forget() {
    if (this.gone) return;
    this.gone = true;
    this.release();
  }
}

let pageStorage: FileStorage | null = null;

/** The page's storage: OPFS through one worker where the browser has it, else memory. */
export function browserFileStorage(): FileStorage {
  pageStorage ??= new BrowserStorage({ opfs: typeof navigator.storage?.getDirectory === "function" ? new OpfsStorage() : null });
  return pageStorage;
}
