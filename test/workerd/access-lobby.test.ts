// Issue #11 through real sockets on the Worker: the lobby (knock, admit, deny, block, expiry), the
// passcode and the lock, each as a newcomer or an intruder would meet them, and each surviving an
// eviction of the room.

import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { CloseCode } from "../../protocol/protocol";
import type { RoomDO } from "../../worker/durable/room-do";
import { PBKDF2_ITERATIONS } from "../../worker/access/secrets";
import { TestClient, createHostedRoom, joinFrame, nextAddress, roomStub, type JoinExtra } from "./client";

const DEVICE = "workerd-device-000001";

/** A room with "ask to join" on, its host, and a member who came in before the lobby mattered (the host admitted it). */
async function lobbyRoom() {
  const { id: room, hostKey } = await createHostedRoom({ lobby: true });
  const host = await TestClient.join(room, "Host", { hostKey });
  host.client.send({ type: "chat", text: "the secret plan", cid: "s1" });
  await host.client.next("chat");
  return { room, hostKey, host };
}

/** Opens a socket and sends a join that is expected to wait in the lobby. */
async function knock(room: string, name: string, extra: JoinExtra & { headers?: Record<string, string> } = {}) {
  const { headers, ...fields } = extra;
  const client = await TestClient.open(room, headers);
  client.send(joinFrame(name, fields));
  const lobby = await client.next("lobby");
  return { client, lobby };
}

/** Moves the room's clock for what it stored: `table.column` values shifted back by `ms`. */
async function age(room: string, sql: string, ...binds: unknown[]) {
  await runInDurableObject(roomStub(room), (_i: RoomDO, state) => {
    state.storage.sql.exec(sql, ...binds);
  });
  // The room reads what it keeps in memory from storage again when it wakes.
  await evictDurableObject(roomStub(room), { webSockets: "hibernate" });
}

describe("the lobby, through the Worker", () => {
  it("creates a room with a host key and the lobby on; the room keeps only the key's hash", async () => {
    const { id, hostKey } = await createHostedRoom({ lobby: true });
    expect(hostKey).toMatch(/^[A-Za-z0-9_-]{22}$/);
    const stored = await runInDurableObject(roomStub(id), (_i: RoomDO, state) =>
      state.storage.sql.exec<{ lobby: number; host_key: string }>("SELECT lobby, host_key FROM room_access").one(),
    );
    expect(stored.lobby).toBe(1);
    expect(stored.host_key).toMatch(/^[0-9a-f]{64}$/);
    expect(stored.host_key).not.toContain(hostKey);
  });

  it("lets a knock in only when a host admits it: the welcome, with ICE credentials, comes after, and nothing before", async () => {
    const { room, host } = await lobbyRoom();
    const k = await knock(room, "Guest", { device: DEVICE, since: 0 });
    expect(k.lobby).toEqual({ type: "lobby", hostPresent: true });
    const seen = await host.client.next("knock");
    expect(seen.knock).toMatchObject({ name: "Guest" });
    // The knocker tries what a member could: nothing of the room comes back.
    k.client.send({ type: "chat", text: "let me in", cid: "x" });
    k.client.send({ type: "history", after: 0 });
    k.client.send({ type: "ice" });
    await k.client.waitFor(() => k.client.all("error").length === 3, 5000, "three refusals");
    expect(k.client.all("error").map((e) => e.code)).toEqual(["not-joined", "not-joined", "not-joined"]);
    host.client.send({ type: "chat", text: "more secrets", cid: "s2" });
    await host.client.next("chat");
    const before = k.client.raw.join("\n");
    for (const secret of [host.id, "secret", "iceServers", "turn:", "Host", "resumeToken"]) expect(before).not.toContain(secret);

    host.client.send({ type: "admit", knocks: [seen.knock.id] });
    const welcome = await k.client.next("welcome");
    expect(welcome.ice.iceServers.length).toBeGreaterThan(0);
    expect(welcome.peers.map((p) => p.id)).toEqual([host.id]);
    expect(welcome.chat.map((m) => m.text)).toEqual(["the secret plan", "more secrets"]);
    expect(welcome.knocks).toEqual([]);
    expect(await host.client.next("knock-gone")).toEqual({ type: "knock-gone", id: seen.knock.id });
    expect((await host.client.next("peer-joined")).peer.id).toBe(welcome.you.id);
    k.client.send({ type: "signal", to: host.id, data: { kind: "candidate", candidate: null } });
    expect((await host.client.next("signal")).from).toBe(welcome.you.id);
  });

  it("denies: the knocker may knock again only after retryAfterMs; a second denial blocks the browser (4406) for good", async () => {
    const { room, host } = await lobbyRoom();
    const k = await knock(room, "Guest", { device: DEVICE });
    host.client.send({ type: "deny", knock: (await host.client.next("knock")).knock.id });
    const denied = await k.client.next("denied");
    expect(denied).toEqual({ type: "denied", blocked: false, retryAfterMs: 30_000 });
    expect((await host.client.next("knock-gone")).type).toBe("knock-gone");
    expect(k.client.closed).toBeNull();
    // At once again, from the same socket: refused with the time left.
    k.client.send(joinFrame("Guest", { device: DEVICE }));
    const again = await k.client.next("denied");
    expect(again.blocked).toBe(false);
    expect(again.retryAfterMs).toBeGreaterThan(25_000);
    expect(again.retryAfterMs).toBeLessThanOrEqual(30_000);
    // The wait is over (the denial aged in storage, across an eviction); the second denial blocks.
    await age(room, "UPDATE denials SET last = last - 31000");
    k.client.send(joinFrame("Guest", { device: DEVICE }));
    await k.client.next("lobby");
    host.client.send({ type: "deny", knock: (await host.client.next("knock")).knock.id });
    expect(await k.client.next("denied")).toEqual({ type: "denied", blocked: true, retryAfterMs: 0 });
    expect((await k.client.next("error")).code).toBe("knock-blocked");
    expect((await k.client.waitClosed()).code).toBe(CloseCode.KnockBlocked);
    // Still blocked after an eviction, from any socket or address.
    await evictDurableObject(roomStub(room), { webSockets: "hibernate" });
    const later = await TestClient.open(room);
    later.send(joinFrame("Guest", { device: DEVICE }));
    expect((await later.next("error")).code).toBe("knock-blocked");
    expect((await later.waitClosed()).code).toBe(CloseCode.KnockBlocked);
    expect(host.client.all("knock")).toHaveLength(2);
  });

  it("expires a knock after 10 minutes (4412) and tells the host; the queue survives an eviction until then", async () => {
    const { room, host, hostKey } = await lobbyRoom();
    const k = await knock(room, "Patient");
    const id = (await host.client.next("knock")).knock.id;
    // Evicted with the sockets kept: the knock is still there, and a host arriving sees it.
    await evictDurableObject(roomStub(room), { webSockets: "hibernate" });
    const second = await TestClient.join(room, "Second host", { hostKey });
    expect(second.welcome.knocks.map((x) => x.id)).toEqual([id]);
    await age(room, "UPDATE knocks SET at = at - 600000");
    expect(await runDurableObjectAlarm(roomStub(room))).toBe(true);
    expect(await k.client.waitClosed()).toEqual({ code: CloseCode.JoinTimeout, reason: "nobody let you in within 10 minutes" });
    expect(await host.client.next("knock-gone")).toEqual({ type: "knock-gone", id });
    host.client.send({ type: "admit", knocks: [id] });
    expect((await host.client.next("error")).code).toBe("unknown-knock");
  });

  it("withdraws a knock whose knocker cancels or drops", async () => {
    const { room, host } = await lobbyRoom();
    const a = await knock(room, "A");
    const b = await knock(room, "B");
    const [ka, kb] = [(await host.client.next("knock")).knock.id, (await host.client.next("knock")).knock.id];
    a.client.send({ type: "leave" });
    expect((await a.client.waitClosed()).code).toBe(1000);
    b.client.close(4000, "gone");
    await host.client.waitFor(() => host.client.all("knock-gone").length === 2, 5000, "two knock-gone");
    expect(host.client.all("knock-gone").map((g) => g.id)).toEqual([ka, kb]);
  });

  it("counts a knocking socket as one waiting to join: the 15-minute deadline closes it (4412) and withdraws the knock", async () => {
    const { room, host } = await lobbyRoom();
    const k = await knock(room, "Slow");
    const id = (await host.client.next("knock")).knock.id;
    await runInDurableObject(roomStub(room), (instance: RoomDO) => instance["closeOverdueWaiting"](Date.now() + 16 * 60_000, null));
    expect((await k.client.waitClosed()).code).toBe(CloseCode.JoinTimeout);
    expect(await host.client.next("knock-gone")).toEqual({ type: "knock-gone", id });
  });

  it("keeps a knock waiting while no host is present, and tells it when one arrives", async () => {
    const { id: room, hostKey } = await createHostedRoom({ lobby: true });
    const k = await knock(room, "Early");
    expect(k.lobby).toEqual({ type: "lobby", hostPresent: false });
    const host = await TestClient.join(room, "Host", { hostKey });
    expect(host.welcome.knocks.map((x) => x.name)).toEqual(["Early"]);
    expect(await k.client.next("lobby")).toEqual({ type: "lobby", hostPresent: true });
  });
});

describe("the passcode, through the Worker", () => {
  async function passcodeRoom() {
    const { id: room, hostKey } = await createHostedRoom();
    const host = await TestClient.join(room, "Host", { hostKey });
    host.client.send({ type: "access", passcode: "tulip 42" });
    expect((await host.client.next("access")).access).toEqual({ lobby: false, locked: false, passcode: true, recording: true });
    return { room, hostKey, host };
  }

  it(`stores PBKDF2-SHA256 with ${PBKDF2_ITERATIONS} iterations and a 16-byte salt, and tells members only that there is one`, async () => {
    const { room } = await passcodeRoom();
    const record = await runInDurableObject(roomStub(room), (_i: RoomDO, state) => state.storage.sql.exec<{ passcode: string }>("SELECT passcode FROM room_access").one().passcode);
    const [scheme, iterations, salt] = record.split("$");
    expect([scheme, Number(iterations), atob(salt!).length]).toEqual(["pbkdf2-sha256", 100_000, 16]);
    expect(record).not.toContain("tulip");
  });

  it("asks for it, refuses a wrong one with the tries left, lets the right one in, and skips it for the host key", async () => {
    const { room, hostKey } = await passcodeRoom();
    const g = await TestClient.open(room);
    g.send(joinFrame("Guest"));
    expect(await g.next("error")).toEqual({ type: "error", code: "bad-passcode", message: "this room needs a passcode: 5 tries left" });
    g.send(joinFrame("Guest", { passcode: "tulip 41" }));
    expect(await g.next("error")).toEqual({ type: "error", code: "bad-passcode", message: "wrong passcode: 4 tries left" });
    g.send(joinFrame("Guest", { passcode: "tulip 42" }));
    expect((await g.next("welcome")).access.passcode).toBe(true);
    expect((await TestClient.join(room, "Host 2", { hostKey })).welcome.you.role).toBe("host");
  });

  it("locks an address out after five wrong tries with the time left, across an eviction; other addresses are not", async () => {
    const { room } = await passcodeRoom();
    const addr = nextAddress();
    const g = await TestClient.open(room, { "CF-Connecting-IP": addr });
    for (let i = 0; i < 4; i++) {
      g.send(joinFrame("Guest", { passcode: `wrong ${i}` }));
      expect((await g.next("error")).message).toBe(`wrong passcode: ${4 - i} ${i === 3 ? "try" : "tries"} left`);
    }
    g.send(joinFrame("Guest", { passcode: "wrong 4" }));
    const locked = await g.next("error");
    expect(locked.code).toBe("passcode-locked");
    expect(Number(/try again in (\d+) s/.exec(locked.message)?.[1])).toBeGreaterThan(590);
    await evictDurableObject(roomStub(room), { webSockets: "close" });
    const back = await TestClient.open(room, { "CF-Connecting-IP": addr });
    back.send(joinFrame("Guest", { passcode: "tulip 42" }));
    expect((await back.next("error")).code).toBe("passcode-locked");
    expect((await TestClient.join(room, "Other", { passcode: "tulip 42" })).welcome.type).toBe("welcome");
    // Ten minutes later the address may try again.
    await age(room, "UPDATE passcode_failures SET at = at - 600000");
    back.send(joinFrame("Guest", { passcode: "tulip 42" }));
    expect((await back.next("welcome")).you.name).toBe("Guest");
  });

  it("runs one passcode check per socket: a second join meanwhile (or after) is refused", async () => {
    const { room } = await passcodeRoom();
    const g = await TestClient.open(room);
    g.send(joinFrame("Guest", { passcode: "tulip 42" }));
    g.send(joinFrame("Guest", { passcode: "tulip 42" }));
    await g.waitFor(() => g.all("welcome").length === 1 && g.all("error").length === 1, 5000, "a welcome and a refusal");
    expect(g.all("error").map((e) => e.code)).toEqual(["already-joined"]);
    await new Promise((r) => setTimeout(r, 200));
    expect(g.all("welcome")).toHaveLength(1);
  });
});

describe("the lock, through the Worker", () => {
  it("refuses new joins and knocks without the host key (4423), across an eviction; members resume", async () => {
    const { id: room, hostKey } = await createHostedRoom();
    const host = await TestClient.join(room, "Host", { hostKey });
    const m = await TestClient.join(room, "Member");
    host.client.send({ type: "access", locked: true, lobby: true });
    expect((await m.client.next("access")).access).toEqual({ lobby: true, locked: true, passcode: false, recording: true });
    await evictDurableObject(roomStub(room), { webSockets: "close" });
    const stranger = await TestClient.open(room);
    stranger.send(joinFrame("Stranger"));
    expect((await stranger.next("error")).code).toBe("room-locked");
    expect((await stranger.waitClosed()).code).toBe(CloseCode.Locked);
    const back = await TestClient.join(room, "Member", { resume: { id: m.id, token: m.welcome.resumeToken } });
    expect(back.welcome).toMatchObject({ resumed: true, access: { locked: true } });
    const h = await TestClient.join(room, "Host", { hostKey, resume: { id: host.id, token: host.welcome.resumeToken } });
    expect(h.welcome.you.role).toBe("host");
    expect(h.welcome.knocks).toEqual([]);
  });
});
