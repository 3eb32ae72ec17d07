// Files relayed through R2 in a room on the SFU (protocol/features/file-relay.ts), over real
// sockets and HTTP into the local simulation of the FILES bucket: nothing is uploaded before the
// recipient's yes, only the recipient downloads, sizes and rations are held, and every end
// (done, cancel, decline, a member leaving, time) deletes what was stored. The project has
// Realtime configured with MESH_MAX 3 (vitest.config.ts), so four members put a room on the SFU.

import { env, exports } from "cloudflare:workers";
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { FILE_RELAY_ENDS_KEPT, FILE_RELAY_MAX_BYTES } from "../../protocol/protocol";
import type { RoomDO } from "../../worker/durable/room-do";
import { FILE_OPEN_FROM_ONE, FILE_ROOM_MAX_BYTES } from "../../worker/room/features/file-relay";
import { SqliteFileRelayStore } from "../../worker/storage/file-relay-sqlite";
import { ORIGIN, TestClient, createRoom, roomStub } from "../workerd/client";

type Joined = Awaited<ReturnType<typeof TestClient.join>>;

const fetchApp = (path: string, init?: RequestInit) => exports.default.fetch(`${ORIGIN}${path}`, init);
const FILE_ID = "ab".repeat(32);
let transfers = 0;
/** A fresh transfer id (22 base64url characters). */
const transferId = () => `t${String(++transfers).padStart(21, "0")}`;

/** A room of four, on the SFU once the fourth is in. */
async function sfuRoom(): Promise<{ room: string; members: Joined[] }> {
  const room = await createRoom();
  const members: Joined[] = [];
  for (const name of ["A", "B", "C", "D"]) members.push(await TestClient.join(room, name));
  for (const m of members) await m.client.next("transport");
  return { room, members };
}

function bytesOf(size: number): Uint8Array {
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) out[i] = (i * 31 + 7) & 0xff;
  return out;
}

/** A offers a file of `size` bytes to B and B accepts: A's upload URL. */
async function offerAccepted(a: Joined, b: Joined, size: number, transfer = transferId()) {
  a.client.send({ type: "file-offer", transfer, to: b.id, name: "notes.pdf", size, mime: "application/pdf", id: FILE_ID });
  const offer = await b.client.next("file-offer");
  expect(offer).toEqual({ type: "file-offer", transfer, from: a.id, name: "notes.pdf", size, mime: "application/pdf", id: FILE_ID });
  b.client.send({ type: "file-answer", transfer, accept: true });
  const upload = await a.client.next("file-upload");
  return { transfer, url: upload.url, key: /files\/([A-Za-z0-9_-]{22})/.exec(upload.url)![1]! };
}

/** PUTs and reads the JSON answer whole (a body left unread keeps the room's request open). */
async function put(url: string, body: Uint8Array | null, headers: Record<string, string> = {}) {
  const res = await fetchApp(url, { method: "PUT", body, headers });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

const stored = async (room: string) => (await env.FILES.list({ prefix: `fr/${room}/` })).objects.map((o) => o.key);
const fetchFile = (url: string, token: string | null, init: RequestInit = {}) => fetchApp(`${url}${token === null ? "" : `?m=${token}`}`, init);

async function eventually(check: () => Promise<boolean>, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const closeAll = (xs: Joined[]) => xs.forEach((x) => x.client.close());

describe("files relayed through R2 on the SFU", () => {
  it("uploads only after the recipient's yes, serves the file to the recipient alone (with ranges), and deletes it once the recipient says done", async () => {
    const { room, members } = await sfuRoom();
    const [a, b, c] = members as [Joined, Joined, Joined, Joined];
    const transfer = transferId();
    a.client.send({ type: "file-offer", transfer, to: b.id, name: "notes.pdf", size: 5000, mime: "application/pdf", id: FILE_ID });
    await b.client.next("file-offer");
    // No capability before the yes: nothing can be uploaded.
    expect(a.client.all("file-upload")).toEqual([]);
    expect(c.client.all("file-offer")).toEqual([]);
    b.client.send({ type: "file-answer", transfer, accept: true });
    const { url } = await a.client.next("file-upload");
    expect(url).toMatch(new RegExp(`^/api/rooms/${room}/files/[A-Za-z0-9_-]{22}\\?cap=[A-Za-z0-9_-]{22}$`));
    const body = bytesOf(5000);
    const res = await put(url, body);
    expect(res.status).toBe(201);
    const ready = await b.client.next("file-ready");
    expect(ready.transfer).toBe(transfer);
    expect(await stored(room)).toHaveLength(1);

    // The sender, another member, no token, a made-up token: refused.
    for (const token of [a.welcome.mediaToken, c.welcome.mediaToken, null, "x".repeat(22)]) expect((await fetchFile(ready.url, token)).status).toBe(403);
    const got = await fetchFile(ready.url, b.welcome.mediaToken);
    expect(got.status).toBe(200);
    expect(Object.fromEntries(got.headers)).toMatchObject({
      "content-type": "application/octet-stream",
      "content-length": "5000",
      "x-content-type-options": "nosniff",
      "content-security-policy": "default-src 'none'; sandbox",
      "cache-control": "private, no-store",
      "accept-ranges": "bytes",
    });
    expect(got.headers.get("content-disposition")).toMatch(/^attachment; .*filename\*=UTF-8''notes\.pdf$/);
    expect(new Uint8Array(await got.arrayBuffer())).toEqual(body);
    const part = await fetchFile(ready.url, b.welcome.mediaToken, { headers: { Range: "bytes=4000-" } });
    expect(part.status).toBe(206);
    expect(part.headers.get("content-range")).toBe("bytes 4000-4999/5000");
    expect(new Uint8Array(await part.arrayBuffer())).toEqual(body.subarray(4000));

    b.client.send({ type: "file-end", transfer, reason: "done" });
    expect(await a.client.next("file-end")).toEqual({ type: "file-end", transfer, reason: "done" });
    await eventually(async () => (await stored(room)).length === 0, "the object's deletion");
    expect((await fetchFile(ready.url, b.welcome.mediaToken)).status).toBe(403);
    closeAll(members);
  });

  it("holds the capability to one PUT of exactly the accepted size; a wrong size ends the transfer for both and stores nothing", async () => {
    const { room, members } = await sfuRoom();
    const [a, b] = members as [Joined, Joined, Joined, Joined];
    const first = await offerAccepted(a, b, 3000);
    expect((await put(first.url.replace(/cap=.*/, `cap=${"z".repeat(22)}`), bytesOf(3000))).status).toBe(403);
    expect((await put(first.url.replace(/\?cap=.*/, ""), bytesOf(3000))).status).toBe(403);
    const long = await put(first.url, bytesOf(4000));
    expect(long.status).toBe(413);
    expect(long.json).toMatchObject({ status: 413, error: expect.stringMatching(/3000 bytes/) });
    expect(await a.client.next("file-end")).toEqual({ type: "file-end", transfer: first.transfer, reason: "failed" });
    expect(await b.client.next("file-end")).toEqual({ type: "file-end", transfer: first.transfer, reason: "failed" });
    // Spent: a second try with the right size is refused too.
    expect((await put(first.url, bytesOf(3000))).status).toBe(403);
    expect(await stored(room)).toEqual([]);

    // The Worker refuses a body over the relay's limit before the room sees it.
    const big = await fetchApp(`/api/rooms/${room}/files/${"k".repeat(22)}?cap=x`, { method: "PUT", headers: { "Content-Length": String(FILE_RELAY_MAX_BYTES + 1) }, body: null });
    expect(big.status).toBe(413);
    await big.body?.cancel();
    closeAll(members);
  });

  it("refuses offers that are too large, to oneself, to nobody, or answered by anyone but the recipient; and rations open offers", async () => {
    const { members } = await sfuRoom();
    const [a, b, c] = members as [Joined, Joined, Joined, Joined];
    const offer = (to: string, size = 10, transfer = transferId()) => a.client.send({ type: "file-offer", transfer, to, name: "x.bin", size, mime: "", id: FILE_ID });
    offer(b.id, FILE_RELAY_MAX_BYTES + 1);
    expect((await a.client.next("error")).code).toBe("bad-file");
    offer(a.id);
    expect((await a.client.next("error")).code).toBe("bad-file");
    offer("nobody");
    expect((await a.client.next("error")).code).toBe("bad-file");
    const transfer = transferId();
    offer(b.id, 10, transfer);
    await b.client.next("file-offer");
    c.client.send({ type: "file-answer", transfer, accept: true });
    expect((await c.client.next("error")).code).toBe("no-such-transfer");
    c.client.send({ type: "file-end", transfer, reason: "cancelled" });
    expect((await c.client.next("error")).code).toBe("no-such-transfer");
    // "done" is the recipient's word, and only once the file is stored: the sender's ends it as failed.
    a.client.send({ type: "file-end", transfer, reason: "done" });
    expect(await b.client.next("file-end")).toEqual({ type: "file-end", transfer, reason: "failed" });
    for (let i = 0; i < FILE_OPEN_FROM_ONE; i++) offer(b.id);
    for (let i = 0; i < FILE_OPEN_FROM_ONE; i++) await b.client.next("file-offer");
    const over = transferId();
    offer(b.id, 10, over);
    expect((await a.client.next("error")).code).toBe("file-throttled");
    // Its sender's card ends at once, and the recipient never hears of it.
    expect(await a.client.next("file-end")).toEqual({ type: "file-end", transfer: over, reason: "busy" });
    expect(b.client.all("file-offer").some((o) => o.transfer === over)).toBe(false);
    closeAll(members);
  });

  it("refuses a yes past the room's storage for files", async () => {
    const { room, members } = await sfuRoom();
    const [a, b] = members as [Joined, Joined, Joined, Joined];
    await runInDurableObject(roomStub(room), (_i: RoomDO, state) => {
      state.storage.sql.exec(
        "INSERT INTO file_relays (transfer, sender, recipient, name, size, mime, file_id, state, key, cap, expires) VALUES (?, ?, ?, 'big', ?, '', ?, 'stored', ?, NULL, ?)",
        transferId(), a.id, b.id, FILE_ROOM_MAX_BYTES - 100, FILE_ID, "q".repeat(22), Date.now() + 600_000,
      );
    });
    const transfer = transferId();
    a.client.send({ type: "file-offer", transfer, to: b.id, name: "x.bin", size: 200, mime: "", id: FILE_ID });
    await b.client.next("file-offer");
    b.client.send({ type: "file-answer", transfer, accept: true });
    expect((await b.client.next("error")).code).toBe("file-throttled");
    expect(a.client.all("file-upload")).toEqual([]);
    closeAll(members);
  });

  it("is refused on the mesh, where files go peer to peer", async () => {
    const room = await createRoom();
    const a = await TestClient.join(room, "A");
    const b = await TestClient.join(room, "B");
    a.client.send({ type: "file-offer", transfer: transferId(), to: b.id, name: "x.bin", size: 10, mime: "", id: FILE_ID });
    const err = await a.client.next("error");
    expect(err).toMatchObject({ code: "bad-file", message: expect.stringMatching(/mesh/) });
    closeAll([a, b]);
  });

  it("tells the sender of a no, and deletes a stored file when the sender cancels or the recipient leaves", async () => {
    const { room, members } = await sfuRoom();
    const [a, b, c] = members as [Joined, Joined, Joined, Joined];
    const declined = transferId();
    a.client.send({ type: "file-offer", transfer: declined, to: b.id, name: "x.bin", size: 10, mime: "", id: FILE_ID });
    await b.client.next("file-offer");
    b.client.send({ type: "file-answer", transfer: declined, accept: false });
    expect(await a.client.next("file-end")).toEqual({ type: "file-end", transfer: declined, reason: "declined" });

    const cancelled = await offerAccepted(a, b, 100);
    expect((await put(cancelled.url, bytesOf(100))).status).toBe(201);
    await b.client.next("file-ready");
    a.client.send({ type: "file-end", transfer: cancelled.transfer, reason: "cancelled" });
    expect(await b.client.next("file-end")).toEqual({ type: "file-end", transfer: cancelled.transfer, reason: "cancelled" });
    await eventually(async () => (await stored(room)).length === 0, "the cancelled file's deletion");

    const left = await offerAccepted(a, c, 100);
    expect((await put(left.url, bytesOf(100))).status).toBe(201);
    await c.client.next("file-ready");
    c.client.send({ type: "leave" });
    expect(await a.client.next("file-end")).toEqual({ type: "file-end", transfer: left.transfer, reason: "left" });
    await eventually(async () => (await stored(room)).length === 0, "the departed recipient's file's deletion");
    closeAll(members);
  });

  it("expires a file nobody fetched in time: the alarm deletes it and tells both", async () => {
    const { room, members } = await sfuRoom();
    const [a, b] = members as [Joined, Joined, Joined, Joined];
    const t = await offerAccepted(a, b, 100);
    expect((await put(t.url, bytesOf(100))).status).toBe(201);
    const ready = await b.client.next("file-ready");
    await runInDurableObject(roomStub(room), (_i: RoomDO, state) => {
      state.storage.sql.exec("UPDATE file_relays SET expires = ? WHERE transfer = ?", Date.now() - 1, t.transfer);
    });
    expect((await fetchFile(ready.url, b.welcome.mediaToken)).status).toBe(404);
    await runDurableObjectAlarm(roomStub(room));
    expect(await a.client.next("file-end")).toEqual({ type: "file-end", transfer: t.transfer, reason: "expired" });
    expect(await b.client.next("file-end")).toEqual({ type: "file-end", transfer: t.transfer, reason: "expired" });
    await eventually(async () => (await stored(room)).length === 0, "the expired file's deletion");
    closeAll(members);
  });
});

describe("files relayed through R2 against hostile input", () => {
  /** A small deterministic generator, so that a failure can be replayed. */
  function rng(seed: number): () => number {
    return () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
  }

  it("answers hostile frames and requests with errors (never a 500), stores nothing unaccepted, and still relays an honest file", async () => {
    const { room, members } = await sfuRoom();
    const [a, b, intruder] = members as [Joined, Joined, Joined, Joined];
    const r = rng(11);
    const pick = <T,>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)]!;
    const junk = () => Array.from({ length: Math.floor(r() * 30) }, () => String.fromCharCode(Math.floor(r() * 0xffff))).join("");
    const ascii = () => Array.from({ length: Math.floor(r() * 30) }, () => String.fromCharCode(33 + Math.floor(r() * 94))).join("");
    const ids = members.map((m) => m.id);
    for (let i = 0; i < 300; i++) {
      const transfer = pick([transferId(), "A".repeat(22), "", 5, junk()]);
      intruder.client.send(
        pick([
          { type: "file-offer", transfer, to: pick([...ids, junk()]), name: pick(["a.txt", "", "..", "a/b", "\u202ename", "n".repeat(256), junk()]), size: pick([0, 10, -1, 1.5, FILE_RELAY_MAX_BYTES + 1, "10"]), mime: pick(["", "text/plain", "x", 5]), id: pick([FILE_ID, "AB".repeat(32), junk()]) },
          { type: "file-answer", transfer, accept: pick([true, false, "yes"]) },
          { type: "file-end", transfer, reason: pick(["cancelled", "done", "failed", "expired", junk()]) },
        ]),
      );
    }
    const paths = [`/api/rooms/${room}/files/${"k".repeat(22)}`, `/api/rooms/${room}/files/short`, `/api/rooms/${room}/files/${"k".repeat(22)}/x`, `/api/rooms/${"r".repeat(22)}/files/${"k".repeat(22)}`];
    for (let i = 0; i < 60; i++) {
      const method = pick(["PUT", "GET", "HEAD", "POST", "DELETE"]);
      const query = pick(["", "?cap=", `?cap=${"c".repeat(22)}`, `?m=${intruder.welcome.mediaToken}`, `?m=${ascii()}`]);
      const body = method === "PUT" || method === "POST" ? pick([null, bytesOf(10), bytesOf(1000)]) : null;
      const res = await fetchApp(`${pick(paths)}${query.replace(/[^?=A-Za-z0-9_-]/g, (ch) => `%${ch.charCodeAt(0).toString(16).padStart(2, "0")}`)}`, { method, body, headers: pick([{}, { Range: pick(["bytes=0-", "bytes=5-1", "bytes=-0", ascii()]) }, { "Content-Length": "10" }]) }).catch(() => null);
      if (!res) continue;
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      await res.body?.cancel();
    }
    await intruder.client.waitFor(() => intruder.client.all("error").length > 0, 5000, "errors for the intruder");
    expect(await stored(room)).toEqual([]);
    const rows = await runInDurableObject(roomStub(room), (_i: RoomDO, state) => state.storage.sql.exec<{ sender: string; state: string }>("SELECT sender, state FROM file_relays").toArray());
    expect(rows.filter((x) => x.sender === intruder.id).length).toBeLessThanOrEqual(FILE_OPEN_FROM_ONE);
    expect(rows.every((x) => x.state === "offered")).toBe(true);

    const t = await offerAccepted(a, b, 64);
    expect((await put(t.url, bytesOf(64))).status).toBe(201);
    const ready = await b.client.next("file-ready");
    expect(new Uint8Array(await (await fetchFile(ready.url, b.welcome.mediaToken)).arrayBuffer())).toEqual(bytesOf(64));
    expect(a.client.all("error")).toEqual([]);
    expect(b.client.all("error")).toEqual([]);
    closeAll(members);
  });
});

describe("files relayed through R2 across a reconnect", () => {
  /** The member's socket drops without a leave; resolves once the room counts it away. */
  async function drop(x: Joined, watcher: Joined): Promise<void> {
    x.client.close(4000, "network dropped");
    await watcher.client.waitFor(() => watcher.client.all("peer-presence").some((p) => p.id === x.id && p.away), 5000, "the drop");
  }
  /** The member comes back on a new socket with its resume token. */
  const resume = (room: string, x: Joined, name: string) => TestClient.join(room, name, { resume: { id: x.id, token: x.welcome.resumeToken } });

  /** B fetches the stored file whole, checks it and says done; A hears done. */
  async function finish(a: Joined, b: Joined, transfer: string, url: string, size: number) {
    const got = await fetchFile(url, b.welcome.mediaToken);
    expect(new Uint8Array(await got.arrayBuffer())).toEqual(bytesOf(size));
    b.client.send({ type: "file-end", transfer, reason: "done" });
    expect(await a.client.next("file-end")).toEqual({ type: "file-end", transfer, reason: "done" });
  }

  it("after the offer: an offer to a member away for a moment reaches it in its resume's welcome, once, and the file goes through", async () => {
    const { room, members } = await sfuRoom();
    const [a, b0, c] = members as [Joined, Joined, Joined, Joined];
    await drop(b0, c);
    const transfer = transferId();
    a.client.send({ type: "file-offer", transfer, to: b0.id, name: "notes.pdf", size: 300, mime: "application/pdf", id: FILE_ID });
    const b = await resume(room, b0, "B");
    expect(b.welcome.resumed).toBe(true);
    expect(b.welcome.files).toEqual({ open: [{ side: "to-you", transfer, from: a.id, name: "notes.pdf", size: 300, mime: "application/pdf", id: FILE_ID, step: "offered", url: null }], ended: [] });
    // The sender's offer was taken, not refused.
    expect(a.client.all("error")).toEqual([]);
    expect(a.client.all("file-end")).toEqual([]);
    b.client.send({ type: "file-answer", transfer, accept: true });
    const { url } = await a.client.next("file-upload");
    expect((await put(url, bytesOf(300))).status).toBe(201);
    const ready = await b.client.next("file-ready");
    await finish(a, b, transfer, ready.url, 300);
    // Nothing came twice: one offer in all (the welcome's), no frame offer on the new socket.
    expect(b.client.all("file-offer")).toEqual([]);
    await eventually(async () => (await stored(room)).length === 0, "the object's deletion");
    closeAll([a, b, ...members.slice(2)]);
  });

  it("after the yes: a sender away when the recipient said yes finds its upload URL in its resume's welcome, and the file goes through", async () => {
    const { room, members } = await sfuRoom();
    const [a0, b, c] = members as [Joined, Joined, Joined, Joined];
    const transfer = transferId();
    a0.client.send({ type: "file-offer", transfer, to: b.id, name: "notes.pdf", size: 500, mime: "application/pdf", id: FILE_ID });
    await b.client.next("file-offer");
    await drop(a0, c);
    b.client.send({ type: "file-answer", transfer, accept: true });
    await new Promise((r) => setTimeout(r, 50));
    const a = await resume(room, a0, "A");
    expect(b.client.all("error")).toEqual([]);
    expect(a.welcome.files.ended).toEqual([]);
    expect(a.welcome.files.open).toEqual([{ side: "from-you", transfer, to: b.id, step: "accepted", url: expect.stringMatching(new RegExp(`^/api/rooms/${room}/files/[A-Za-z0-9_-]{22}\\?cap=[A-Za-z0-9_-]{22}$`)) }]);
    const url = a.welcome.files.open[0]!.url!;
    expect((await put(url, bytesOf(500))).status).toBe(201);
    const ready = await b.client.next("file-ready");
    await finish(a, b, transfer, ready.url, 500);
    // A second resume now finds it ended, as done, and nothing open.
    await drop(a, c);
    const again = await TestClient.join(room, "A", { resume: { id: a.id, token: a.welcome.resumeToken } });
    expect(again.welcome.files).toEqual({ open: [], ended: [{ transfer, reason: "done" }] });
    closeAll([again, b, ...members.slice(2)]);
  });

  it("after the upload: a recipient away when the file was stored finds it ready in its resume's welcome, and fetches it", async () => {
    const { room, members } = await sfuRoom();
    const [a, b0, c] = members as [Joined, Joined, Joined, Joined];
    const t = await offerAccepted(a, b0, 700);
    await drop(b0, c);
    expect((await put(t.url, bytesOf(700))).status).toBe(201);
    const b = await resume(room, b0, "B");
    expect(b.welcome.files.open).toEqual([{ side: "to-you", transfer: t.transfer, from: a.id, name: "notes.pdf", size: 700, mime: "application/pdf", id: FILE_ID, step: "stored", url: `/api/rooms/${room}/files/${t.key}` }]);
    await finish(a, b, t.transfer, b.welcome.files.open[0]!.url!, 700);
    expect(b.client.all("file-ready")).toEqual([]);
    closeAll([a, b, ...members.slice(2)]);
  });

  it("tells a member who was away the ends it missed, and nothing to one who joins afresh", async () => {
    const { room, members } = await sfuRoom();
    const [a, b0, c, d] = members as [Joined, Joined, Joined, Joined];
    const cancelled = await offerAccepted(a, b0, 100);
    const declined = transferId();
    b0.client.send({ type: "file-offer", transfer: declined, to: c.id, name: "x.bin", size: 10, mime: "", id: FILE_ID });
    await c.client.next("file-offer");
    await drop(b0, d);
    a.client.send({ type: "file-end", transfer: cancelled.transfer, reason: "cancelled" });
    c.client.send({ type: "file-answer", transfer: declined, accept: false });
    await new Promise((r) => setTimeout(r, 50));
    const b = await resume(room, b0, "B");
    expect(b.welcome.files).toEqual({ open: [], ended: [{ transfer: cancelled.transfer, reason: "cancelled" }, { transfer: declined, reason: "declined" }] });
    const fresh = await TestClient.join(room, "E");
    expect(fresh.welcome.files).toEqual({ open: [], ended: [] });
    closeAll([a, b, c, d, fresh]);
  });

  it("keeps at most FILE_RELAY_ENDS_KEPT ends per member, the newest", async () => {
    const { room, members } = await sfuRoom();
    const [a, b0, c] = members as [Joined, Joined, Joined, Joined];
    // One transfer first, so that the live store has written (a new room's store skips reads until then).
    const first = transferId();
    a.client.send({ type: "file-offer", transfer: first, to: c.id, name: "x.bin", size: 10, mime: "", id: FILE_ID });
    await c.client.next("file-offer");
    await drop(b0, c);
    // Ends written through the room's own store, as endRelay writes them.
    const ids = Array.from({ length: FILE_RELAY_ENDS_KEPT + 5 }, () => transferId());
    await runInDurableObject(roomStub(room), (_i: RoomDO, state) => {
      const store = new SqliteFileRelayStore(state.storage.sql, { fresh: false });
      ids.forEach((transfer, i) => store.ended(b0.id, { transfer, reason: "expired" }, 1000 + i));
    });
    const b = await resume(room, b0, "B");
    expect(b.welcome.files.ended.map((e) => e.transfer)).toEqual(ids.slice(-FILE_RELAY_ENDS_KEPT));
    // Gone with the member.
    b.client.send({ type: "leave" });
    await c.client.waitFor(() => c.client.all("peer-left").some((p) => p.id === b.id), 5000, "the leave");
    const rows = await runInDurableObject(roomStub(room), (_i: RoomDO, state) => state.storage.sql.exec("SELECT 1 FROM file_relay_ends WHERE member = ?", b.id).toArray());
    expect(rows).toEqual([]);
    closeAll([a, ...members.slice(2)]);
  });
});
