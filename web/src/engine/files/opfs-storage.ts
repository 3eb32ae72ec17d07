// Received files on disk, in the origin-private file system, written as blocks arrive so memory
// stays flat whatever the size (FEATURES §6). The writing happens in opfs-worker.ts, the only
// place sync access handles exist; this side keeps the request bookkeeping, the quota check and
// the clean-up, and makes the download link.
//
// Files are named `${Date.now()}-${key}`: a tab that crashed mid-transfer leaves its file behind,
// and the time prefix lets the next page that receives something delete what is over a day old
// without touching files another tab is writing now.

import type { OpfsOp, OpfsRequest, OpfsResults } from "./opfs-worker";
import { giveBuffer } from "./spare-buffers";
import { type FileStorage, NoSpaceError, type StoredFile } from "./storage";

/** Files older than this are left-overs of a crashed tab: no transfer is paused that long. */
export const STALE_AFTER_MS = 24 * 60 * 60 * 1000;
/**
 * Room to spare beyond the file. estimate() is approximate (Chromium updates usage lazily), and
 * other tabs of the app may be writing at the same time.
 */
export const SPACE_MARGIN_BYTES = 64 * 1024 * 1024;
/** Keys become file names: transfer ids are base64url, so anything else is a caller's mistake. */
const SAFE_KEY = /^[A-Za-z0-9_-]{1,128}$/;

/** OPFS cannot be used in this page: the worker did not start, or the browser lacks sync access handles. */
export class OpfsUnavailableError extends Error {
  override readonly name = "OpfsUnavailableError";
}

/** The page's end of the worker. */
export interface WorkerPort {
  post(request: OpfsRequest, transfer: Transferable[]): void;
  terminate(): void;
}

/** Starts the worker; its replies go to `onReply`, and `onFailure` hears that it died or never loaded. */
export type SpawnWorker = (onReply: (data: unknown) => void, onFailure: (message: string) => void) => WorkerPort;

export const spawnOpfsWorker: SpawnWorker = (onReply, onFailure) => {
  // Written out in full so Vite sees the pattern and emits the worker as its own chunk.
  const worker = new Worker(new URL("./opfs-worker.ts", import.meta.url), { type: "module" });
  worker.onmessage = (event) => onReply(event.data);
  worker.onerror = (event) => {
    // A worker that cannot load (a missing chunk, a CSP refusal) fires `error` without a message.
    event.preventDefault();
    onFailure(event.message || "the storage worker failed to load");
  };
  return { post: (request, transfer) => worker.postMessage(request, transfer), terminate: () => worker.terminate() };
};

type Fields<K extends OpfsOp> = Omit<Extract<OpfsRequest, { op: K }>, "id" | "op">;

/** Requests to the worker as promises; one worker, started on the first request. */
export class OpfsClient {
  private port: WorkerPort | null = null;
  private failure: string | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();

  constructor(private readonly spawn: SpawnWorker = spawnOpfsWorker) {}

  request<K extends OpfsOp>(op: K, fields: Fields<K>, transfer: Transferable[] = []): Promise<OpfsResults[K]> {
    if (this.failure === null && this.port === null) {
      try {
        this.port = this.spawn(
          (data) => this.reply(data),
          (message) => this.fail(message),
        );
      } catch (e) {
        this.fail(e instanceof Error ? e.message : String(e));
      }
    }
    if (this.failure !== null) return Promise.reject(new OpfsUnavailableError(this.failure));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.port!.post({ id, op, ...fields } as Extract<OpfsRequest, { op: K }>, transfer);
    });
  }

  /** Requests waiting for their reply. */
  get inFlight(): number {
    return this.pending.size;
  }

  private reply(data: unknown) {
    if (typeof data !== "object" || data === null) return;
    const reply = data as { id?: unknown; ok?: unknown; value?: unknown; error?: { name?: unknown; message?: unknown } };
    const waiting = typeof reply.id === "number" ? this.pending.get(reply.id) : undefined;
    if (!waiting) return;
    this.pending.delete(reply.id as number);
    if (reply.ok === true) waiting.resolve(reply.value);
    else waiting.reject(errorFrom(String(reply.error?.name), String(reply.error?.message)));
  }

  /** The worker is gone for this page: everything waiting fails, and so will every later request. */
  private fail(message: string) {
    this.failure = message;
    this.port?.terminate();
    for (const { reject } of this.pending.values()) reject(new OpfsUnavailableError(message));
    this.pending.clear();
  }
}

/** The worker's error, as the error a caller acts on. */
function errorFrom(name: string, message: string): Error {
  if (name === "QuotaExceededError") return new NoSpaceError(message);
  // No OPFS here, or none for this page (Firefox's private windows refuse getDirectory with a SecurityError).
  if (name === "NotSupportedError" || name === "SecurityError") return new OpfsUnavailableError(`${name}: ${message}`);
  return new DOMException(message, name);
}

type Urls = Pick<typeof URL, "createObjectURL" | "revokeObjectURL">;

export interface OpfsStorageOptions {
  client?: OpfsClient;
  estimate?: () => Promise<StorageEstimate>;
  now?: () => number;
  urls?: Urls;
}

export class OpfsStorage implements FileStorage {
  private readonly client: OpfsClient;
  private readonly estimate: () => Promise<StorageEstimate>;
  private readonly now: () => number;
  private readonly urls: Urls;
  private purged = false;

  constructor(options: OpfsStorageOptions = {}) {
    this.client = options.client ?? new OpfsClient();
    this.estimate = options.estimate ?? (() => navigator.storage.estimate());
    this.now = options.now ?? Date.now;
    this.urls = options.urls ?? URL;
  }

  async open(key: string, size: number, _name: string, type: string): Promise<StoredFile> {
    if (!SAFE_KEY.test(key)) throw new TypeError(`not a storage key: ${JSON.stringify(key)}`);
    if (!this.purged) {
      this.purged = true;
      // Best effort, before the estimate so what it frees counts; only a dead worker matters here.
      await this.client.request("purge", { before: this.now() - STALE_AFTER_MS }).catch((e: unknown) => {
        if (e instanceof OpfsUnavailableError) throw e;
      });
    }
    const { quota, usage } = await this.estimate().catch((): StorageEstimate => ({}));
    if (quota !== undefined && usage !== undefined && quota - usage < size + SPACE_MARGIN_BYTES) {
      throw new NoSpaceError(`${size} bytes do not fit: ${quota - usage} left of the ${quota}-byte quota`);
    }
    const fileName = `${this.now()}-${key}`;
    const handle = await this.client.request("open", { name: fileName, size });
    return new OpfsFile(this.client, handle, fileName, type, this.urls);
  }
}

/**
 * Writes an OPFS file takes before the first settles. The worker runs requests one at a time in
 * the order they came, so they land in call order; four blocks (4 MiB, within the receiver's
 * window) keep the worker busy while replies cross back to the page.
 */
export const OPFS_WRITES_AT_ONCE = 4;

class OpfsFile implements StoredFile {
  readonly writesAtOnce = OPFS_WRITES_AT_ONCE;
  /** open → closed (whole on disk); or gone (aborted or discarded, deleted). */
  private phase: "open" | "closed" | "gone" = "open";
  private removal: Promise<void> | null = null;
  private objectUrl: Promise<string> | null = null;

  constructor(
    private readonly client: OpfsClient,
    private readonly handle: number,
    private readonly fileName: string,
    private readonly type: string,
    private readonly urls: Urls,
  ) {}

  async write(offset: number, bytes: Uint8Array<ArrayBuffer>): Promise<void> {
    if (this.phase !== "open") throw new Error(`write to a ${this.phase} file`);
    // The receiver gives up the block's buffer (sink.ts), so it moves to the worker without a
    // copy when the view is the whole buffer; a view into a larger one is copied first.
    const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice();
    const back = await this.client.request("write", { handle: this.handle, offset, bytes: whole.buffer }, [whole.buffer]);
    // The worker hands the buffer back: the next block is assembled in it.
    if (back instanceof ArrayBuffer) giveBuffer(back);
  }

  async close(): Promise<void> {
    if (this.phase !== "open") throw new Error(`close of a ${this.phase} file`);
    await this.client.request("close", { handle: this.handle });
    this.phase = "closed";
  }

  abort(): Promise<void> {
    this.phase = "gone";
    // The worker closes the handle if it is still open, so this holds after close() too.
    this.removal ??= this.client.request("abort", { handle: this.handle, name: this.fileName }).then(() => undefined);
    return this.removal;
  }

  url(): Promise<string> {
    if (this.phase !== "closed") return Promise.reject(new Error(`no download for a file that is ${this.phase}`));
    // A Blob over the disk-backed File stays on disk: the download streams from OPFS.
    this.objectUrl ??= this.client.request("file", { name: this.fileName }).then(
      (file) => this.urls.createObjectURL(new Blob([file], { type: this.type })),
      (e: unknown) => {
        this.objectUrl = null;
        throw e;
      },
    );
    return this.objectUrl;
  }

  async discard(): Promise<void> {
    const url = this.objectUrl;
    this.objectUrl = null;
    void url?.then((u) => this.urls.revokeObjectURL(u), () => undefined);
    // Never rejects: a file that could not be deleted now is purged after STALE_AFTER_MS.
    await this.abort().catch(() => undefined);
  }
}
