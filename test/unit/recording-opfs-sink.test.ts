// The OPFS sink's page side (web/src/engine/recording/opfs-sink.ts) with a fake worker: it never
// leaves a request hanging, whether the worker was ended by close(), stopped answering (a worker
// killed for memory fires no event) or could not open the file.

import { describe, expect, it } from "vitest";
import { OpfsSink, type SinkWorker } from "../../web/src/engine/recording/opfs-sink";
import type { SinkReply, SinkRequest } from "../../web/src/engine/recording/opfs-sink-worker";

/** A worker that answers each request with `answer` (or never, when it returns null). */
class FakeWorker implements SinkWorker {
  onmessage: ((this: Worker, event: MessageEvent) => void) | null = null;
  onerror: ((this: AbstractWorker, event: ErrorEvent) => void) | null = null;
  readonly seen: string[] = [];
  terminated = 0;
  constructor(private readonly answer: (request: SinkRequest) => SinkReply | null) {}
  postMessage(message: unknown): void {
    const request = message as SinkRequest;
    this.seen.push(request.op);
    if (this.terminated > 0) return; // a dead worker hears nothing
    const reply = this.answer(request);
    if (reply) queueMicrotask(() => this.onmessage?.call(this as unknown as Worker, { data: reply } as MessageEvent));
  }
  terminate(): void {
    this.terminated++;
  }
}

const ok = (r: SinkRequest): SinkReply => ({ id: r.id, ok: true });

describe("OPFS sink", () => {
  it("refuses every request once close() has ended the worker, and abort() still settles", async () => {
    const worker = new FakeWorker((r) => (r.op === "close" ? { id: r.id, ok: false, error: "InvalidStateError: closed" } : ok(r)));
    const sink = await OpfsSink.create("a.webm", { worker: () => worker });
    await sink.append(new Blob([new Uint8Array(10)]));
    await expect(sink.close()).rejects.toThrow(/closed/);
    expect(worker.terminated).toBeGreaterThan(0);
    await expect(sink.append(new Blob([new Uint8Array(10)]))).rejects.toThrow();
    await expect(sink.abort()).resolves.toBeUndefined();
    // Nothing was posted to the ended worker.
    expect(worker.seen).toEqual(["open", "append", "close"]);
  });

  it("fails a request the worker never answers, ends the worker, and fails the ones after", async () => {
    const worker = new FakeWorker((r) => (r.op === "append" ? null : ok(r)));
    const sink = await OpfsSink.create("b.webm", { worker: () => worker, timeoutMs: 20 });
    await expect(sink.append(new Blob([new Uint8Array(10)]))).rejects.toThrow(/did not answer/);
    expect(worker.terminated).toBeGreaterThan(0);
    await expect(sink.writeAt(0, new Uint8Array(4))).rejects.toThrow(/did not answer/);
    await expect(sink.abort()).resolves.toBeUndefined();
  });

  it("ends the worker when the file cannot be opened", async () => {
    const worker = new FakeWorker((r) => ({ id: r.id, ok: false, error: "NoModificationAllowedError: locked" }));
    await expect(OpfsSink.create("c.webm", { worker: () => worker })).rejects.toThrow(/locked/);
    expect(worker.terminated).toBe(1);
  });
});
