// The OPFS side of a recording, in a worker because that is the only place sync access handles
// exist. Why not a FileSystemWritableFileStream, as for a picked file? Chromium writes those to a
// hidden swap file and moves it into place only on close(): a tab that crashes or is closed
// mid-recording would leave an empty file, and the leftovers (index.ts) would have nothing to
// offer. A sync access handle writes into the file itself; flush() after each slice makes what
// is written survive the page.

import { READ_BUFFER_BYTES, readSlice } from "./slice-reader";

// lib.dom lacks the worker-only parts used here; declared below rather than pulling lib.webworker
// in, whose globals clash with the DOM's (as in files/opfs-worker.ts).

export type SinkRequest =
  | { id: number; op: "open"; dir: string; name: string }
  | { id: number; op: "append"; slice: Blob }
  | { id: number; op: "writeAt"; position: number; bytes: Uint8Array }
  | { id: number; op: "close" };

export type SinkReply = { id: number; ok: true } | { id: number; ok: false; error: string };

interface SyncHandle {
  write(buffer: ArrayBuffer | ArrayBufferView, options?: { at?: number }): number;
  truncate(size: number): void;
  flush(): void;
  close(): void;
}

const scope = self as unknown as { onmessage: ((event: MessageEvent<SinkRequest>) => void) | null; postMessage(reply: SinkReply): void };
let handle: SyncHandle | null = null;
let end = 0;
/** Every slice is read through this one buffer (readSlice hands it back, transferred). */
let buffer = new ArrayBuffer(READ_BUFFER_BYTES);
// Requests are handled one at a time, in order: a slice's arrayBuffer() must not let the next one overtake it.
let chain: Promise<void> = Promise.resolve();

async function run(request: SinkRequest): Promise<void> {
  switch (request.op) {
    case "open": {
      const root = await navigator.storage.getDirectory();
      const dir = await root.getDirectoryHandle(request.dir, { create: true });
      const file = await dir.getFileHandle(request.name, { create: true });
      try {
        handle = await (file as unknown as { createSyncAccessHandle(): Promise<SyncHandle> }).createSyncAccessHandle();
      } catch (e) {
        // The name was claimed free (leftovers.ts), so the file is the one just created: an
        // empty file nobody can write must not be listed as a leftover later.
        await dir.removeEntry(request.name).catch(() => undefined);
        throw e;
      }
      // Writes go at `end`, counted from 0: a file that already had bytes would keep its tail past
      // the recording's end and not play.
      handle.truncate(0);
      handle.flush();
      end = 0;
      return;
    }
    case "append": {
      // Through the one buffer (slice-reader.ts: a buffer per slice stayed in memory uncollected).
      buffer = await readSlice(request.slice, buffer, (bytes) => {
        let at = 0;
        // write() may write less than asked (a full disk); what it did write stays.
        while (at < bytes.length) {
          const n = open().write(bytes.subarray(at), { at: end });
          if (n <= 0) throw new Error("the disk took no more bytes");
          at += n;
          end += n;
        }
      });
      open().flush();
      return;
    }
    case "writeAt":
      open().write(request.bytes, { at: request.position });
      open().flush();
      return;
    case "close":
      handle?.flush();
      handle?.close();
      handle = null;
      return;
    default:
      request satisfies never;
  }
}

function open(): SyncHandle {
  if (!handle) throw new Error("the file is not open");
  return handle;
}

scope.onmessage = (event) => {
  const request = event.data;
  chain = chain.then(async () => {
    try {
      await run(request);
      scope.postMessage({ id: request.id, ok: true });
    } catch (e) {
      scope.postMessage({ id: request.id, ok: false, error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) });
    }
  });
};
