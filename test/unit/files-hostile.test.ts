// A modified client on the other end: a sender that sends more than it announced, a wrong hash
// forever, data nobody asked for; a receiver that acks what was never sent or nacks forever.
// Each ends that one transfer with a clear code, tells the other end why, discards the partial
// file, and never throws into the app.

import { describe, expect, it } from "vitest";
import { BLOCK_SIZE, type FileManifest, hashFile } from "../../web/src/engine/files/blocks";
import type { FileChannel } from "../../web/src/engine/files/channel";
import { FileReceiver } from "../../web/src/engine/files/receiver";
import { FileSender } from "../../web/src/engine/files/sender";
import type { FileSink } from "../../web/src/engine/files/sink";
import type { TransferEnd } from "../../web/src/engine/files/transfer";
import { encode, MAX_BLOCK_RETRIES } from "../../web/src/engine/files/wire";
import { generatedBytes, MiB, TestSink, until } from "./files-fakes";

/** A channel that only records: the test plays the other end by hand. */
class RecordingChannel implements FileChannel {
  bufferedAmount = 0;
  bufferedAmountLowThreshold = 0;
  closed = false;
  readonly texts: Array<Record<string, unknown>> = [];
  binary = 0;
  send(data: string | ArrayBuffer | Uint8Array<ArrayBuffer>) {
    if (this.closed) throw new DOMException("closed", "InvalidStateError");
    if (typeof data === "string") this.texts.push(JSON.parse(data));
    else this.binary++;
  }
  onBufferedAmountLow() {
    return () => undefined;
  }
  close() {
    this.closed = true;
  }
  last() {
    return this.texts.at(-1);
  }
}

const text = (m: unknown) => JSON.stringify(m);
const chunk = (n: number, fill = 0) => new Uint8Array(n).fill(fill).buffer;

function ended(unit: { on(e: "end", fn: (end: TransferEnd) => void): () => void }) {
  const state: { end: TransferEnd | null } = { end: null };
  unit.on("end", (e) => (state.end = e));
  return state;
}

/** A receiver that has taken a valid offer of `bytes` and, unless told not to, accepted it. */
async function receiverWithOffer(bytes: Uint8Array<ArrayBuffer>, accept = true, sink: FileSink = new TestSink(bytes.byteLength)) {
  const manifest = await hashFile(new Blob([bytes]));
  const channel = new RecordingChannel();
  const receiver = new FileReceiver({ channel });
  const state = ended(receiver);
  receiver.receive(text({ type: "offer", id: manifest.id, name: "f.bin", size: bytes.byteLength, mime: "", blockSize: BLOCK_SIZE, blocks: manifest.blocks }));
  await until(() => receiver.phase === "offered");
  if (accept) receiver.accept(sink);
  return { receiver, channel, state, manifest, sink: sink as TestSink };
}

/** Waits for the end and checks the common contract of a refusal: cancel sent with the code, channel closed, file discarded. */
async function refused(r: Awaited<ReturnType<typeof receiverWithOffer>>, code: string) {
  await until(() => r.state.end !== null);
  expect(r.state.end).toMatchObject({ ok: false, error: { code }, by: "local", resume: null });
  expect((r.state.end as { error: { message: string } }).error.message).not.toBe("");
  expect(r.channel.last()).toEqual({ type: "cancel", reason: code });
  expect(r.channel.closed).toBe(true);
  expect(r.receiver.phase).toBe("ended");
  expect(await r.sink.bytes()).toBeNull();
}

describe("a hostile sender", () => {
  const bytes = generatedBytes(2 * MiB + 10);

  it("announcing a block larger than it is: block-overrun", async () => {
    const r = await receiverWithOffer(bytes);
    r.receiver.receive(text({ type: "block", index: 2, bytes: BLOCK_SIZE }));
    await refused(r, "block-overrun");
    expect(r.sink.aborts).toBe(1);
  });

  it("sending more bytes than the block announced: block-overrun, and the buffer does not grow", async () => {
    const r = await receiverWithOffer(bytes);
    r.receiver.receive(text({ type: "block", index: 2, bytes: 10 }));
    r.receiver.receive(chunk(8));
    expect(r.receiver.heldBytes).toBe(10);
    r.receiver.receive(chunk(64 * 1024));
    await refused(r, "block-overrun");
    expect(r.receiver.heldBytes).toBe(0);
  });

  it("sending a wrong hash forever: nacked MAX_BLOCK_RETRIES times, then corrupt, never done", async () => {
    const r = await receiverWithOffer(bytes);
    for (let attempt = 0; attempt <= MAX_BLOCK_RETRIES; attempt++) {
      r.receiver.receive(text({ type: "block", index: 2, bytes: 10 }));
      r.receiver.receive(chunk(10, 0xee));
      await until(() => r.channel.texts.length === attempt + 2);
    }
    expect(r.channel.texts.filter((m) => m.type === "nack")).toEqual(Array(MAX_BLOCK_RETRIES).fill({ type: "nack", block: 2 }));
    await refused(r, "corrupt");
    expect(r.sink.writes).toEqual([]);
    expect(r.sink.closes).toBe(0);
  });

  it("sending data before the person accepts: unexpected, and nothing is kept", async () => {
    for (const early of [text({ type: "block", index: 0, bytes: BLOCK_SIZE }), chunk(100), text({ type: "done" })]) {
      const r = await receiverWithOffer(bytes, false);
      r.receiver.receive(early);
      await until(() => r.state.end !== null);
      expect(r.state.end).toMatchObject({ ok: false, error: { code: "unexpected" }, by: "local" });
      expect(r.sink.writes).toEqual([]);
      expect(r.receiver.heldBytes).toBe(0);
    }
  });

  it("naming a block outside the file: bad-index", async () => {
    const r = await receiverWithOffer(bytes);
    r.receiver.receive(text({ type: "block", index: 3, bytes: 10 }));
    await refused(r, "bad-index");
  });

  it("starting a block before the last one is whole, sending a verified block again, a second offer, an early done: unexpected", async () => {
    const whole = await receiverWithOffer(bytes);
    whole.receiver.receive(text({ type: "block", index: 2, bytes: 10 }));
    whole.receiver.receive(chunk(5));
    whole.receiver.receive(text({ type: "block", index: 1, bytes: BLOCK_SIZE }));
    await refused(whole, "unexpected");

    const again = await receiverWithOffer(bytes);
    again.receiver.receive(text({ type: "block", index: 2, bytes: 10 }));
    again.receiver.receive(bytes.slice(2 * MiB).buffer);
    await until(() => again.channel.last()?.type === "ack");
    again.receiver.receive(text({ type: "block", index: 2, bytes: 10 }));
    await refused(again, "unexpected");

    const second = await receiverWithOffer(bytes);
    second.receiver.receive(text({ type: "offer", id: second.manifest.id, name: "g", size: 0, mime: "", blockSize: BLOCK_SIZE, blocks: [] }));
    await refused(second, "unexpected");

    const early = await receiverWithOffer(bytes);
    early.receiver.receive(text({ type: "done" }));
    await refused(early, "unexpected");
  });

  it("going past the block window while the disk is busy: unexpected, memory stays within the window", async () => {
    const stuck: FileSink = { write: () => new Promise(() => undefined), close: async () => undefined, abort: async () => undefined };
    const manifest = await hashFile(new Blob([generatedBytes(4 * MiB)]));
    const channel = new RecordingChannel();
    const receiver = new FileReceiver({ channel, window: 2 });
    const state = ended(receiver);
    receiver.receive(text({ type: "offer", id: manifest.id, name: "f", size: 4 * MiB, mime: "", blockSize: BLOCK_SIZE, blocks: manifest.blocks }));
    await until(() => receiver.phase === "offered");
    receiver.accept(stuck);
    for (let index = 0; index < 3; index++) {
      receiver.receive(text({ type: "block", index, bytes: BLOCK_SIZE }));
      receiver.receive(chunk(BLOCK_SIZE));
      expect(receiver.heldBytes).toBeLessThanOrEqual(2 * BLOCK_SIZE);
    }
    expect(receiver.phase).toBe("ended");
    expect(channel.last()).toEqual({ type: "cancel", reason: "unexpected" });
    expect(state.end).toBeNull(); // reported once the stuck write settles, never beside it
  });

  it("an offer whose id is not the hash of its blocks: bad-blocks, and no offer is shown", async () => {
    const manifest = await hashFile(new Blob([bytes]));
    const channel = new RecordingChannel();
    const receiver = new FileReceiver({ channel });
    const state = ended(receiver);
    let shown = false;
    receiver.on("offer", () => (shown = true));
    receiver.receive(text({ type: "offer", id: "0".repeat(64), name: "f", size: bytes.byteLength, mime: "", blockSize: BLOCK_SIZE, blocks: manifest.blocks }));
    await until(() => state.end !== null);
    expect(state.end).toMatchObject({ ok: false, error: { code: "bad-blocks" } });
    expect(channel.last()).toEqual({ type: "cancel", reason: "bad-blocks" });
    expect(shown).toBe(false);
  });

  it("an offer over the size cap: too-large, told to the sender", async () => {
    const channel = new RecordingChannel();
    const receiver = new FileReceiver({ channel, limits: { maxFileBytes: MiB } });
    const state = ended(receiver);
    receiver.receive(text({ type: "offer", id: "0".repeat(64), name: "f", size: 2 * MiB, mime: "", blockSize: BLOCK_SIZE, blocks: ["0".repeat(64), "0".repeat(64)] }));
    await until(() => state.end !== null);
    expect(state.end).toMatchObject({ ok: false, error: { code: "too-large" }, by: "local" });
    expect(channel.last()).toEqual({ type: "cancel", reason: "too-large" });
  });

  it("garbage of every kind ends the transfer without throwing", async () => {
    for (const junk of ["{", '{"type":"hello"}', '{"type":"block","index":-1,"bytes":2}', '{"type":"cancel","reason":"<b>hi</b>"}']) {
      const r = await receiverWithOffer(bytes);
      expect(() => r.receiver.receive(junk)).not.toThrow();
      await until(() => r.state.end !== null);
      expect(r.state.end).toMatchObject({ ok: false, by: "local" });
      // Later messages are dropped quietly.
      expect(() => r.receiver.receive(chunk(10))).not.toThrow();
    }
  });
});

describe("a hostile receiver", () => {
  const bytes = generatedBytes(3 * MiB);

  async function offering(manifest?: FileManifest, file = new Blob([bytes])) {
    const channel = new RecordingChannel();
    const sender = new FileSender({ channel, file, manifest: manifest ?? (await hashFile(file)), name: "f.bin" });
    const state = ended(sender);
    sender.start();
    return { sender, channel, state, id: sender.offer.id };
  }

  async function refusedBy(s: Awaited<ReturnType<typeof offering>>, code: string) {
    await until(() => s.state.end !== null);
    expect(s.state.end).toMatchObject({ ok: false, error: { code }, by: "local" });
    expect(s.channel.last()).toEqual({ type: "cancel", reason: code });
    expect(s.channel.closed).toBe(true);
  }

  it("accepting another file: id-mismatch", async () => {
    const s = await offering();
    s.sender.receive(text({ type: "accept", id: "1".repeat(64), from: 0 }));
    await refusedBy(s, "id-mismatch");
  });

  it("accepting from past the end: bad-index", async () => {
    const s = await offering();
    s.sender.receive(text({ type: "accept", id: s.id, from: 4 }));
    await refusedBy(s, "bad-index");
  });

  it("acking before accepting, or a block never sent: unexpected", async () => {
    const before = await offering();
    before.sender.receive(text({ type: "ack", block: 0 }));
    await refusedBy(before, "unexpected");

    const unsent = await offering();
    unsent.sender.receive(text({ type: "accept", id: unsent.id, from: 2 }));
    unsent.sender.receive(text({ type: "ack", block: 0 }));
    await refusedBy(unsent, "unexpected");
  });

  it("acking a block outside the file: bad-index", async () => {
    const s = await offering();
    s.sender.receive(text({ type: "accept", id: s.id, from: 0 }));
    s.sender.receive(text({ type: "ack", block: 9 }));
    await refusedBy(s, "bad-index");
  });

  it("nacking forever: sent again MAX_BLOCK_RETRIES times, then corrupt", async () => {
    const s = await offering();
    s.sender.receive(text({ type: "accept", id: s.id, from: 2 }));
    for (let attempt = 0; attempt <= MAX_BLOCK_RETRIES; attempt++) {
      await until(() => s.channel.texts.filter((m) => m.type === "block").length === attempt + 1 && s.channel.binary === 16 * (attempt + 1));
      s.sender.receive(text({ type: "nack", block: 2 }));
    }
    await refusedBy(s, "corrupt");
    expect(s.channel.texts.filter((m) => m.type === "block")).toHaveLength(MAX_BLOCK_RETRIES + 1);
  });

  it("sending binary data or garbage: ends the transfer without throwing", async () => {
    const s = await offering();
    expect(() => s.sender.receive(chunk(5))).not.toThrow();
    await refusedBy(s, "unexpected");

    const g = await offering();
    expect(() => g.sender.receive("][")).not.toThrow();
    await refusedBy(g, "bad-json");
  });
});

describe("the sender's own file", () => {
  it("changed since it was hashed: file-changed, before a wrong byte goes out", async () => {
    const original = generatedBytes(2 * MiB, 1);
    const manifest = await hashFile(new Blob([original]));
    const edited = original.slice();
    edited[5]! ^= 1;
    const channel = new RecordingChannel();
    const sender = new FileSender({ channel, file: new Blob([edited]), manifest, name: "f" });
    const state = ended(sender);
    sender.start();
    sender.receive(text({ type: "accept", id: manifest.id, from: 0 }));
    await until(() => state.end !== null);
    expect(state.end).toMatchObject({ ok: false, error: { code: "file-changed" }, by: "local" });
    expect(channel.binary).toBe(0);
    expect(channel.last()).toEqual({ type: "cancel", reason: "file-changed" });

    const shorter = new FileSender({ channel: new RecordingChannel(), file: new Blob([original.slice(1)]), manifest, name: "f" });
    const shorterState = ended(shorter);
    expect(shorter.start()).toBe(false);
    expect(shorterState.end).toMatchObject({ ok: false, error: { code: "file-changed" } });
  });

  it("an offer too big for the link's messages: too-large before anything is sent", async () => {
    const file = new Blob([generatedBytes(2 * MiB)]);
    const channel = new RecordingChannel();
    const sender = new FileSender({ channel, file, manifest: await hashFile(file), name: "f", maxMessageSize: 200 });
    const state = ended(sender);
    expect(sender.start()).toBe(false);
    expect(state.end).toMatchObject({ ok: false, error: { code: "too-large" }, by: "local" });
    expect(channel.texts).toEqual([]);
  });

  it("refuses a second start, and encodes what it sends as valid messages", async () => {
    const file = new Blob([generatedBytes(10)], { type: "text/plain" });
    const channel = new RecordingChannel();
    const sender = new FileSender({ channel, file, manifest: await hashFile(file), name: "../x\u202E.txt" });
    expect(sender.start()).toBe(true);
    expect(sender.start()).toBe(false);
    expect(channel.texts[0]).toMatchObject({ type: "offer", name: ".._x_.txt", mime: "text/plain", size: 10 });
    expect(encode(channel.texts[0] as never)).toBe(JSON.stringify(channel.texts[0]));
  });
});
