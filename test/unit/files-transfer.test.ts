// A sender and a receiver over an in-memory channel pair: a whole file, backpressure and bounded
// memory, a corrupted chunk fetched again, a cut and a resume from the last verified block,
// decline, and cancel from either side.

import { describe, expect, it } from "vitest";
import { BLOCK_SIZE, hashFile } from "../../web/src/engine/files/blocks";
import { HIGH_WATER_BYTES, LOW_WATER_BYTES } from "../../web/src/engine/files/channel";
import type { ResumeRecord } from "../../web/src/engine/files/resume";
import { BLOCK_WINDOW } from "../../web/src/engine/files/wire";
import { generatedBytes, headers, MiB, sameBytes, settle, TestSink, transferPair, until } from "./files-fakes";

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

describe("a whole transfer", () => {
  it("delivers a file that verifies, with progress on both sides", async () => {
    const bytes = generatedBytes(5 * MiB + 123);
    const t = await transferPair(bytes);
    t.sender.start();
    expect(await t.senderEnd).toEqual({ ok: true });
    expect(await t.receiverEnd).toEqual({ ok: true });

    expect(sameBytes(await t.sink.bytes(), bytes)).toBe(true);
    expect(t.sink.closes).toBe(1);
    expect(t.sink.aborts).toBe(0);
    expect(t.link.a.controls.map((m) => m.type)).toEqual(["offer", ...range(0, 6).map(() => "block"), "done"]);
    expect(headers(t.link.a)).toEqual(range(0, 6));
    expect(t.link.b.controls).toEqual([{ type: "accept", id: t.manifest.id, from: 0 }, ...range(0, 6).map((block) => ({ type: "ack", block }))]);

    for (const progress of [t.stats.senderProgress, t.stats.receiverProgress]) {
      const done = progress.map((p) => p.bytesDone);
      expect(done).toEqual([...done].sort((a, b) => a - b));
      expect(progress.at(-1)).toMatchObject({ bytesDone: bytes.byteLength, bytesTotal: bytes.byteLength, secondsLeft: 0 });
    }
    expect(t.sender.phase).toBe("done");
    expect(t.receiver.phase).toBe("done");
    // Both ends released the channel and the listener they added.
    await until(() => t.link.a.closed && t.link.b.closed);
    expect(t.link.a.lowListenerCount).toBe(0);
  });

  it("sends an empty file as an offer, an accept and done", async () => {
    const t = await transferPair(new Uint8Array(0));
    t.sender.start();
    expect(await t.receiverEnd).toEqual({ ok: true });
    expect(await t.senderEnd).toEqual({ ok: true });
    expect((await t.sink.bytes())?.byteLength).toBe(0);
    expect(headers(t.link.a)).toEqual([]);
  });

  it("shows the offer and receives nothing until accepted; a decline ends both sides", async () => {
    let offered = 0;
    const t = await transferPair(generatedBytes(2 * MiB), { onOffer: () => offered++ });
    t.sender.start();
    await until(() => offered === 1);
    await settle(20);
    expect(t.receiver.offer).toMatchObject({ name: "data.bin", size: 2 * MiB, mime: "application/octet-stream", id: t.manifest.id });
    expect(t.link.a.controls.map((m) => m.type)).toEqual(["offer"]);
    expect(t.sink.writes).toEqual([]);

    expect(t.receiver.decline()).toBe(true);
    expect(await t.receiverEnd).toMatchObject({ ok: false, error: { code: "declined" }, by: "local", resume: null });
    expect(await t.senderEnd).toMatchObject({ ok: false, error: { code: "declined" }, by: "remote" });
    expect(t.receiver.accept(t.sink)).toBe(false);
    expect(t.receiver.decline()).toBe(false);
  });
});

describe("backpressure and memory", () => {
  it("pauses before 4 MiB buffered and goes on at bufferedamountlow (1 MiB)", async () => {
    const bytes = generatedBytes(10 * MiB, 3);
    const t = await transferPair(bytes, { link: { bytesPerTick: 0 } });
    t.sender.start();
    t.link.a.deliver(Infinity);
    await until(() => t.receiver.phase === "receiving");
    t.link.b.deliver(Infinity); // the accept
    await until(() => t.link.a.bufferedAmount > HIGH_WATER_BYTES - 64 * 1024);
    await settle(20);
    const paused = t.link.a.sendLog.length;
    expect(t.link.a.bufferedAmount).toBeLessThanOrEqual(HIGH_WATER_BYTES);

    // Draining to just above the low-water mark does not wake the sender…
    t.link.a.deliverDownTo(LOW_WATER_BYTES + 64 * 1024);
    await settle(20);
    expect(t.link.a.sendLog.length).toBe(paused);
    expect(t.link.a.lowEvents).toBe(0);

    // …falling to it does.
    t.link.a.deliverDownTo(LOW_WATER_BYTES);
    await until(() => t.link.a.sendLog.length > paused);
    expect(t.link.a.lowEvents).toBe(1);
    expect(t.link.a.sendLog[paused]!.bufferedBefore).toBeLessThanOrEqual(LOW_WATER_BYTES);

    t.link.run(256 * 1024);
    expect(await t.senderEnd).toEqual({ ok: true });
    expect(await t.receiverEnd).toEqual({ ok: true });
    expect(sameBytes(await t.sink.bytes(), bytes)).toBe(true);
    expect(t.link.a.maxBuffered).toBeLessThanOrEqual(HIGH_WATER_BYTES);
  });

  it("keeps at most the block window in the receiver's memory when the disk is slow", async () => {
    const bytes = generatedBytes(16 * MiB, 5);
    const t = await transferPair(bytes, { sink: new TestSink(bytes.byteLength, 4), link: { bytesPerTick: 1024 * 1024 } });
    t.sender.start();
    expect(await t.receiverEnd).toEqual({ ok: true });
    expect(await t.senderEnd).toEqual({ ok: true });
    expect(sameBytes(await t.sink.bytes(), bytes)).toBe(true);
    expect(t.stats.maxHeld).toBeGreaterThan(2 * MiB); // a queue did form…
    expect(t.stats.maxHeld).toBeLessThanOrEqual(BLOCK_WINDOW * BLOCK_SIZE); // …and stayed inside the window
    expect(t.link.a.maxBuffered).toBeLessThanOrEqual(HIGH_WATER_BYTES);
  });
});

describe("integrity", () => {
  it("nacks a block with a corrupted chunk, gets it again, and the file verifies", async () => {
    const bytes = generatedBytes(4 * MiB, 9);
    let binary = 0;
    const t = await transferPair(bytes, {
      link: {
        tamper: (data, direction) => {
          // The first chunk of block 2 (16 chunks of 64 KiB per block), once.
          if (direction !== "a→b" || binary++ !== 32) return data;
          const copy = new Uint8Array(data.slice(0));
          copy[100]! ^= 0xff;
          return copy.buffer;
        },
      },
    });
    t.sender.start();
    expect(await t.receiverEnd).toEqual({ ok: true });
    expect(await t.senderEnd).toEqual({ ok: true });
    expect(t.link.b.controls.filter((m) => m.type === "nack")).toEqual([{ type: "nack", block: 2 }]);
    expect(headers(t.link.a).filter((i) => i === 2)).toHaveLength(2);
    expect(sameBytes(await t.sink.bytes(), bytes)).toBe(true);
  });
});

describe("resume", () => {
  it("goes on after a cut from the last verified block, not from 0", async () => {
    const bytes = generatedBytes(9 * MiB + 77, 11);
    const first = await transferPair(bytes, { sink: new TestSink(bytes.byteLength, 1) });
    first.receiver.on("progress", (p) => {
      if (p.bytesDone >= 3 * MiB) first.link.cut();
    });
    first.sender.start();
    const cut = await first.receiverEnd;
    expect(cut).toMatchObject({ ok: false, error: { code: "interrupted" }, by: "link" });
    expect(await first.senderEnd).toMatchObject({ ok: false, error: { code: "interrupted" }, by: "link" });
    const record = (cut as { resume: ResumeRecord }).resume;
    expect(record.id).toBe(first.manifest.id);
    expect(record.nextBlock).toBeGreaterThanOrEqual(3);
    expect(record.nextBlock).toBeLessThan(10);
    expect(first.sink.aborts).toBe(0); // kept for the resume

    // A new channel (after the ICE restart): the same file and manifest, the same sink.
    const second = await transferPair(bytes, { manifest: first.manifest, sink: first.sink, onOffer: (r, s) => r.resume(record, s) });
    second.sender.start();
    expect(await second.receiverEnd).toEqual({ ok: true });
    expect(await second.senderEnd).toEqual({ ok: true });

    expect(second.link.b.controls[0]).toEqual({ type: "accept", id: first.manifest.id, from: record.nextBlock });
    expect(headers(second.link.a)).toEqual(range(record.nextBlock, 10));
    expect(second.stats.senderProgress[0]!.bytesDone).toBe(record.nextBlock * MiB);
    expect(sameBytes(await first.sink.bytes(), bytes)).toBe(true);
  });

  it("keeps a file that was whole when the link was cut before the last ack", async () => {
    const bytes = generatedBytes(2 * MiB + 1, 13);
    const sink = new TestSink(bytes.byteLength);
    const close = sink.close.bind(sink);
    sink.close = async () => {
      await settle(20); // a disk flush slower than the cut's close event
      return close();
    };
    const t = await transferPair(bytes, { sink });
    t.receiver.on("phase", (phase) => {
      if (phase === "finishing") t.link.cut();
    });
    t.sender.start();
    expect(await t.receiverEnd).toEqual({ ok: true });
    expect(await t.senderEnd).toMatchObject({ ok: false, error: { code: "interrupted" }, by: "link" });
    expect(sameBytes(await t.sink.bytes(), bytes)).toBe(true);
  });

  it("refuses to resume with an offer of another file, and keeps the old partial file", async () => {
    const sink = new TestSink(2 * MiB);
    const stale: ResumeRecord = { id: (await hashFile(new Blob([generatedBytes(2 * MiB, 1)]))).id, nextBlock: 1 };
    let resumed: boolean | null = null;
    const t = await transferPair(generatedBytes(2 * MiB, 2), { sink, onOffer: (r, s) => (resumed = r.resume(stale, s)) });
    t.sender.start();
    expect(await t.receiverEnd).toMatchObject({ ok: false, error: { code: "id-mismatch" }, by: "local" });
    expect(await t.senderEnd).toMatchObject({ ok: false, error: { code: "id-mismatch" }, by: "remote" });
    expect(resumed).toBe(false);
    expect(sink.aborts).toBe(0);
    expect(headers(t.link.a)).toEqual([]);
  });
});

describe("cancel", () => {
  it("from the sender mid-way: the receiver discards what it wrote", async () => {
    // Larger than the block window past 2 MiB: whatever the timing, blocks are still unsent when
    // the sender cancels, so the cancel (in order behind the queued data) lands mid-way. With a
    // smaller file every block can already be queued, and the receiver rightly ends whole.
    const t = await transferPair(generatedBytes((BLOCK_WINDOW + 4) * MiB));
    t.receiver.on("progress", (p) => {
      if (p.bytesDone >= 2 * MiB) t.sender.cancel();
    });
    t.sender.start();
    expect(await t.senderEnd).toMatchObject({ ok: false, error: { code: "cancelled" }, by: "local" });
    expect(await t.receiverEnd).toMatchObject({ ok: false, error: { code: "cancelled" }, by: "remote", resume: null });
    expect(t.sink.aborts).toBe(1);
    expect(t.sink.closes).toBe(0);
    expect(await t.sink.bytes()).toBeNull();
    expect(t.sender.cancel()).toBe(false);
    expect(t.link.a.lowListenerCount).toBe(0);
  });

  it("from the receiver mid-way", async () => {
    const t = await transferPair(generatedBytes(6 * MiB));
    t.receiver.on("progress", (p) => {
      if (p.bytesDone >= 2 * MiB) t.receiver.cancel();
    });
    t.sender.start();
    expect(await t.receiverEnd).toMatchObject({ ok: false, error: { code: "cancelled" }, by: "local", resume: null });
    expect(await t.senderEnd).toMatchObject({ ok: false, error: { code: "cancelled" }, by: "remote" });
    expect(t.sink.aborts).toBe(1);
    expect(await t.sink.bytes()).toBeNull();
    expect(t.receiver.cancel()).toBe(false);
  });

  it("from the sender while the offer waits", async () => {
    let offered = false;
    const t = await transferPair(generatedBytes(MiB), { onOffer: () => (offered = true) });
    t.sender.start();
    await until(() => offered);
    t.sender.cancel();
    expect(await t.receiverEnd).toMatchObject({ ok: false, error: { code: "cancelled" }, by: "remote" });
    expect(t.receiver.accept(t.sink)).toBe(false);
  });

  it("the other person leaving is an interruption on both sides", async () => {
    const t = await transferPair(generatedBytes(3 * MiB), { onOffer: () => undefined });
    t.sender.start();
    await until(() => t.receiver.phase === "offered");
    t.link.cut();
    expect(await t.senderEnd).toMatchObject({ ok: false, error: { code: "interrupted" }, by: "link" });
    // Not accepted yet: nothing to resume.
    expect(await t.receiverEnd).toMatchObject({ ok: false, error: { code: "interrupted" }, by: "link", resume: null });
  });
});
