// A recording's file in the origin-private file system, `recordings/<name>`, written by
// opfs-sink-worker.ts (see there why a worker). One worker per recording, ended on close.

import type { SliceSink } from "./slice-writer";
import type { SinkReply, SinkRequest } from "./opfs-sink-worker";

export const RECORDINGS_DIR = "recordings";

type Body = SinkRequest extends infer R ? (R extends SinkRequest ? Omit<R, "id"> : never) : never;

export class OpfsSink implements SliceSink {
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve(): void; reject(error: Error): void }>();
  private failure: string | null = null;

  private constructor(
    private readonly worker: Worker,
    readonly name: string,
  ) {
    worker.onmessage = (event: MessageEvent<SinkReply>) => {
      const reply = event.data;
      const entry = this.waiting.get(reply.id);
      if (!entry) return;
      this.waiting.delete(reply.id);
      if (reply.ok) entry.resolve();
      else entry.reject(new Error(reply.error));
    };
    worker.onerror = (event) => {
      // A worker that cannot load (a missing chunk, a CSP refusal) fires `error` without a message.
      event.preventDefault();
      this.fail(event.message || "the recording's storage worker failed to load");
    };
  }

  /** Creates `recordings/<name>` and opens it for writing. */
  static async create(name: string): Promise<OpfsSink> {
    // Written out in full so Vite sees the pattern and emits the worker as its own chunk.
    const worker = new Worker(new URL("./opfs-sink-worker.ts", import.meta.url), { type: "module" });
    const sink = new OpfsSink(worker, name);
    try {
      await sink.request({ op: "open", dir: RECORDINGS_DIR, name });
    } catch (e) {
      worker.terminate();
      throw e;
    }
    return sink;
  }

  append(slice: Blob): Promise<void> {
    return this.request({ op: "append", slice });
  }

  writeAt(position: number, bytes: Uint8Array): Promise<void> {
    return this.request({ op: "writeAt", position, bytes });
  }

  async close(): Promise<File> {
    try {
      await this.request({ op: "close" });
    } finally {
      this.worker.terminate();
    }
    return (await recordingHandle(this.name)).getFile();
  }

  async abort(): Promise<void> {
    await this.request({ op: "close" }).catch(() => undefined);
    this.worker.terminate();
  }

  private request(body: Body): Promise<void> {
    if (this.failure !== null) return Promise.reject(new Error(this.failure));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.worker.postMessage({ ...body, id } as SinkRequest);
    });
  }

  private fail(message: string): void {
    this.failure = message;
    for (const entry of this.waiting.values()) entry.reject(new Error(message));
    this.waiting.clear();
  }
}

export async function recordingsDir(): Promise<FileSystemDirectoryHandle> {
  const root = await navigator.storage.getDirectory();
  return root.getDirectoryHandle(RECORDINGS_DIR, { create: true });
}

export async function recordingHandle(name: string): Promise<FileSystemFileHandle> {
  return (await recordingsDir()).getFileHandle(name);
}
