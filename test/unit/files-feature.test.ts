// The files feature between two (or three) members over fake negotiated channels (files-net.ts):
// offer, accept, decline, cancel from either side, a cut and its resume from the last verified
// block, the other person leaving, the sender's queue, and the receiver's bounds.

import { describe, expect, it, vi } from "vitest";
import type { FileSignal } from "../../protocol/protocol";
import { FilesFeature, MAX_OPEN, MAX_OPEN_FROM_ONE, MAX_RUNNING_TO_ONE, RESTART_DELAY_MS } from "../../web/src/engine/features/files";
import { BUSY_RETRY_MS, READY_TIMEOUT_MS, RESUME_GIVE_UP_MS, STALL_MS } from "../../web/src/engine/files/outgoing";
import type { FilesView } from "../../web/src/engine/features/files-view";
import { MemorySink } from "../../web/src/engine/files/sink";
import { type FileStorage, NoSpaceError, type StoredFile } from "../../web/src/engine/files/storage";
import type { PeerState } from "../../web/src/engine/session/transport";
import { generatedBytes, MiB, sameBytes, until as untilIn } from "./files-fakes";
import { FakeNet, type FakeMemberTransport } from "./files-net";

// Hashing and copying tens of MiB take a while on a busy 2-core machine: generous bounds, which a
// hung transfer still fails.
vi.setConfig({ testTimeout: 30_000 });
const until = (predicate: () => boolean, ms = 20_000) => untilIn(predicate, ms);

class MemoryStorage implements FileStorage {
  readonly opened: string[] = [];
  readonly files = new Map<string, { sink: MemorySink; discarded: boolean }>();
  full = false;
  async open(key: string, size: number): Promise<StoredFile> {
    this.opened.push(key);
    if (this.full) throw new NoSpaceError("full");
    const entry = { sink: new MemorySink(size), discarded: false };
    this.files.set(key, entry);
    return {
      write: (offset, bytes) => entry.sink.write(offset, bytes),
      close: () => entry.sink.close(),
      abort: () => entry.sink.abort(),
      url: async () => `memory:${key}`,
      discard: async () => {
        entry.discarded = true;
      },
    };
  }
  async bytes(key: string): Promise<Uint8Array | null> {
    const blob = this.files.get(key)?.sink.blob();
    return blob ? new Uint8Array(await blob.arrayBuffer()) : null;
  }
}

interface Member {
  id: string;
  feature: FilesFeature;
  transport: FakeMemberTransport;
  storage: MemoryStorage;
  view: () => FilesView;
  /** The file signals it sent. */
  signals: Array<{ to: string; data: FileSignal }>;
  participants: Array<{ id: string; name: string; connection: PeerState }>;
}

/** Timers the test fires by hand: what is pending, and run(ms) to fire those of that delay. */
class ManualTimers {
  pending: Array<{ fn: () => void; ms: number }> = [];
  setTimeout = (fn: () => void, ms: number) => {
    const t = { fn, ms };
    this.pending.push(t);
    return t;
  };
  clearTimeout = (h: unknown) => {
    this.pending = this.pending.filter((t) => t !== h);
  };
  run(ms: number): number {
    const due = this.pending.filter((t) => t.ms === ms);
    this.pending = this.pending.filter((t) => t.ms !== ms);
    for (const t of due) t.fn();
    return due.length;
  }
}

function room(ids: string[], timers?: ManualTimers) {
  const net = new FakeNet();
  const members = new Map<string, Member>();
  let clock = 0;
  for (const id of ids) {
    const transport = net.transport(id);
    const storage = new MemoryStorage();
    let view: FilesView = { outgoing: [], incoming: [] };
    const participants = ids.filter((o) => o !== id).map((o) => ({ id: o, name: `name-${o}`, connection: "connected" as PeerState }));
    const signals: Member["signals"] = [];
    const feature = new FilesFeature({
      send: (msg) => {
        if (msg.type !== "signal" || msg.data.kind !== "file") throw new Error(`unexpected frame ${msg.type}`);
        const data = msg.data;
        signals.push({ to: msg.to, data });
        setImmediate(() => members.get(msg.to)?.feature.signal(id, data));
        return true;
      },
      transport,
      roster: { get participants() { return participants as never; } },
      selfId: () => id,
      update: (patch) => {
        if (patch.files) view = patch.files;
      },
      storage,
      // Peer to peer: a mesh room (test/unit/files-relay.test.ts has the SFU's path).
      transportKind: () => "mesh",
      relay: { http: { upload: () => Promise.reject(new Error("no relay on the mesh")), download: () => Promise.reject(new Error("no relay on the mesh")) }, apiOrigin: "", token: () => null },
      // The view is published at once: every call is "much later" than the last.
      now: () => (clock += 1000),
      ...(timers ? { timers } : {}),
    });
    members.set(id, { id, feature, transport, storage, view: () => view, signals, participants });
  }
  return { net, m: (id: string) => members.get(id)! };
}

const fileOf = (bytes: Uint8Array<ArrayBuffer>, name = "report.pdf") => new File([bytes], name, { type: "application/pdf" });
const incoming = (m: Member) => m.view().incoming;
const recipient = (m: Member, peer: string) => m.view().outgoing.flatMap((o) => o.recipients).find((r) => r.peerId === peer);

describe("files feature", () => {
  it("offers a file that the receiver sees and nothing is stored before accept; accepted, it arrives whole", async () => {
    const { m } = room(["a", "b"]);
    const bytes = generatedBytes(3 * MiB + 123);
    expect(m("a").feature.sendFiles([fileOf(bytes)], "b")).toBe(true);
    await until(() => incoming(m("b")).length === 1);
    const offer = incoming(m("b"))[0]!;
    expect(offer).toMatchObject({ from: "a", fromName: "name-a", name: "report.pdf", size: bytes.byteLength, mime: "application/pdf", status: "offered" });
    expect(recipient(m("a"), "b")?.status).toBe("offered");
    expect(m("b").storage.opened).toEqual([]);
    expect(m("b").feature.accept(offer.transfer)).toBe(true);
    await until(() => incoming(m("b"))[0]?.status === "done" && recipient(m("a"), "b")?.status === "done");
    expect(incoming(m("b"))[0]!.url).toBe(`memory:${offer.transfer}`);
    expect(sameBytes(await m("b").storage.bytes(offer.transfer), bytes)).toBe(true);
    expect(recipient(m("a"), "b")?.progress?.bytesDone).toBe(bytes.byteLength);
  });

  it("sends to everyone it has a connection with, one transfer each", async () => {
    const { m } = room(["a", "b", "c"]);
    m("a").participants.push({ id: "d", name: "name-d", connection: "closed" });
    const bytes = generatedBytes(MiB);
    m("a").feature.sendFiles([fileOf(bytes)], null);
    await until(() => incoming(m("b")).length === 1 && incoming(m("c")).length === 1);
    expect(m("a").view().outgoing[0]!.recipients.map((r) => r.peerId)).toEqual(["b", "c"]);
    for (const id of ["b", "c"]) m(id).feature.accept(incoming(m(id))[0]!.transfer);
    await until(() => incoming(m("b"))[0]?.status === "done" && incoming(m("c"))[0]?.status === "done");
    expect(incoming(m("b"))[0]!.transfer).not.toBe(incoming(m("c"))[0]!.transfer);
  });

  it("refuses when nobody can get it", () => {
    const { m } = room(["a"]);
    expect(m("a").feature.sendFiles([fileOf(generatedBytes(10))], null)).toBe(false);
    expect(m("a").view().outgoing).toEqual([]);
  });

  it("tells the sender of a decline", async () => {
    const { m } = room(["a", "b"]);
    m("a").feature.sendFiles([fileOf(generatedBytes(1000))], "b");
    await until(() => incoming(m("b")).length === 1);
    expect(m("b").feature.decline(incoming(m("b"))[0]!.transfer)).toBe(true);
    await until(() => recipient(m("a"), "b")?.status === "failed");
    expect(recipient(m("a"), "b")?.end).toEqual({ problem: "declined", by: "remote" });
    expect(incoming(m("b"))[0]!.end).toEqual({ problem: "declined", by: "local" });
    expect(m("b").storage.opened).toEqual([]);
  });

  it("cancels from the receiver mid-way: the sender hears it, the stored part is discarded", async () => {
    const { net, m } = room(["a", "b"]);
    m("a").feature.sendFiles([fileOf(generatedBytes(20 * MiB))], "b");
    await until(() => incoming(m("b")).length === 1);
    const { transfer } = incoming(m("b"))[0]!;
    m("b").feature.accept(transfer);
    await until(() => (incoming(m("b"))[0]!.progress?.bytesDone ?? 0) >= 2 * MiB);
    expect(m("b").feature.cancel(transfer)).toBe(true);
    await until(() => recipient(m("a"), "b")?.status === "failed");
    expect(recipient(m("a"), "b")?.end).toEqual({ problem: "cancelled", by: "remote" });
    expect(incoming(m("b"))[0]!.end).toEqual({ problem: "cancelled", by: "local" });
    await until(() => m("b").storage.files.get(transfer)!.discarded);
    expect(net.opened.filter((c) => c.readyState !== "closed")).toEqual([]);
  });

  it("cancels from the sender mid-way", async () => {
    const { m } = room(["a", "b"]);
    m("a").feature.sendFiles([fileOf(generatedBytes(20 * MiB))], "b");
    await until(() => incoming(m("b")).length === 1);
    m("b").feature.accept(incoming(m("b"))[0]!.transfer);
    await until(() => (recipient(m("a"), "b")?.progress?.bytesDone ?? 0) >= 2 * MiB);
    expect(m("a").feature.cancel(m("a").view().outgoing[0]!.id)).toBe(true);
    await until(() => incoming(m("b"))[0]?.status === "failed");
    expect(incoming(m("b"))[0]!.end).toEqual({ problem: "cancelled", by: "remote" });
    expect(recipient(m("a"), "b")?.end).toEqual({ problem: "cancelled", by: "local" });
  });

  it("resumes after a cut from the last verified block, on a new channel, without asking again", async () => {
    const { net, m } = room(["a", "b"]);
    const bytes = generatedBytes(24 * MiB);
    m("a").feature.sendFiles([fileOf(bytes)], "b");
    await until(() => incoming(m("b")).length === 1);
    const { transfer } = incoming(m("b"))[0]!;
    m("b").feature.accept(transfer);
    await until(() => (incoming(m("b"))[0]!.progress?.bytesDone ?? 0) >= 8 * MiB);
    m("a").participants[0]!.connection = "reconnecting";
    net.cut("a", "b");
    await until(() => incoming(m("b"))[0]?.status === "resuming" && recipient(m("a"), "b")?.status === "resuming");
    const verified = incoming(m("b"))[0]!.progress!.bytesDone;
    const before = net.opened.length;
    m("a").participants[0]!.connection = "connected";
    m("a").transport.connection("b", "connected");
    await until(() => incoming(m("b"))[0]?.status === "done" && recipient(m("a"), "b")?.status === "done");
    expect(sameBytes(await m("b").storage.bytes(transfer), bytes)).toBe(true);
    // One new channel each way for the same transfer, and the accept on it went on from where the verified blocks end.
    const resumed = net.opened.slice(before);
    expect(resumed.length).toBe(2);
    const accept = resumed.flatMap((c) => c.controls).find((c) => c.type === "accept");
    // At least what the view showed verified (a block whose write settled as the channel closed counts too).
    expect(accept!.from as number).toBeGreaterThanOrEqual(verified / MiB);
    expect(verified / MiB).toBeGreaterThanOrEqual(8);
    expect(m("a").signals.map((s) => s.data.transfer)).toEqual([transfer, transfer]);
    expect(new Set(m("a").signals.map((s) => s.data.channel)).size).toBe(2);
  });

  it("a yes given while the channel was down is acted on when the sender comes back", async () => {
    const { net, m } = room(["a", "b"]);
    const bytes = generatedBytes(2 * MiB);
    m("a").feature.sendFiles([fileOf(bytes)], "b");
    await until(() => incoming(m("b")).length === 1);
    const { transfer } = incoming(m("b"))[0]!;
    m("a").participants[0]!.connection = "reconnecting";
    net.cut("a", "b");
    await until(() => recipient(m("a"), "b")?.status === "resuming");
    m("b").feature.accept(transfer);
    expect(incoming(m("b"))[0]!.status).toBe("resuming");
    m("a").participants[0]!.connection = "connected";
    m("a").transport.connection("b", "connected");
    await until(() => incoming(m("b"))[0]?.status === "done");
    expect(sameBytes(await m("b").storage.bytes(transfer), bytes)).toBe(true);
  });

  it("ends both sides' transfers when the other person leaves", async () => {
    const { m } = room(["a", "b"]);
    m("a").feature.sendFiles([fileOf(generatedBytes(20 * MiB))], "b");
    await until(() => incoming(m("b")).length === 1);
    m("b").feature.accept(incoming(m("b"))[0]!.transfer);
    await until(() => (incoming(m("b"))[0]!.progress?.bytesDone ?? 0) >= MiB);
    m("a").feature.peerLeft("b");
    m("b").feature.peerLeft("a");
    await until(() => recipient(m("a"), "b")?.status === "failed" && incoming(m("b"))[0]?.status === "failed");
    expect(recipient(m("a"), "b")?.end).toEqual({ problem: "left", by: "remote" });
    expect(incoming(m("b"))[0]!.end).toEqual({ problem: "left", by: "remote" });
  });

  it(`runs at most ${MAX_RUNNING_TO_ONE} transfers to one person at once; the rest wait their turn`, async () => {
    const { m } = room(["a", "b"]);
    const files = Array.from({ length: 5 }, (_, i) => fileOf(generatedBytes(1000, i + 1), `f${i}.bin`));
    m("a").feature.sendFiles(files, "b");
    await until(() => incoming(m("b")).length === MAX_RUNNING_TO_ONE);
    expect(m("a").view().outgoing.map((o) => o.recipients[0]!.status)).toEqual(["offered", "offered", "offered", "queued", "queued"]);
    for (const f of incoming(m("b"))) m("b").feature.decline(f.transfer);
    await until(() => incoming(m("b")).length === 5);
    expect(incoming(m("b")).map((f) => f.name)).toEqual(["f0.bin", "f1.bin", "f2.bin", "f3.bin", "f4.bin"]);
  });

  it("says no space, and tells the sender, when the receiver cannot store the file", async () => {
    const { m } = room(["a", "b"]);
    m("b").storage.full = true;
    m("a").feature.sendFiles([fileOf(generatedBytes(1000))], "b");
    await until(() => incoming(m("b")).length === 1);
    m("b").feature.accept(incoming(m("b"))[0]!.transfer);
    await until(() => incoming(m("b"))[0]?.status === "failed" && recipient(m("a"), "b")?.status === "failed");
    expect(incoming(m("b"))[0]!.end).toEqual({ problem: "no-space", by: "local" });
    expect(recipient(m("a"), "b")?.end).toEqual({ problem: "too-large", by: "remote" });
  });

  it("dismisses ended cards only, and frees the stored file", async () => {
    const { m } = room(["a", "b"]);
    m("a").feature.sendFiles([fileOf(generatedBytes(1000))], "b");
    await until(() => incoming(m("b")).length === 1);
    const { transfer } = incoming(m("b"))[0]!;
    expect(m("b").feature.dismiss(transfer)).toBe(false);
    m("b").feature.accept(transfer);
    await until(() => incoming(m("b"))[0]?.status === "done" && recipient(m("a"), "b")?.status === "done");
    expect(m("b").feature.dismiss(transfer)).toBe(true);
    expect(incoming(m("b"))).toEqual([]);
    await until(() => m("b").storage.files.get(transfer)!.discarded);
    expect(m("a").feature.dismiss(m("a").view().outgoing[0]!.id)).toBe(true);
    expect(m("a").view().outgoing).toEqual([]);
  });
});

describe("files feature: a transfer that stops moving", () => {
  it(`announces again on a new channel when the receiver's ready does not come in ${READY_TIMEOUT_MS / 1000} s`, async () => {
    const timers = new ManualTimers();
    const { net, m } = room(["a", "b"], timers);
    // The first announcement is lost on its way (a signaling socket that dropped).
    let lost = 0;
    const signal = m("b").feature.signal.bind(m("b").feature);
    m("b").feature.signal = (from, data) => (lost++ === 0 ? undefined : signal(from, data));
    m("a").feature.sendFiles([fileOf(generatedBytes(1000))], "b");
    await until(() => net.opened.length === 1 && net.opened[0]!.readyState === "open");
    await until(() => timers.pending.some((t) => t.ms === READY_TIMEOUT_MS));
    expect(timers.run(READY_TIMEOUT_MS)).toBe(1);
    await until(() => recipient(m("a"), "b")?.status === "resuming");
    await until(() => timers.run(RESTART_DELAY_MS) > 0);
    await until(() => incoming(m("b")).length === 1);
    expect(m("a").signals.length).toBe(2);
    expect(net.opened[0]!.readyState).toBe("closed");
  });

  it(`cuts a transfer that makes no progress for ${STALL_MS / 1000} s and resumes it`, async () => {
    const timers = new ManualTimers();
    const { net, m } = room(["a", "b"], timers);
    const bytes = generatedBytes(12 * MiB);
    m("a").feature.sendFiles([fileOf(bytes)], "b");
    await until(() => incoming(m("b")).length === 1);
    const { transfer } = incoming(m("b"))[0]!;
    // The receiver's acks stop getting through after the third: the sender sees no progress.
    let acks = 0;
    const receiverEnd = () => net.opened.find((c) => c.from === "b")!;
    receiverEnd().filter = (d) => (typeof d === "string" && d.includes('"ack"') && ++acks > 3 ? null : d);
    m("b").feature.accept(transfer);
    await until(() => acks > 3 && timers.pending.some((t) => t.ms === STALL_MS));
    expect(timers.run(STALL_MS)).toBe(1);
    await until(() => recipient(m("a"), "b")?.status === "resuming" && incoming(m("b"))[0]?.status === "resuming");
    await until(() => timers.run(RESTART_DELAY_MS) > 0);
    await until(() => incoming(m("b"))[0]?.status === "done" && recipient(m("a"), "b")?.status === "done");
    expect(sameBytes(await m("b").storage.bytes(transfer), bytes)).toBe(true);
    const accepts = net.opened.filter((c) => c.from === "b").flatMap((c) => c.controls).filter((c) => c.type === "accept");
    expect(accepts.map((a) => a.from)).toEqual([0, expect.any(Number)]);
    expect(accepts[1]!.from as number).toBeGreaterThanOrEqual(3);
  });
});

describe("files feature: slow links and lost connections", () => {
  it("does not cut a slow transfer whose buffer is still draining", async () => {
    const timers = new ManualTimers();
    const { net, m } = room(["a", "b"], timers);
    m("a").feature.sendFiles([fileOf(generatedBytes(12 * MiB))], "b");
    await until(() => incoming(m("b")).length === 1);
    let acks = 0;
    net.opened.find((c) => c.from === "b")!.filter = (d) => (typeof d === "string" && d.includes('"ack"') && ++acks > 2 ? null : d);
    m("b").feature.accept(incoming(m("b"))[0]!.transfer);
    await until(() => acks > 2 && timers.pending.some((t) => t.ms === STALL_MS));
    // What the sender's channel reports buffered changes between two looks: bytes are leaving.
    const senderEnd = net.opened.find((c) => c.from === "a")!;
    senderEnd.bufferedAmount = 3 * MiB;
    expect(timers.run(STALL_MS)).toBe(1);
    expect(recipient(m("a"), "b")?.status).toBe("sending");
    expect(senderEnd.readyState).toBe("open");
    // Then nothing moves for another watch: a dead link, cut.
    expect(timers.run(STALL_MS)).toBe(1);
    await until(() => recipient(m("a"), "b")?.status === "resuming");
  });

  it(`gives up ${RESUME_GIVE_UP_MS / 1000} s after a cut when the connection does not come back`, async () => {
    const timers = new ManualTimers();
    const { net, m } = room(["a", "b"], timers);
    m("a").feature.sendFiles([fileOf(generatedBytes(2 * MiB))], "b");
    await until(() => incoming(m("b")).length === 1);
    m("b").feature.accept(incoming(m("b"))[0]!.transfer);
    m("a").participants[0]!.connection = "failed";
    net.cut("a", "b");
    await until(() => recipient(m("a"), "b")?.status === "resuming");
    // The receiver waits as long (RESUME_WAIT_MS) and gives up too.
    expect(timers.run(RESUME_GIVE_UP_MS)).toBe(2);
    expect(recipient(m("a"), "b")?.end).toEqual({ problem: "interrupted", by: "link" });
  });

  it("cuts its channels when the connection closes for good, and goes on over the next one", async () => {
    const { m } = room(["a", "b"]);
    const bytes = generatedBytes(16 * MiB);
    m("a").feature.sendFiles([fileOf(bytes)], "b");
    await until(() => incoming(m("b")).length === 1);
    const { transfer } = incoming(m("b"))[0]!;
    m("b").feature.accept(transfer);
    await until(() => (incoming(m("b"))[0]!.progress?.bytesDone ?? 0) >= 2 * MiB);
    // A closed peer connection fires no close on its channels: only the connection event says so.
    m("a").participants[0]!.connection = "closed";
    m("a").transport.connection("b", "closed");
    m("b").transport.connection("a", "closed");
    await until(() => recipient(m("a"), "b")?.status === "resuming" && incoming(m("b"))[0]?.status === "resuming");
    m("a").participants[0]!.connection = "connected";
    m("a").transport.connection("b", "connected");
    await until(() => incoming(m("b"))[0]?.status === "done" && recipient(m("a"), "b")?.status === "done", 15_000);
    expect(sameBytes(await m("b").storage.bytes(transfer), bytes)).toBe(true);
  });
});

describe("files feature: a new channel while the receiver still holds the old one", () => {
  it("ends the old receiver as cut and goes on from its resume point into the same file", async () => {
    const timers = new ManualTimers();
    const { net, m } = room(["a", "b"], timers);
    const bytes = generatedBytes(12 * MiB);
    m("a").feature.sendFiles([fileOf(bytes)], "b");
    await until(() => incoming(m("b")).length === 1);
    const { transfer } = incoming(m("b"))[0]!;
    let acks = 0;
    const first = net.opened.find((c) => c.from === "b")!;
    first.filter = (d) => (typeof d === "string" && d.includes('"ack"') && ++acks > 3 ? null : d);
    m("b").feature.accept(transfer);
    await until(() => acks > 3 && timers.pending.some((t) => t.ms === STALL_MS));
    // The sender's close does not reach the receiver (the stream reset is lost with the network).
    const closePair = net.closePair.bind(net);
    net.closePair = (end) => (end.from === "a" && end.to === "b" ? void ((end.readyState = "closed"), end.fire("close")) : closePair(end));
    timers.run(STALL_MS);
    await until(() => recipient(m("a"), "b")?.status === "resuming");
    expect(first.readyState).toBe("open");
    await until(() => timers.run(RESTART_DELAY_MS) > 0);
    await until(() => incoming(m("b"))[0]?.status === "done" && recipient(m("a"), "b")?.status === "done");
    expect(first.readyState).toBe("closed");
    expect(sameBytes(await m("b").storage.bytes(transfer), bytes)).toBe(true);
    const accepts = net.opened.filter((c) => c.from === "b").flatMap((c) => c.controls).filter((c) => c.type === "accept");
    expect(accepts[1]!.from as number).toBeGreaterThanOrEqual(3);
  });
});

describe("files feature: what a receiver takes from another member", () => {
  const transferId = (i: number) => `t${String(i).padStart(21, "0")}`;

  it(`refuses more than ${MAX_OPEN_FROM_ONE} open transfers from one member as busy`, async () => {
    const { net, m } = room(["a", "b"]);
    // "a" sorts first, so its streams are even; b takes the announcements as they come.
    for (let i = 0; i <= MAX_OPEN_FROM_ONE; i++) {
      net.open("a", "b", i * 2);
      m("b").feature.signal("a", { kind: "file", transfer: transferId(i), channel: i * 2 });
    }
    await until(() => net.opened.filter((c) => c.from === "b").length === MAX_OPEN_FROM_ONE + 1 && net.opened.filter((c) => c.from === "b").every((c) => c.sent.length > 0));
    const said = net.opened.filter((c) => c.from === "b").map((c) => c.controls[0]);
    expect(said.slice(0, MAX_OPEN_FROM_ONE)).toEqual(Array(MAX_OPEN_FROM_ONE).fill({ type: "ready" }));
    expect(said[MAX_OPEN_FROM_ONE]).toEqual({ type: "cancel", reason: "busy" });
  });

  it(`a sender refused as busy waits in its queue and asks again every ${BUSY_RETRY_MS / 1000} s`, async () => {
    const timers = new ManualTimers();
    const { net, m } = room(["a", "b", "c", "d", "e"], timers);
    // Others fill b's MAX_OPEN with offers it has not answered (c, d and e sort after b: odd streams).
    let n = 0;
    for (const [from, count] of [["c", 6], ["d", 6], ["e", MAX_OPEN - 12]] as const) {
      for (let i = 0; i < count; i++, n++) {
        net.open(from, "b", i * 2 + 1);
        m("b").feature.signal(from, { kind: "file", transfer: transferId(n), channel: i * 2 + 1 });
      }
    }
    m("a").feature.sendFiles([fileOf(generatedBytes(1000))], "b");
    await until(() => net.opened.some((c) => c.from === "b" && c.to === "a" && c.controls.some((x) => x.reason === "busy")));
    await until(() => recipient(m("a"), "b")?.status === "queued");
    expect(recipient(m("a"), "b")?.end).toBeNull();
    // One of the others leaves: b has room.
    m("b").feature.peerLeft("e");
    expect(timers.run(BUSY_RETRY_MS)).toBe(1);
    await until(() => incoming(m("b")).some((f) => f.from === "a"));
    expect(recipient(m("a"), "b")?.status).toBe("offered");
  });

  it("opens no channel for an announcement of its own parity, a malformed id, or someone not in the room", async () => {
    const { net, m } = room(["a", "b"]);
    m("b").feature.signal("a", { kind: "file", transfer: transferId(1), channel: 1 });
    m("b").feature.signal("a", { kind: "file", transfer: "short", channel: 2 });
    m("b").feature.signal("z", { kind: "file", transfer: transferId(2), channel: 2 });
    await until(() => true);
    expect(net.opened).toEqual([]);
  });

  it("refuses another member's reuse of a transfer id", async () => {
    const { net, m } = room(["a", "b", "c"]);
    net.open("a", "b", 0);
    m("b").feature.signal("a", { kind: "file", transfer: transferId(1), channel: 0 });
    m("b").feature.signal("c", { kind: "file", transfer: transferId(1), channel: 1 });
    await until(() => net.opened.filter((c) => c.from === "b").length === 1);
    expect(net.opened.filter((c) => c.from === "b").map((c) => c.to)).toEqual(["a"]);
  });
});
