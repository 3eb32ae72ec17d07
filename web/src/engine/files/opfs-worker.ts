// The dedicated worker that owns received files' OPFS sync access handles (FEATURES §6).
//
// createSyncAccessHandle() exists only in dedicated workers. It is the fast OPFS path: a write
// goes to disk at an offset, with no copy of the file kept anywhere and no swap file, so blocks
// that arrive out of order or again after a resume land where they belong and memory stays flat.
//
// The protocol below is the only thing the page (opfs-storage.ts) and this worker share. It talks
// to our own page only, so requests are checked for shape, not distrusted field by field. Requests
// run one at a time, in the order they came: an abort or close never overtakes a write before it.

/** Everything we write lives in this directory of the origin's OPFS root. */
export const RECEIVED_DIR = "roomlink-received";

export type OpfsRequest =
  /** Creates `name`, opens its sync access handle and sizes the file; answers the handle id. */
  | { id: number; op: "open"; name: string; size: number }
  /** Writes `bytes` (transferred to us) at `offset`; answers the same buffer, transferred back. */
  | { id: number; op: "write"; handle: number; offset: number; bytes: ArrayBuffer }
  /** Flushes and closes the handle: the file is whole. */
  | { id: number; op: "close"; handle: number }
  /** Closes the handle if it is still open, and deletes the file (gone already is fine). */
  | { id: number; op: "abort"; handle: number; name: string }
  /** The file as a disk-backed File (for a download), once its handle is closed. */
  | { id: number; op: "file"; name: string }
  /** Deletes files whose name's time prefix (ms since the epoch) is before `before`; answers how many. */
  | { id: number; op: "purge"; before: number };

export type OpfsOp = OpfsRequest["op"];

/** What each request answers on success. */
export interface OpfsResults {
  open: number;
  write: ArrayBuffer;
  close: null;
  abort: null;
  file: File;
  purge: number;
}

export type OpfsReply =
  | { id: number; ok: true; value: OpfsResults[OpfsOp] }
  /** `name` is the DOMException's: QuotaExceededError means no space, NotSupportedError no OPFS here. */
  | { id: number; ok: false; error: { name: string; message: string } };

// lib.dom (this worker is type-checked with the web app) lacks the worker-only parts we use;
// declared here rather than pulling lib.webworker in, whose globals clash with the DOM's.
interface SyncAccessHandle {
  write(buffer: Uint8Array, options: { at: number }): number;
  truncate(size: number): void;
  flush(): void;
  close(): void;
}
interface WorkerScope {
  onmessage: ((event: MessageEvent<unknown>) => void) | null;
  postMessage(reply: OpfsReply, transfer?: Transferable[]): void;
}
type Request<K extends OpfsOp> = Extract<OpfsRequest, { op: K }>;

const open = new Map<number, { name: string; access: SyncAccessHandle }>();
let nextHandle = 1;

async function receivedDir(): Promise<FileSystemDirectoryHandle> {
  if (typeof navigator.storage?.getDirectory !== "function") throw new DOMException("no OPFS in this browser", "NotSupportedError");
  const root = await navigator.storage.getDirectory();
  return root.getDirectoryHandle(RECEIVED_DIR, { create: true });
}

function handleOf(id: number) {
  const entry = open.get(id);
  if (!entry) throw new DOMException(`no open file ${id}`, "InvalidStateError");
  return entry;
}

const handlers: { [K in OpfsOp]: (request: Request<K>) => Promise<OpfsResults[K]> | OpfsResults[K] } = {
  async open({ name, size }) {
    const dir = await receivedDir();
    const file = await dir.getFileHandle(name, { create: true });
    const create = (file as FileSystemFileHandle & { createSyncAccessHandle?: () => Promise<SyncAccessHandle> }).createSyncAccessHandle;
    if (typeof create !== "function") {
      await dir.removeEntry(name);
      throw new DOMException("no createSyncAccessHandle in this browser", "NotSupportedError");
    }
    const access = await create.call(file);
    try {
      // Sized up front so estimate() counts the whole file at once (Chromium does, measured):
      // another transfer opening meanwhile sees the space as taken. Truncating past the quota
      // is not refused by Chromium, so the page checks the estimate before opening.
      access.truncate(size);
    } catch (e) {
      access.close();
      await dir.removeEntry(name).catch(() => undefined);
      throw e;
    }
    const id = nextHandle++;
    open.set(id, { name, access });
    return id;
  },

  write({ handle, offset, bytes }) {
    const written = handleOf(handle).access.write(new Uint8Array(bytes), { at: offset });
    // A short write is a full disk on the platforms that report one instead of throwing.
    if (written !== bytes.byteLength) throw new DOMException(`wrote ${written} of ${bytes.byteLength} bytes at ${offset}`, "QuotaExceededError");
    return bytes;
  },

  close({ handle }) {
    const { access } = handleOf(handle);
    access.flush();
    access.close();
    // Only once closed: if flushing failed, the page's abort still finds the handle to close.
    open.delete(handle);
    return null;
  },

  async abort({ handle, name }) {
    // The handle may be closed already (a discard after close, or an abort racing a close).
    const entry = open.get(handle);
    if (entry?.name === name) {
      open.delete(handle);
      entry.access.close();
    }
    try {
      await (await receivedDir()).removeEntry(name);
    } catch (e) {
      if (!(e instanceof DOMException && e.name === "NotFoundError")) throw e;
    }
    return null;
  },

  async file({ name }) {
    return (await (await receivedDir()).getFileHandle(name)).getFile();
  },

  async purge({ before }) {
    const dir = await receivedDir();
    // Listed first, removed after: removing entries while iterating a directory is unspecified.
    const stale: string[] = [];
    for await (const [name, entry] of dir.entries()) {
      const stamp = /^(\d+)-/.exec(name)?.[1];
      if (entry.kind === "file" && stamp !== undefined && Number(stamp) < before) stale.push(name);
    }
    let removed = 0;
    for (const name of stale) {
      // Another tab may still hold an old file open (a very long transfer): its lock refuses the
      // removal, and the next purge tries again.
      await dir.removeEntry(name).then(
        () => removed++,
        () => undefined,
      );
    }
    return removed;
  },
};

const isInt = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
const isName = (v: unknown): v is string => typeof v === "string" && v.length > 0 && v.length <= 255;

/** The request's shape, or null; fields are checked where a mistake would write to the wrong place. */
function parse(data: unknown): OpfsRequest | null {
  if (typeof data !== "object" || data === null) return null;
  const r = data as Record<string, unknown>;
  if (!isInt(r.id) || typeof r.op !== "string" || !Object.hasOwn(handlers, r.op)) return null;
  const ok =
    r.op === "open" ? isName(r.name) && isInt(r.size)
    : r.op === "write" ? isInt(r.handle) && isInt(r.offset) && r.bytes instanceof ArrayBuffer
    : r.op === "abort" ? isInt(r.handle) && isName(r.name)
    : r.op === "file" ? isName(r.name)
    : r.op === "purge" ? isInt(r.before)
    : isInt(r.handle);
  return ok ? (r as OpfsRequest) : null;
}

function errorOf(e: unknown): { name: string; message: string } {
  return e instanceof Error ? { name: e.name, message: e.message } : { name: "Error", message: String(e) };
}

async function run(request: OpfsRequest): Promise<OpfsReply> {
  try {
    const handler = handlers[request.op] as (r: OpfsRequest) => Promise<OpfsResults[OpfsOp]> | OpfsResults[OpfsOp];
    return { id: request.id, ok: true, value: await handler(request) };
  } catch (e) {
    return { id: request.id, ok: false, error: errorOf(e) };
  }
}

// `self` is typed as a Window under lib.dom; in this file it is the dedicated worker's scope.
const scope = self as unknown as WorkerScope;
let queue = Promise.resolve();
scope.onmessage = (event) => {
  const request = parse(event.data);
  if (!request) {
    const id = (event.data as { id?: unknown } | null)?.id;
    scope.postMessage({ id: isInt(id) ? id : -1, ok: false, error: { name: "TypeError", message: "malformed request" } });
    return;
  }
  // A written block's buffer goes back with the reply (also when the write failed), for the page
  // to use again (spare-buffers.ts) or free. Kept here, it would wait for this worker's GC, which
  // comes late: the worker allocates next to nothing on its own heap, so V8 collects only at its
  // external-memory limit. Measured in Chromium: ~50 MiB of written blocks waiting, most of the
  // receiving page's growth during a 200 MiB file.
  const giveBack = request.op === "write" ? [request.bytes] : [];
  // run() never rejects; the catch keeps the queue going even if posting a reply should throw.
  queue = queue.then(() => run(request)).then((reply) => scope.postMessage(reply, giveBack)).catch(() => undefined);
};
