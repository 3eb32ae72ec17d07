// Files through the room's bucket (features/files.ts on the SFU; files/relay-outgoing.ts,
// relay-incoming.ts): the path chosen from the transport, and the relay's transfer logic between
// two members, with the room and its bucket played by a small fake that keeps the protocol's
// order (protocol/features/file-relay.ts): the offer forwarded, the upload URL only after the yes,
// the file served with ranges once stored. The real room and bucket are in
// test/workerd-realtime/file-relay.test.ts, and both in Chromium in test/browser/sfu-files.test.ts.

import { describe, expect, it } from "vitest";
import {
  type ClientMessage,
  FILE_RELAY_MAX_BYTES,
  FILE_RELAY_OPEN_FROM_ONE,
  type RelayEnd,
  type RelayHeld,
  type RelayOffer,
  type RelaySnapshot,
  relaySnapshot,
  type ServerMessage,
  type TransportKind,
} from "../../protocol/protocol";
import { filePath, FilesFeature } from "../../web/src/engine/features/files";
import type { FilesView } from "../../web/src/engine/features/files-view";
import { hashFile } from "../../web/src/engine/files/blocks";
import type { RelayHttp } from "../../web/src/engine/files/relay-http";
import { MAX_FETCHES, RelayIncoming } from "../../web/src/engine/files/relay-incoming";
import { MemorySink } from "../../web/src/engine/files/sink";
import { type FileStorage, NoSpaceError, type StoredFile } from "../../web/src/engine/files/storage";
import type { Timers } from "../../web/src/engine/files/timers";
import { generatedBytes, MiB, sameBytes, until } from "./files-fakes";
import { FakeNet } from "./files-net";

class MemoryStorage implements FileStorage {
  readonly files = new Map<string, MemorySink>();
  full = false;
  async open(key: string, size: number): Promise<StoredFile> {
    if (this.full) throw new NoSpaceError("full");
    const sink = new MemorySink(size);
    this.files.set(key, sink);
    return { write: (o, b) => sink.write(o, b), close: () => sink.close(), abort: () => sink.abort(), url: async () => `memory:${key}`, discard: async () => {} };
  }
  async bytes(key: string): Promise<Uint8Array | null> {
    const blob = this.files.get(key)?.blob();
    return blob ? new Uint8Array(await blob.arrayBuffer()) : null;
  }
}

/** Timers fired by the test. */
class ManualTimers implements Timers {
  pending: Array<() => void> = [];
  setTimeout = (fn: () => void) => (this.pending.push(fn), fn);
  clearTimeout = (h: unknown) => void (this.pending = this.pending.filter((f) => f !== h));
  fire(): void {
    for (const f of this.pending.splice(0)) f();
  }
}

/** A body that streams `bytes` in 64 KiB chunks, and fails after `cutAt` bytes if given. */
function streamOf(bytes: Uint8Array, cutAt?: number): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream({
    pull(c) {
      if (cutAt !== undefined && at >= cutAt) return c.error(new TypeError("network error"));
      if (at >= bytes.byteLength) return c.close();
      const end = Math.min(bytes.byteLength, at + 64 * 1024, cutAt ?? Infinity);
      c.enqueue(bytes.slice(at, end));
      at = end;
    },
  });
}

/**
 * The room and its bucket, as the protocol says they behave: frames from each member go through
 * `frame`, HTTP through `http`. `tamper` changes what the bucket serves; `cutOnce` cuts the
 * first download after that many bytes.
 */
class FakeRoom {
  readonly members = new Map<string, FilesFeature>();
  readonly frames: Array<{ from: string; msg: ClientMessage }> = [];
  readonly objects = new Map<string, Uint8Array>();
  readonly relays = new Map<string, { from: string; to: string; offer: RelayOffer; step: "offered" | "accepted" | "stored"; key: string | null }>();
  /** Each member's ends, as the room keeps them for its resume. */
  readonly ends = new Map<string, Array<{ transfer: string; reason: RelayEnd }>>();
  readonly ranges: number[] = [];
  /** Members whose socket is down: frames to them go nowhere, theirs are not sent. */
  readonly down = new Set<string>();
  /** Members whose frames look sent but are lost (a socket that only looked alive). */
  readonly lossy = new Set<string>();
  /** Frames the room sent to a member whose socket was down. */
  readonly missed: Array<{ to: string; msg: ServerMessage }> = [];
  uploads = 0;
  /** Uploads wait for it before they store (a test holds them). */
  uploadsWait: Promise<void> = Promise.resolve();
  tamper: ((b: Uint8Array) => Uint8Array) | null = null;
  cutOnce: number | null = null;
  private keys = 0;

  deliver(to: string, msg: ServerMessage): void {
    if (this.down.has(to)) return void this.missed.push({ to, msg });
    const f = this.members.get(to)!;
    queueMicrotask(() => {
      if (msg.type === "file-offer") f.relayOffer(msg);
      else if (msg.type === "file-upload") f.relayUpload(msg);
      else if (msg.type === "file-ready") f.relayReady(msg);
      else if (msg.type === "file-end") f.relayEnded(msg);
    });
  }

  private end(transfer: string, reason: RelayEnd, tell: string[]): void {
    const r = this.relays.get(transfer)!;
    this.relays.delete(transfer);
    if (r.key) this.objects.delete(r.key);
    for (const id of tell) {
      this.ends.set(id, [...(this.ends.get(id) ?? []), { transfer, reason }]);
      this.deliver(id, { type: "file-end", transfer, reason });
    }
  }

  frame(from: string, msg: ClientMessage): boolean {
    if (this.down.has(from)) return false;
    if (this.lossy.has(from)) return true;
    this.frames.push({ from, msg });
    if (msg.type === "file-offer") {
      const { transfer, name, size, mime, id } = msg;
      this.relays.set(transfer, { from, to: msg.to, offer: { transfer, name, size, mime, id }, step: "offered", key: null });
      this.deliver(msg.to, { type: "file-offer", from, ...this.relays.get(transfer)!.offer });
    } else if (msg.type === "file-answer") {
      const r = this.relays.get(msg.transfer)!;
      if (!msg.accept) return this.end(msg.transfer, "declined", [r.from]), true;
      r.key = `k${++this.keys}`;
      r.step = "accepted";
      this.deliver(r.from, { type: "file-upload", transfer: msg.transfer, url: `/api/rooms/r/files/${r.key}?cap=c` });
    } else if (msg.type === "file-end") {
      const r = this.relays.get(msg.transfer)!;
      this.end(msg.transfer, msg.reason, [from === r.from ? r.to : r.from]);
    }
    return true;
  }

  /** What the room's welcome says to `id` when it resumes (worker/room/features/file-relay-resume.ts). */
  snapshot(id: string): RelaySnapshot {
    const open: RelayHeld[] = [];
    for (const [transfer, r] of this.relays) {
      if (r.from === id) open.push({ side: "from-you", transfer, to: r.to, step: r.step, url: r.step === "accepted" ? `/api/rooms/r/files/${r.key}?cap=c` : null });
      else if (r.to === id) open.push({ side: "to-you", ...r.offer, from: r.from, step: r.step, url: r.step === "stored" ? `/api/rooms/r/files/${r.key}` : null });
    }
    return { open, ended: this.ends.get(id) ?? [] };
  }

  /** `id`'s socket is back, resumed: the welcome's files. */
  resume(id: string): void {
    this.down.delete(id);
    this.lossy.delete(id);
    // As the client takes it: through the protocol's check.
    const checked = relaySnapshot(JSON.parse(JSON.stringify(this.snapshot(id))));
    if (!checked) throw new Error("the fake room's snapshot is malformed");
    this.members.get(id)!.relayResumed(checked);
  }

  readonly http: RelayHttp = {
    upload: async (url, body, onProgress) => {
      this.uploads++;
      await this.uploadsWait;
      const key = /files\/(k\d+)/.exec(url)![1]!;
      const bytes = new Uint8Array(await body.arrayBuffer());
      onProgress(bytes.byteLength);
      this.objects.set(key, bytes);
      const [transfer, r] = [...this.relays].find(([, x]) => x.key === key)!;
      r.step = "stored";
      this.deliver(r.to, { type: "file-ready", transfer, url: `/api/rooms/r/files/${key}` });
      return 201;
    },
    download: async (url, from) => {
      this.ranges.push(from);
      const key = /files\/(k\d+)\?m=tok-/.exec(url)?.[1];
      const stored = key ? this.objects.get(key) : undefined;
      if (!stored) return { status: 404, body: null };
      const served = (this.tamper ?? ((b) => b))(stored).subarray(from);
      const cut = this.cutOnce;
      this.cutOnce = null;
      return { status: from > 0 ? 206 : 200, body: streamOf(served, cut ?? undefined) };
    },
  };
}

function sfuRoom(ids: string[], kind: TransportKind = "sfu") {
  const room = new FakeRoom();
  const net = new FakeNet();
  const views = new Map<string, () => FilesView>();
  const storages = new Map<string, MemoryStorage>();
  const timers = new ManualTimers();
  let clock = 0;
  for (const id of ids) {
    let view: FilesView = { outgoing: [], incoming: [] };
    const storage = new MemoryStorage();
    const participants = ids.filter((o) => o !== id).map((o) => ({ id: o, name: `name-${o}`, connection: "connected", away: false }));
    room.members.set(
      id,
      new FilesFeature({
        send: (msg) => room.frame(id, msg),
        transport: net.transport(id),
        roster: { get participants() { return participants as never; } },
        selfId: () => id,
        update: (patch) => void (patch.files && (view = patch.files)),
        storage,
        transportKind: () => kind,
        relay: { http: room.http, apiOrigin: "", token: () => `tok-${id}` },
        now: () => (clock += 1000),
        timers,
      }),
    );
    views.set(id, () => view);
    storages.set(id, storage);
  }
  return { room, view: (id: string) => views.get(id)!(), storage: (id: string) => storages.get(id)!, f: (id: string) => room.members.get(id)!, timers };
}

const fileOf = (bytes: Uint8Array<ArrayBuffer>, name = "report.pdf") => new File([bytes], name, { type: "application/pdf" });

describe("the files path", () => {
  it("is peer to peer on the mesh and through the room on the SFU", () => {
    expect(filePath("mesh")).toBe("p2p");
    expect(filePath("sfu")).toBe("relay");
  });

  it("sends a file offered on the SFU as a file-offer to the room, and on the mesh as no frame to the room at all until a channel opens", async () => {
    const sfu = sfuRoom(["a", "b"]);
    sfu.f("a").sendFiles([fileOf(generatedBytes(1000))], "b");
    await until(() => sfu.room.frames.length > 0);
    expect(sfu.room.frames[0]!.msg).toMatchObject({ type: "file-offer", to: "b", name: "report.pdf", size: 1000, mime: "application/pdf" });
    const mesh = sfuRoom(["a", "b"], "mesh");
    mesh.f("a").sendFiles([fileOf(generatedBytes(1000))], "b");
    await until(() => mesh.view("a").outgoing[0]?.hashed === 1000);
    expect(mesh.room.frames.filter((x) => x.msg.type.startsWith("file-"))).toEqual([]);
  });

  it("refuses on the SFU a file larger than the room relays, before hashing it", () => {
    const { f, view, room } = sfuRoom(["a", "b"]);
    const huge = { name: "big.iso", size: FILE_RELAY_MAX_BYTES + 1, type: "" } as File;
    expect(f("a").sendFiles([huge], "b")).toBe(true);
    expect(view("a").outgoing[0]!.recipients[0]).toMatchObject({ status: "failed", end: { problem: "relay-too-large", by: "local" } });
    expect(room.frames).toEqual([]);
  });
});

describe("a file relayed through the room", () => {
  it("uploads nothing before the yes, then arrives whole, verified, and both cards end done", async () => {
    const { f, view, storage, room } = sfuRoom(["a", "b"]);
    const bytes = generatedBytes(3 * MiB + 123);
    f("a").sendFiles([fileOf(bytes)], "b");
    await until(() => view("b").incoming.length === 1);
    expect(view("b").incoming[0]).toMatchObject({ from: "a", fromName: "name-a", name: "report.pdf", size: bytes.byteLength, status: "offered" });
    expect(view("a").outgoing[0]!.recipients[0]!.status).toBe("offered");
    expect(room.uploads).toBe(0);
    const transfer = view("b").incoming[0]!.transfer;
    expect(f("b").accept(transfer)).toBe(true);
    await until(() => view("b").incoming[0]!.status === "done" && view("a").outgoing[0]!.recipients[0]!.status === "done");
    expect(room.uploads).toBe(1);
    expect(sameBytes(await storage("b").bytes(transfer), bytes)).toBe(true);
    expect(view("b").incoming[0]!.url).toBe(`memory:${transfer}`);
    // The recipient said done, and the room deleted the object.
    expect(room.frames.some((x) => x.from === "b" && x.msg.type === "file-end" && x.msg.reason === "done")).toBe(true);
    expect(room.objects.size).toBe(0);
  });

  it("tells the sender of a no, and uploads nothing", async () => {
    const { f, view, room } = sfuRoom(["a", "b"]);
    f("a").sendFiles([fileOf(generatedBytes(5000))], "b");
    await until(() => view("b").incoming.length === 1);
    f("b").decline(view("b").incoming[0]!.transfer);
    await until(() => view("a").outgoing[0]!.recipients[0]!.status === "failed");
    expect(view("a").outgoing[0]!.recipients[0]!.end).toEqual({ problem: "declined", by: "remote" });
    expect(view("b").incoming[0]!.end).toEqual({ problem: "declined", by: "local" });
    expect(room.uploads).toBe(0);
  });

  it("discards a file whose bytes do not match the offered id, and tells the room it failed", async () => {
    const { f, view, room } = sfuRoom(["a", "b"]);
    room.tamper = (b) => {
      const c = b.slice();
      c[c.byteLength - 1]! ^= 1;
      return c;
    };
    f("a").sendFiles([fileOf(generatedBytes(2 * MiB))], "b");
    await until(() => view("b").incoming.length === 1);
    f("b").accept(view("b").incoming[0]!.transfer);
    await until(() => view("b").incoming[0]!.status === "failed");
    expect(view("b").incoming[0]).toMatchObject({ end: { problem: "corrupt", by: "local" }, url: null });
    await until(() => view("a").outgoing[0]!.recipients[0]!.status === "failed");
    expect(room.frames.some((x) => x.from === "b" && x.msg.type === "file-end" && x.msg.reason === "failed")).toBe(true);
  });

  it("goes on after a cut download from the last whole block, with a range", async () => {
    const { f, view, storage, room, timers } = sfuRoom(["a", "b"]);
    const bytes = generatedBytes(3 * MiB + 10);
    room.cutOnce = MiB + 5000;
    f("a").sendFiles([fileOf(bytes)], "b");
    await until(() => view("b").incoming.length === 1);
    const transfer = view("b").incoming[0]!.transfer;
    f("b").accept(transfer);
    await until(() => timers.pending.length > 0);
    timers.fire();
    await until(() => view("b").incoming[0]!.status === "done");
    expect(room.ranges).toEqual([0, MiB]);
    expect(sameBytes(await storage("b").bytes(transfer), bytes)).toBe(true);
  });

  it("cancels from either side: the other card ends, and the stored file goes", async () => {
    const { f, view, room } = sfuRoom(["a", "b"]);
    f("a").sendFiles([fileOf(generatedBytes(1000))], "b");
    await until(() => view("b").incoming.length === 1);
    const sent = view("a").outgoing[0]!.id;
    f("a").cancel(sent);
    await until(() => view("b").incoming[0]!.status === "failed");
    expect(view("b").incoming[0]!.end).toEqual({ problem: "cancelled", by: "remote" });
    expect(view("a").outgoing[0]!.recipients[0]!.end).toEqual({ problem: "cancelled", by: "local" });
    expect(room.uploads).toBe(0);
  });

  it("answers no for a person whose storage is full, without asking the sender to upload", async () => {
    const { f, view, storage, room } = sfuRoom(["a", "b"]);
    storage("b").full = true;
    f("a").sendFiles([fileOf(generatedBytes(1000))], "b");
    await until(() => view("b").incoming.length === 1);
    f("b").accept(view("b").incoming[0]!.transfer);
    await until(() => view("b").incoming[0]!.status === "failed");
    expect(view("b").incoming[0]!.end).toEqual({ problem: "no-space", by: "local" });
    await until(() => view("a").outgoing[0]!.recipients[0]!.status === "failed");
    expect(room.uploads).toBe(0);
  });

  it("offers at most as many files at once as the room takes from one sender, and the next when one ends", async () => {
    const { f, view, room } = sfuRoom(["a", "b"]);
    const files = Array.from({ length: FILE_RELAY_OPEN_FROM_ONE + 2 }, (_, i) => fileOf(generatedBytes(100, i + 1), `f${i}.bin`));
    f("a").sendFiles(files, "b");
    await until(() => view("a").outgoing.every((o) => o.hashed === 100) && view("b").incoming.length === FILE_RELAY_OPEN_FROM_ONE);
    const offers = () => room.frames.filter((x) => x.msg.type === "file-offer").length;
    expect(offers()).toBe(FILE_RELAY_OPEN_FROM_ONE);
    expect(view("a").outgoing.filter((o) => o.recipients[0]!.status === "queued")).toHaveLength(2);
    f("b").decline(view("b").incoming[0]!.transfer);
    await until(() => offers() === FILE_RELAY_OPEN_FROM_ONE + 1);
  });
});

describe("a relayed file across a reconnect (the resume's welcome.files)", () => {
  const cards = (view: FilesView) => view.incoming.map((i) => i.transfer);

  it("after the offer: a recipient away gets one card from its resume, and again none more from another resume", async () => {
    const { f, view, storage, room } = sfuRoom(["a", "b"]);
    room.down.add("b");
    const bytes = generatedBytes(2 * MiB + 7);
    f("a").sendFiles([fileOf(bytes)], "b");
    await until(() => room.missed.length === 1);
    expect(view("b").incoming).toEqual([]);
    room.resume("b");
    await until(() => view("b").incoming.length === 1);
    room.resume("b");
    const transfer = view("b").incoming[0]!.transfer;
    f("b").accept(transfer);
    await until(() => view("b").incoming[0]!.status === "done" && view("a").outgoing[0]!.recipients[0]!.status === "done");
    expect(sameBytes(await storage("b").bytes(transfer), bytes)).toBe(true);
    room.resume("b");
    await until(() => room.relays.size === 0);
    expect(cards(view("b"))).toEqual([transfer]);
    expect(room.uploads).toBe(1);
    expect(room.frames.filter((x) => x.msg.type === "file-offer")).toHaveLength(1);
  });

  it("after the yes: a sender away uploads once it is back, once, and both end done", async () => {
    const { f, view, room } = sfuRoom(["a", "b"]);
    f("a").sendFiles([fileOf(generatedBytes(5000))], "b");
    await until(() => view("b").incoming.length === 1);
    room.down.add("a");
    f("b").accept(view("b").incoming[0]!.transfer);
    await until(() => room.missed.some((m) => m.msg.type === "file-upload"));
    expect(room.uploads).toBe(0);
    room.resume("a");
    room.resume("a");
    await until(() => view("b").incoming[0]!.status === "done" && view("a").outgoing[0]!.recipients[0]!.status === "done");
    expect(room.uploads).toBe(1);
  });

  it("after the upload: a recipient away downloads once it is back", async () => {
    const { f, view, room } = sfuRoom(["a", "b"]);
    f("a").sendFiles([fileOf(generatedBytes(5000))], "b");
    await until(() => view("b").incoming.length === 1);
    const transfer = view("b").incoming[0]!.transfer;
    let release!: () => void;
    room.uploadsWait = new Promise((r) => (release = r));
    f("b").accept(transfer);
    await until(() => view("b").incoming[0]!.status === "receiving" && room.uploads === 1);
    room.down.add("b");
    release();
    await until(() => room.missed.some((m) => m.msg.type === "file-ready"));
    room.resume("b");
    await until(() => view("b").incoming[0]!.status === "done" && view("a").outgoing[0]!.recipients[0]!.status === "done");
    expect(room.ranges).toEqual([0]);
    expect(cards(view("b"))).toEqual([transfer]);
  });

  it("ends a card with the end it missed, in the room's words", async () => {
    const { f, view, room } = sfuRoom(["a", "b"]);
    f("a").sendFiles([fileOf(generatedBytes(1000))], "b");
    await until(() => view("b").incoming.length === 1);
    room.down.add("b");
    f("a").cancel(view("a").outgoing[0]!.id);
    expect(view("b").incoming[0]!.status).toBe("offered");
    room.resume("b");
    await until(() => view("b").incoming[0]!.status === "failed");
    expect(view("b").incoming[0]!.end).toEqual({ problem: "cancelled", by: "remote" });
  });

  it("says again the yes, and the cancel, the room never got", async () => {
    const { f, view, room } = sfuRoom(["a", "b"]);
    f("a").sendFiles([fileOf(generatedBytes(1000)), fileOf(generatedBytes(900, 2), "other.bin")], "b");
    await until(() => view("b").incoming.length === 2);
    const [yes, cancelled] = view("b").incoming.map((i) => i.transfer) as [string, string];
    room.lossy.add("b");
    f("b").accept(yes);
    f("b").cancel(cancelled);
    await until(() => view("b").incoming.find((i) => i.transfer === yes)!.status === "receiving");
    expect(room.relays.get(yes)!.step).toBe("offered");
    room.resume("b");
    await until(() => view("b").incoming.find((i) => i.transfer === yes)!.status === "done");
    await until(() => view("a").outgoing.every((o) => o.recipients[0]!.status === "done" || o.recipients[0]!.status === "failed"));
    expect(view("a").outgoing.map((o) => o.recipients[0]!.end?.problem ?? "done").sort()).toEqual(["cancelled", "done"]);
  });

  it("offers again a file whose offer never reached the room, and sends a queued one as soon as the socket is back", async () => {
    const { f, view, room } = sfuRoom(["a", "b"]);
    room.lossy.add("a");
    f("a").sendFiles([fileOf(generatedBytes(1000))], "b");
    await until(() => view("a").outgoing[0]?.recipients[0]?.status === "offered");
    expect(room.relays.size).toBe(0);
    room.down.add("a");
    f("a").sendFiles([fileOf(generatedBytes(800, 3), "queued.bin")], "b");
    await until(() => view("a").outgoing[1]?.hashed === 800);
    expect(view("a").outgoing[1]!.recipients[0]!.status).toBe("queued");
    room.resume("a");
    await until(() => view("b").incoming.length === 2);
    expect(room.frames.filter((x) => x.msg.type === "file-offer")).toHaveLength(2);
    expect(view("a").outgoing.map((o) => o.recipients[0]!.status)).toEqual(["offered", "offered"]);
  });
});

describe("a relayed download on its own", () => {
  it("gives up after MAX_FETCHES tries that bring no new block, and says it failed", async () => {
    const bytes = generatedBytes(40_000);
    const manifest = await hashFile(new Blob([bytes]), { blockSize: 16_384 });
    const sent: ClientMessage[] = [];
    const timers = new ManualTimers();
    let tries = 0;
    const t = new RelayIncoming({
      offer: { transfer: "t".repeat(22), name: "x.bin", size: bytes.byteLength, mime: "", id: manifest.id },
      from: "a",
      fromName: "A",
      storage: new MemoryStorage(),
      send: (m) => (sent.push(m), true),
      http: { upload: async () => 0, download: async () => (tries++, { status: 200, body: streamOf(bytes, 1000) }) },
      apiOrigin: "",
      token: () => "tok",
      blockSize: 16_384,
      timers,
    });
    t.accept();
    await until(() => t.status === "receiving");
    t.ready("/api/rooms/r/files/k");
    for (let i = 0; i < MAX_FETCHES && t.status !== "failed"; i++) {
      await until(() => timers.pending.length > 0 || t.status === "failed");
      timers.fire();
    }
    await until(() => t.status === "failed");
    expect(tries).toBe(MAX_FETCHES);
    expect(t.end).toEqual({ problem: "interrupted", by: "link" });
    expect(sent.at(-1)).toEqual({ type: "file-end", transfer: "t".repeat(22), reason: "failed" });
  });

  it("refuses a body longer than offered", async () => {
    const bytes = generatedBytes(20_000);
    const manifest = await hashFile(new Blob([bytes]));
    const t = new RelayIncoming({
      offer: { transfer: "t".repeat(22), name: "x.bin", size: 10_000, mime: "", id: manifest.id },
      from: "a",
      fromName: "A",
      storage: new MemoryStorage(),
      send: () => true,
      http: { upload: async () => 0, download: async () => ({ status: 200, body: streamOf(bytes) }) },
      apiOrigin: "",
      token: () => "tok",
    });
    t.accept();
    await until(() => t.status === "receiving");
    t.ready("/api/rooms/r/files/k");
    await until(() => t.status === "failed");
    expect(t.end).toEqual({ problem: "block-overrun", by: "local" });
  });
});
