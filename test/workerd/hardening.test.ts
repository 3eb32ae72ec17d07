// Issue #10's limits, each tried as an attacker would, with only the documented protocol: rooms
// that exist only when created, sockets that never join, refusals that count, an expelled
// address's cool-down, and resume tokens that rotate.

import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { CloseCode, PROTOCOL_VERSION } from "../../protocol/protocol";
import type { RoomDO } from "../../worker/durable/room-do";
import { newRoomId } from "../../worker/ids";
import { NO_MEDIA, ORIGIN, TestClient, createRoom, nextAddress, roomStub } from "./client";

/**
 * The flooder's close comes after the runtime has taken its burst of frames: on a loaded 2-core
 * machine that took over 5 s (a failed full run), so it gets most of the test's 20 s.
 */
const FLOOD_CLOSE_MS = 15_000;

const CAPACITY = 4; // vitest.config.ts
const join = { type: "join", v: PROTOCOL_VERSION, name: "X", media: NO_MEDIA } as const;

async function tables(room: string): Promise<string[]> {
  return runInDurableObject(roomStub(room), (_i: RoomDO, state) =>
    state.storage.sql.exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'").toArray().map((r) => r.name),
  );
}

describe("rooms exist only when created", () => {
  it("answers 404 for an id it never minted, and writes nothing for it", async () => {
    const id = newRoomId();
    const ws = await exports.default.fetch(`${ORIGIN}/api/rooms/${id}/ws`, { headers: { Upgrade: "websocket", Origin: ORIGIN, "CF-Connecting-IP": nextAddress() } });
    expect(ws.status).toBe(404);
    expect(await ws.json()).toMatchObject({ status: 404, error: expect.stringContaining("no such room") });
    expect((await exports.default.fetch(`${ORIGIN}/api/rooms/${id}`)).status).toBe(404);
    expect(await tables(id)).toEqual([]);
    expect(await runInDurableObject(roomStub(id), (_i: RoomDO, state) => state.storage.getAlarm())).toBeNull();
  });

  it("answers 200 for a created room, with its tables and the retention alarm set", async () => {
    const room = await createRoom();
    expect((await exports.default.fetch(`${ORIGIN}/api/rooms/${room}`)).status).toBe(200);
    expect(await tables(room)).toEqual(expect.arrayContaining(["members", "chat", "meta"]));
    expect(await runInDurableObject(roomStub(room), (_i: RoomDO, state) => state.storage.getAlarm())).not.toBeNull();
  });

  it("deletes a room that stood empty past retention: storage, alarm, and waiting sockets", async () => {
    const room = await createRoom();
    const a = await TestClient.join(room, "A");
    a.client.send({ type: "chat", text: "private", cid: "1" });
    await a.client.next("chat");
    a.client.send({ type: "leave" });
    await a.client.waitClosed();
    const waiting = await TestClient.open(room);
    // Pretend the retention (24 h) has passed: the room became empty long ago.
    await runInDurableObject(roomStub(room), (_i: RoomDO, state) => {
      state.storage.sql.exec("UPDATE meta SET value = 1 WHERE key = 'empty_since'");
    });
    await evictDurableObject(roomStub(room), { webSockets: "hibernate" });
    expect(await runDurableObjectAlarm(roomStub(room))).toBe(true);
    expect((await waiting.waitClosed()).code).toBe(CloseCode.RoomGone);
    expect(await tables(room)).toEqual([]);
    expect(await runInDurableObject(roomStub(room), (_i: RoomDO, state) => state.storage.getAlarm())).toBeNull();
    expect((await exports.default.fetch(`${ORIGIN}/api/rooms/${room}`)).status).toBe(404);
    const again = await exports.default.fetch(`${ORIGIN}/api/rooms/${room}/ws`, { headers: { Upgrade: "websocket", Origin: ORIGIN, "CF-Connecting-IP": nextAddress() } });
    expect(again.status).toBe(404);
  });
});

describe("sockets that never join", () => {
  it(`keeps at most ${2 * CAPACITY} waiting: the oldest is closed with ${CloseCode.TooManyWaiting}, members are untouched`, async () => {
    const room = await createRoom();
    const member = await TestClient.join(room, "M");
    const waiting: TestClient[] = [];
    for (let i = 0; i < 2 * CAPACITY; i++) waiting.push(await TestClient.open(room));
    const newest = await TestClient.open(room);
    expect((await waiting[0]!.waitClosed()).code).toBe(CloseCode.TooManyWaiting);
    for (const w of [...waiting.slice(1), newest]) expect(w.closed).toBeNull();
    expect(member.client.closed).toBeNull();
    // A waiting socket that joins stops counting: there is room for another.
    waiting[1]!.send(join);
    await waiting[1]!.next("welcome");
    const another = await TestClient.open(room);
    await new Promise((r) => setTimeout(r, 100));
    expect(waiting[2]!.closed).toBeNull();
    expect(another.closed).toBeNull();
  });

  it("closes a socket that has not joined by the deadline, with its own code", async () => {
    const room = await createRoom();
    const w = await TestClient.open(room);
    const member = await TestClient.join(room, "M");
    // 16 minutes on (the room's clock is Date.now(), so the check is run as of then).
    await runInDurableObject(roomStub(room), (instance: RoomDO) => instance["closeOverdueWaiting"](Date.now() + 16 * 60_000, null));
    expect((await w.waitClosed()).code).toBe(CloseCode.JoinTimeout);
    expect(member.client.closed).toBeNull();
  });
});

describe("every refused frame counts", () => {
  for (const [what, frame, joinFirst] of [
    ["not-joined", { type: "chat", text: "hi", cid: "c" }, false],
    ["unknown-peer", { type: "signal", to: "nobody", data: { kind: "candidate", candidate: null } }, true],
    ["already-joined", join, true],
  ] as const) {
    it(`closes a socket that keeps sending frames refused as ${what} (4400), the others unaffected`, async () => {
      const room = await createRoom();
      const other = await TestClient.join(room, "O");
      const bad = joinFirst ? (await TestClient.join(room, "B")).client : await TestClient.open(room);
      for (let i = 0; i < 25 && !bad.closed; i++) bad.send(frame);
      expect((await bad.waitClosed()).code).toBe(CloseCode.ProtocolViolation);
      expect(bad.all("error").filter((e) => e.code === what).length).toBeLessThanOrEqual(20);
      other.client.send({ type: "chat", text: "still here", cid: "s" });
      expect((await other.client.next("chat")).message.text).toBe("still here");
    });
  }
});

describe("an expelled address cools down", () => {
  it("refuses the flooder's address for a while, and nobody else", async () => {
    const room = await createRoom();
    const other = await TestClient.join(room, "O");
    const addr = nextAddress();
    const bad = await TestClient.open(room, { "CF-Connecting-IP": addr });
    bad.send(join);
    await bad.next("welcome");
    for (let i = 0; i < 2000 && !bad.closed; i++) bad.send({ type: "media", media: NO_MEDIA });
    expect((await bad.waitClosed(FLOOD_CLOSE_MS)).code).toBe(CloseCode.RateLimited);
    const back = await exports.default.fetch(`${ORIGIN}/api/rooms/${room}/ws`, { headers: { Upgrade: "websocket", Origin: ORIGIN, "CF-Connecting-IP": addr } });
    expect(back.status).toBe(429);
    expect(Number(back.headers.get("Retry-After"))).toBeGreaterThan(0);
    expect((await TestClient.join(room, "N")).welcome.type).toBe("welcome");
    expect(other.client.closed).toBeNull();
  });
});

describe("resume tokens rotate", () => {
  it("issues a new token on every resume; the old one no longer resumes; a new name is announced", async () => {
    const room = await createRoom();
    const a = await TestClient.join(room, "A");
    const b = await TestClient.join(room, "B");
    const first = a.welcome.resumeToken;
    a.client.close(4000, "drop");
    await b.client.next("peer-presence");
    const back = await TestClient.join(room, "Aigul", { resume: { id: a.id, token: first } });
    expect(back.welcome.resumed).toBe(true);
    expect(back.welcome.resumeToken).not.toBe(first);
    expect(await b.client.next("peer-renamed")).toEqual({ type: "peer-renamed", id: a.id, name: "Aigul" });
    // Its first frame shows it has the new token; from then on a thief holding the old one gets a fresh seat, not the victim's.
    back.client.send({ type: "media", media: NO_MEDIA });
    await b.client.next("peer-media");
    const thief = await TestClient.join(room, "T", { resume: { id: a.id, token: first } });
    expect(thief.welcome.resumed).toBe(false);
    expect(thief.id).not.toBe(a.id);
    expect(back.client.closed).toBeNull();
  });

  it("keeps the seat when a resume's welcome is lost with its socket: the token presented stays good until confirmed", async () => {
    const room = await createRoom();
    const a = await TestClient.join(room, "A");
    const b = await TestClient.join(room, "B");
    a.client.close(4000, "drop");
    await b.client.next("peer-presence");
    const token = a.welcome.resumeToken;
    // Resumes, but the socket dies before the client reads the welcome with the new token.
    const lost = await TestClient.open(room);
    lost.send({ ...join, name: "A", resume: { id: a.id, token } });
    await lost.next("welcome");
    lost.close(4000, "drop before reading");
    await b.client.next("peer-presence");
    const again = await TestClient.join(room, "A", { resume: { id: a.id, token } });
    expect(again.welcome.resumed).toBe(true);
    expect(again.id).toBe(a.id);
    expect(b.client.all("peer-left")).toEqual([]);
  });
});

describe("the room's binding is what the Worker uses", () => {
  it("creates rooms through the Durable Object, so a created id is a room at once", async () => {
    const id = await createRoom();
    expect(await runInDurableObject(env.ROOMS.get(env.ROOMS.idFromName(id)), (i: RoomDO) => i.exists())).toBe(true);
  });
});
