// Issue #11 through real sockets on the Worker: the host key from POST /api/rooms, roles and
// their limits, host actions (remove, ask to mute, end the meeting), the temporary host's
// hand-over, and all of it surviving an eviction.

import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { CloseCode, type ClientMessage } from "../../protocol/protocol";
import type { RoomDO } from "../../worker/durable/room-do";
import { ORIGIN, TestClient, createHostedRoom, joinFrame, nextAddress, roomStub } from "./client";

const create = (body?: string) =>
  exports.default.fetch(`${ORIGIN}/api/rooms`, { method: "POST", headers: { "CF-Connecting-IP": nextAddress() }, ...(body !== undefined ? { body } : {}) });

async function stored(room: string) {
  return runInDurableObject(roomStub(room), (_i: RoomDO, state) => ({
    access: state.storage.sql.exec("SELECT lobby, locked, passcode FROM room_access").one(),
    roles: Object.fromEntries(state.storage.sql.exec<{ id: string; role: string }>("SELECT id, role FROM members").toArray().map((r) => [r.id, r.role])),
  }));
}

describe("POST /api/rooms", () => {
  it("answers 201 {id, hostKey}, with or without a body", async () => {
    for (const body of [undefined, "", '{"lobby": true}', '{"lobby": false}', "{}"]) {
      const res = await create(body);
      expect(res.status, String(body)).toBe(201);
      const json = (await res.json()) as Record<string, unknown>;
      expect(Object.keys(json).sort()).toEqual(["hostKey", "id"]);
      expect(json.hostKey).toMatch(/^[A-Za-z0-9_-]{22}$/);
    }
  });

  it("refuses a body that is not JSON or has another shape with 400 and a clear error", async () => {
    for (const [body, error] of [
      ["lobby", /JSON/],
      ["[true]", /object/],
      ['"lobby"', /object/],
      ['{"lobby": "yes"}', /"lobby" must be true or false/],
      ['{"lobby": true, "locked": true}', /unknown field "locked"/],
      [JSON.stringify({ lobby: true, pad: "x".repeat(2000) }), /at most 1024/],
    ] as const) {
      const res = await create(body);
      expect(res.status, body.slice(0, 40)).toBe(400);
      expect(await res.json()).toMatchObject({ status: 400, error: expect.stringMatching(error) });
    }
  });
});

describe("who may send host frames", () => {
  it("answers a member's remove, lock, admit, passcode and role changes with forbidden, and changes nothing", async () => {
    const { id: room, hostKey } = await createHostedRoom();
    const host = await TestClient.join(room, "Host", { hostKey });
    const m = await TestClient.join(room, "Member");
    const before = await stored(room);
    const frames: ClientMessage[] = [
      { type: "remove", id: host.id },
      { type: "access", locked: true },
      { type: "access", lobby: true },
      { type: "access", passcode: "mine now" },
      { type: "admit", knocks: ["someKnock"] },
      { type: "deny", knock: "someKnock" },
      { type: "set-role", id: m.id, role: "cohost" },
      { type: "ask-mute", id: host.id },
      { type: "end-meeting" },
    ];
    for (const f of frames) m.client.send(f);
    await m.client.waitFor(() => m.client.all("error").length === frames.length, 5000, "every refusal");
    expect(m.client.all("error").map((e) => e.code)).toEqual(frames.map(() => "forbidden"));
    expect(await stored(room)).toEqual(before);
    expect(host.client.all("access")).toEqual([]);
    expect(host.client.all("mute-request")).toEqual([]);
    expect(host.client.closed).toBeNull();
    expect((await TestClient.join(room, "Later")).welcome.access).toEqual({ lobby: false, locked: false, passcode: false, recording: true });
  });

  it("keeps roles across an eviction: the host is a host again on resume, a cohost a cohost", async () => {
    const { id: room, hostKey } = await createHostedRoom();
    const host = await TestClient.join(room, "Host", { hostKey });
    const c = await TestClient.join(room, "Co");
    host.client.send({ type: "set-role", id: c.id, role: "cohost" });
    expect(await c.client.next("peer-role")).toEqual({ type: "peer-role", id: c.id, role: "cohost" });
    await evictDurableObject(roomStub(room), { webSockets: "close" });
    const h2 = await TestClient.join(room, "Host", { resume: { id: host.id, token: host.welcome.resumeToken } });
    expect(h2.welcome.you.role).toBe("host");
    expect(h2.welcome.peers).toEqual([expect.objectContaining({ id: c.id, role: "cohost" })]);
    // A cohost cannot take hosting from the key holder.
    const c2 = await TestClient.join(room, "Co", { resume: { id: c.id, token: c.welcome.resumeToken } });
    c2.client.send({ type: "set-role", id: host.id, role: "member" });
    c2.client.send({ type: "remove", id: host.id });
    await c2.client.waitFor(() => c2.client.all("error").length === 2, 5000, "two refusals");
    expect(c2.client.all("error").map((e) => e.code)).toEqual(["forbidden", "forbidden"]);
    expect((await stored(room)).roles[host.id]).toBe("host");
  });
});

describe("host actions", () => {
  it("removes a member: 4403, peer-left to the others, its old token dead, and back only through the lobby (across an eviction)", async () => {
    const { id: room, hostKey } = await createHostedRoom();
    const host = await TestClient.join(room, "Host", { hostKey });
    const addr = nextAddress();
    const m = await TestClient.join(room, "Removed", { device: "removed-device-00001", headers: { "CF-Connecting-IP": addr } });
    const o = await TestClient.join(room, "Other");
    host.client.send({ type: "remove", id: m.id });
    expect(await m.client.waitClosed()).toEqual({ code: CloseCode.Removed, reason: "removed by a host" });
    expect(await o.client.next("peer-left")).toEqual({ type: "peer-left", id: m.id });
    expect(await host.client.next("peer-left")).toEqual({ type: "peer-left", id: m.id });
    await evictDurableObject(roomStub(room), { webSockets: "hibernate" });
    // The old token, the same browser, another address: no seat; it knocks (the lobby is off).
    const back = await TestClient.open(room);
    back.send(joinFrame("Removed", { resume: { id: m.id, token: m.welcome.resumeToken }, device: "removed-device-00001" }));
    expect(await back.next("lobby")).toEqual({ type: "lobby", hostPresent: true });
    const k = await host.client.next("knock");
    expect(back.all("welcome")).toEqual([]);
    // The same address, another browser: it knocks too.
    const sameAddr = await TestClient.open(room, { "CF-Connecting-IP": addr });
    sameAddr.send(joinFrame("Someone"));
    await sameAddr.next("lobby");
    // Admitted again by a host, it gets a new seat.
    host.client.send({ type: "admit", knocks: [k.knock.id] });
    const w = await back.next("welcome");
    expect(w.you.id).not.toBe(m.id);
    expect(w.resumed).toBe(false);
    // 11 minutes on, its neighbours behind the same address walk in again; the removed browser
    // itself would still have to knock (the device is remembered for the room's memory, 24 h).
    await runInDurableObject(roomStub(room), (_i, state) => {
      state.storage.sql.exec("UPDATE removed SET at = at - ? WHERE key LIKE 'addr:%'", 11 * 60_000);
    });
    const neighbour = await TestClient.open(room, { "CF-Connecting-IP": addr });
    neighbour.send(joinFrame("Neighbour", { device: "neighbour-device-0001" }));
    expect((await neighbour.next("welcome")).you.name).toBe("Neighbour");
    const again = await TestClient.open(room, { "CF-Connecting-IP": nextAddress() });
    again.send(joinFrame("Removed", { device: "removed-device-00001" }));
    await again.next("lobby");
  });

  it("asks a member to mute, naming who asked", async () => {
    const { id: room, hostKey } = await createHostedRoom();
    const host = await TestClient.join(room, "Host", { hostKey });
    const m = await TestClient.join(room, "Loud");
    host.client.send({ type: "ask-mute", id: m.id });
    expect(await m.client.next("mute-request")).toEqual({ type: "mute-request", by: host.id });
    host.client.send({ type: "ask-mute", id: "nobodyHere" });
    expect((await host.client.next("error")).code).toBe("unknown-peer");
  });

  it("ends the meeting: every socket closed with 4405, members, knocks and waiting sockets; the room stays", async () => {
    const { id: room, hostKey } = await createHostedRoom({ lobby: true });
    const host = await TestClient.join(room, "Host", { hostKey });
    const second = await TestClient.join(room, "Host 2", { hostKey });
    const knocker = await TestClient.open(room);
    knocker.send(joinFrame("Knocker"));
    await knocker.next("lobby");
    const waiting = await TestClient.open(room);
    host.client.send({ type: "end-meeting" });
    for (const c of [host.client, second.client, knocker, waiting]) expect(await c.waitClosed()).toEqual({ code: CloseCode.Ended, reason: "the meeting was ended" });
    const after = await runInDurableObject(roomStub(room), (_i: RoomDO, state) => ({
      members: state.storage.sql.exec("SELECT COUNT(*) AS n FROM members").one().n,
      knocks: state.storage.sql.exec("SELECT COUNT(*) AS n FROM knocks").one().n,
    }));
    expect(after).toEqual({ members: 0, knocks: 0 });
    expect((await exports.default.fetch(`${ORIGIN}/api/rooms/${room}`)).status).toBe(200);
    expect((await TestClient.join(room, "Host again", { hostKey })).welcome.peers).toEqual([]);
  });
});

describe("the temporary host", () => {
  it("hands over after 60 s without a host (across an eviction), can admit, cannot remove or set the passcode, and gives way to the host", async () => {
    const { id: room, hostKey } = await createHostedRoom();
    const host = await TestClient.join(room, "Host", { hostKey });
    const first = await TestClient.join(room, "First");
    const second = await TestClient.join(room, "Second");
    host.client.send({ type: "access", lobby: true });
    await first.client.next("access");
    host.client.send({ type: "leave" });
    await first.client.next("peer-left");
    // 61 s without a host, as the room stored it; the room is evicted and its alarm fires.
    await runInDurableObject(roomStub(room), (_i: RoomDO, state) => {
      state.storage.sql.exec("UPDATE meta SET value = value - 61000 WHERE key = 'host_absent_since'");
    });
    await evictDurableObject(roomStub(room), { webSockets: "hibernate" });
    expect(await runDurableObjectAlarm(roomStub(room))).toBe(true);
    expect(await first.client.next("peer-role")).toEqual({ type: "peer-role", id: first.id, role: "temp-host" });
    expect(await second.client.next("peer-role")).toEqual({ type: "peer-role", id: first.id, role: "temp-host" });
    // It lets a knock in.
    const k = await TestClient.open(room);
    k.send(joinFrame("Guest"));
    expect(await k.next("lobby")).toEqual({ type: "lobby", hostPresent: true });
    first.client.send({ type: "admit", knocks: [(await first.client.next("knock")).knock.id] });
    const guest = await k.next("welcome");
    // It may not remove, set the passcode, or lock.
    first.client.send({ type: "remove", id: guest.you.id });
    first.client.send({ type: "access", passcode: "mine" });
    first.client.send({ type: "access", locked: true });
    await first.client.waitFor(() => first.client.all("error").length === 3, 5000, "three refusals");
    expect(first.client.all("error").map((e) => e.code)).toEqual(["forbidden", "forbidden", "forbidden"]);
    expect(k.closed).toBeNull();
    // The host is back: the temporary host gives way.
    const back = await TestClient.join(room, "Host", { hostKey });
    expect(back.welcome.you.role).toBe("host");
    expect(await second.client.next("peer-role")).toEqual({ type: "peer-role", id: first.id, role: "member" });
  });
});
