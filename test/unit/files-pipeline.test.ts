// The overlaps that keep a transfer moving: the receiver hashes each block as soon as it is whole,
// while an earlier block is still being written, and hands a sink that orders its own writes
// several at once; the sender reads and hashes the next blocks while it sends this one. Without
// them every block's disk work and hash stood in line before its ack.

import { afterEach, describe, expect, it, vi } from "vitest";
import { BLOCK_SIZE, hashFile } from "../../web/src/engine/files/blocks";
import type { FileChannel } from "../../web/src/engine/files/channel";
import { FileReceiver } from "../../web/src/engine/files/receiver";
import { generatedBytes, MiB, sameBytes, TestSink, transferPair, until } from "./files-fakes";

/** A sink whose first write waits until released; `calls` are the writes as they were called. */
class HeldSink extends TestSink {
  readonly calls: number[] = [];
  private release: (() => void) | null = null;
  private readonly held = new Promise<void>((resolve) => (this.release = resolve));
  private first = true;
  writing = false;
  override async write(offset: number, bytes: Uint8Array<ArrayBuffer>): Promise<void> {
    this.calls.push(offset);
    if (this.first) {
      this.first = false;
      this.writing = true;
      await this.held;
    }
    return super.write(offset, bytes);
  }
  letGo() {
    this.release!();
  }
}

/** A HeldSink that takes three writes at once and, as its contract says, settles them in call order. */
class OrderedHeldSink extends HeldSink {
  readonly writesAtOnce = 3;
  private last: Promise<void> = Promise.resolve();
  /** Writes as they were handed over (HeldSink's `calls` are those it has begun). */
  readonly handed: number[] = [];
  override write(offset: number, bytes: Uint8Array<ArrayBuffer>): Promise<void> {
    this.handed.push(offset);
    const done = this.last.then(() => super.write(offset, bytes));
    this.last = done.catch(() => undefined);
    return done;
  }
}

afterEach(() => vi.restoreAllMocks());

/** A receiver that has accepted `bytes`' offer into `sink`; `feed()` delivers every block (1 MiB each) in 256 KiB chunks. */
async function accepted(bytes: Uint8Array<ArrayBuffer>, sink: TestSink) {
  const manifest = await hashFile(new Blob([bytes]));
  const sent: Array<Record<string, unknown>> = [];
  const channel: FileChannel = {
    bufferedAmount: 0,
    bufferedAmountLowThreshold: 0,
    send: (data) => void (typeof data === "string" && sent.push(JSON.parse(data))),
    onBufferedAmountLow: () => () => undefined,
    close: () => undefined,
  };
  const receiver = new FileReceiver({ channel });
  receiver.receive(JSON.stringify({ type: "offer", id: manifest.id, name: "f.bin", size: bytes.byteLength, mime: "", blockSize: BLOCK_SIZE, blocks: manifest.blocks }));
  await until(() => receiver.phase === "offered");
  receiver.accept(sink);
  const feed = () => {
    for (let index = 0; index < bytes.byteLength / MiB; index++) {
      receiver.receive(JSON.stringify({ type: "block", index, bytes: MiB }));
      for (let at = 0; at < MiB; at += 256 * 1024) receiver.receive(bytes.slice(index * MiB + at, index * MiB + at + 256 * 1024).buffer);
    }
  };
  return { receiver, sent, feed };
}

describe("the receiver", () => {
  it("hashes blocks that arrive while an earlier one is still being written, and writes them in order", async () => {
    const bytes = generatedBytes(4 * MiB, 7);
    const sink = new HeldSink(bytes.byteLength);
    const { receiver, sent, feed } = await accepted(bytes, sink);
    // From here on only blocks are digested (the offer's id was checked above).
    const digest = vi.spyOn(crypto.subtle, "digest");
    feed();
    await until(() => sink.writing);
    // Block 0's write is held; blocks 1–3 came meanwhile and each was hashed at once.
    await until(() => digest.mock.calls.length === 4);
    expect(sink.writes).toEqual([]);
    expect(sent.filter((m) => m.type === "ack")).toEqual([]);
    sink.letGo();
    await until(() => receiver.phase === "done");
    expect(sink.writes).toEqual([0, 1, 2, 3].map((i) => i * MiB));
    expect(sent.filter((m) => m.type === "ack").map((m) => m.block)).toEqual([0, 1, 2, 3]);
    expect(sameBytes(await sink.bytes(), bytes)).toBe(true);
    // One digest per block: a block is not hashed again when its turn to be written comes.
    expect(digest.mock.calls.length).toBe(4);
    // One write at a time for a sink that does not say it takes more.
    expect(sink.calls).toEqual([0, 1, 2, 3].map((i) => i * MiB));
  });

  it("hands a sink that takes writes at once the next blocks while the first is still being written, and acks in order", async () => {
    const bytes = generatedBytes(4 * MiB, 8);
    const sink = new OrderedHeldSink(bytes.byteLength);
    const { receiver, sent, feed } = await accepted(bytes, sink);
    feed();
    // Block 0's write is held; blocks 1 and 2 were handed over behind it (3 at once), block 3 waits for a slot.
    await until(() => sink.handed.length === 3);
    await new Promise((r) => setTimeout(r, 50));
    expect(sink.handed).toEqual([0, 1, 2].map((i) => i * MiB));
    expect(sink.calls).toEqual([0]);
    expect(sent.filter((m) => m.type === "ack")).toEqual([]);
    // Held in memory: the three handed over and the one waiting, within the window.
    expect(receiver.heldBytes).toBe(4 * MiB);
    sink.letGo();
    await until(() => receiver.phase === "done");
    expect(sink.handed).toEqual([0, 1, 2, 3].map((i) => i * MiB));
    expect(sent.filter((m) => m.type === "ack").map((m) => m.block)).toEqual([0, 1, 2, 3]);
    expect(receiver.heldBytes).toBe(0);
    expect(sameBytes(await sink.bytes(), bytes)).toBe(true);
  });
});

describe("the sender", () => {
  it("starts reading and hashing the next two blocks when it takes one, and reads each block once", async () => {
    const bytes = generatedBytes(3 * MiB + 5, 9);
    const t = await transferPair(bytes);
    const reads: number[] = [];
    /** How many block headers had gone out when each read began. */
    const headersSent: number[] = [];
    const slice = Blob.prototype.slice;
    vi.spyOn(t.file, "slice").mockImplementation(function (this: Blob, start?: number, end?: number, type?: string) {
      reads.push(start ?? 0);
      headersSent.push(t.link.a.controls.filter((m) => m.type === "block").length);
      return slice.call(this, start, end, type);
    });
    t.sender.start();
    expect(await t.senderEnd).toEqual({ ok: true });
    expect(reads).toEqual([0, 1, 2, 3].map((i) => i * MiB));
    // Blocks 1 and 2 were read before block 0's header went out, so they overlapped block 0's
    // hash and send; block 3's read began when block 1 was taken, after block 0 had gone out.
    expect(headersSent).toEqual([0, 0, 0, 1]);
  });
});
