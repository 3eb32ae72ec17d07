// A recording's file in the origin-private file system, `recordings/<name>`, written by
// opfs-sink-worker.ts (see there why a worker). One worker per recording, ended on close.

import type { SliceSink } from "./slice-writer";
import type { SinkReply, SinkRequest } from "./opfs-sink-worker";

export const RECORDINGS_DIR = "recordings";

type Body = SinkRequest extends infer R ? (R extends SinkRequest ? Omit<R, "id"> : never) : never;

/**
 * How long one request may take before the worker counts as gone. A worker killed for memory
 * fires no `error` event, so without this an append would wait forever and the recording would
 * never save. A slice is about 650 KB: a minute is far beyond any disk that still works.
 */
export const REQUEST_TIMEOUT_MS = 60_000;

/** The part of Worker the sink uses (test/unit/recording-opfs-sink.test.ts injects a fake). */
export type SinkWorker = Pick<Worker, "postMessage" | "terminate" | "onmessage" | "onerror">;

export interface OpfsSinkOptions {
  worker?: () => SinkWorker;
  timeoutMs?: number;
}

// Written out in full so Vite sees the pattern and emits the worker as its own chunk.
const startWorker = (): SinkWorker => new Worker(new URL("./opfs-sink-worker.ts", import.meta.url), { type: "module" });

export class OpfsSink implements SliceSink {
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve(): void; reject(error: Error): void; timer: ReturnType<typeof setTimeout> }>();
  private failure: string | null = null;

  private constructor(
    private readonly worker: SinkWorker,
    readonly name: string,
    private readonly timeoutMs: number,
  ) {
    worker.onmessage = (event: MessageEvent<SinkReply>) => {
      const reply = event.data;
      const entry = this.waiting.get(reply.id);
      if (!entry) return;
      this.waiting.delete(reply.id);
      clearTimeout(entry.timer);
      if (reply.ok) entry.resolve();
      else entry.reject(new Error(reply.error));
    };
    worker.onerror = (event) => {
      // A worker that cannot load (a missing chunk, a CSP refusal) fires `error` without a message.
      event.preventDefault();
      this.end(event.message || "the recording's storage worker failed to load");
    };
  }

  /** Creates `recordings/<name>` (empty) and opens it for writing. */
  static async create(name: string, options: OpfsSinkOptions = {}): Promise<OpfsSink> {
    const sink = new OpfsSink((options.worker ?? startWorker)(), name, options.timeoutMs ?? REQUEST_TIMEOUT_MS);
    try {
      await sink.request({ op: "open", dir: RECORDINGS_DIR, name });
    } catch (e) {
      sink.end("the recording's file could not be opened");
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
      this.end("the recording's file is closed");
    }
    return (await recordingHandle(this.name)).getFile();
  }

  async abort(): Promise<void> {
    // After close() or a failure the worker is gone: nothing to ask it, and nothing would answer.
    await this.request({ op: "close" }).catch(() => undefined);
    this.end("the recording's file is closed");
  }

  private request(body: Body): Promise<void> {
    if (this.failure !== null) return Promise.reject(new Error(this.failure));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      // A worker that stops answering is a failed disk: every request fails, and the worker is
      // ended so its sync access handle lets go of the file (the recorder reads back what is there).
      const timer = setTimeout(() => this.end(`the recording's storage worker did not answer in ${this.timeoutMs} ms`), this.timeoutMs);
      this.waiting.set(id, { resolve, reject, timer });
      this.worker.postMessage({ ...body, id } as SinkRequest);
    });
  }

  /** Ends the worker; every request waiting, and every later one, fails with `message`. */
  private end(message: string): void {
    this.fail(message);
    this.worker.terminate();
  }

  private fail(message: string): void {
    this.failure ??= message;
    for (const entry of this.waiting.values()) {
      clearTimeout(entry.timer);
      entry.reject(new Error(message));
    }
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
