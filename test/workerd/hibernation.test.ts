import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { RoomDO } from "../../worker/durable/room-do";
import { PROTOCOL_VERSION } from "../../protocol/protocol";
import { NO_MEDIA, TestClient, createRoom, roomStub } from "./client";

const offer = { kind: "description", description: { type: "offer", sdp: "v=0 fake" } } as const;

async function instanceStats(room: string) {
  return runInDurableObject(roomStub(room), (instance: RoomDO) => ({ ...instance.stats }));
}

describe("hibernation and eviction", () => {
  it("answers heartbeats without running the room's message handler", async () => {
    const room = await createRoom();
    const a = await TestClient.join(room, "A");
    const before = await instanceStats(room);
    a.client.stopHeartbeat();
    const pongs = a.client.raw.filter((r) => r === "pong").length;
    for (let i = 0; i < 5; i++) a.client.sendRaw("ping");
    await a.client.waitFor(() => a.client.raw.filter((r) => r === "pong").length === pongs + 5, 5000, "5 pongs");
    const after = await instanceStats(room);
    expect(after.constructed).toBe(before.constructed);
    expect(after.messageRuns).toBe(before.messageRuns);
    // A real frame does run it, so the counter can move.
    a.client.send({ type: "history", after: 0 });
    await a.client.next("history");
    expect((await instanceStats(room)).messageRuns).toBe(before.messageRuns + 1);
  });

  it("keeps ids, roster, relaying and chat across an eviction that hibernates the sockets", async () => {
    const room = await createRoom();
    const a = await TestClient.join(room, "A", { media: { mic: true, cam: false, screen: false } });
    const b = await TestClient.join(room, "B");
    a.client.send({ type: "chat", text: "before", cid: "1" });
    await b.client.next("chat");
    await a.client.next("chat");
    const first = await instanceStats(room);

    await evictDurableObject(roomStub(room), { webSockets: "hibernate" });

    // Sockets survive; a new instance wakes for the next frame and rebuilds the roster.
    a.client.send({ type: "signal", to: b.id, data: offer });
    expect(await b.client.next("signal")).toEqual({ type: "signal", from: a.id, data: offer });
    expect((await instanceStats(room)).messageRuns).toBe(1);
    expect(a.client.closed).toBeNull();

    b.client.send({ type: "chat", text: "after", cid: "2" });
    const echoed = await a.client.next("chat");
    expect(echoed.message).toMatchObject({ seq: 2, from: b.id, text: "after" });

    const c = await TestClient.join(room, "C");
    const byId = (x: { id: string }, y: { id: string }) => x.id.localeCompare(y.id);
    expect([...c.welcome.peers].sort(byId)).toEqual(
      [
        { id: a.id, name: "A", media: { mic: true, cam: false, screen: false }, joined: a.welcome.you.joined, away: false, role: "member", seat: "speaker", recording: null, sfu: null },
        { id: b.id, name: "B", media: { mic: false, cam: false, screen: false }, joined: b.welcome.you.joined, away: false, role: "member", seat: "speaker", recording: null, sfu: null },
      ].sort(byId),
    );
    expect(c.welcome.chat.map((m) => m.text)).toEqual(["before", "after"]);
    expect(first.messageRuns).toBeGreaterThan(0);
  });

  it("after an eviction that closes the sockets, members resume their seats and the room is consistent", async () => {
    const room = await createRoom();
    const a = await TestClient.join(room, "A");
    const b = await TestClient.join(room, "B");
    a.client.send({ type: "chat", text: "kept", cid: "k" });
    await b.client.next("chat");

    await evictDurableObject(roomStub(room), { webSockets: "close" });
    const closedA = await a.client.waitClosed();
    await b.client.waitClosed();
    expect(closedA.code).not.toBe(1000);

    // They come back with their tokens, as a deploy or eviction looks to a client: same ids,
    // nobody left, history intact, relaying works.
    const a2 = await TestClient.join(room, "A", { resume: { id: a.id, token: a.welcome.resumeToken }, since: 1 });
    expect(a2.welcome).toMatchObject({ resumed: true, you: { id: a.id }, lastSeq: 1, chat: [] });
    expect(a2.welcome.peers).toEqual([{ id: b.id, name: "B", media: b.welcome.you.media, joined: b.welcome.you.joined, away: true, role: "member", seat: "speaker", recording: null, sfu: null }]);
    const b2 = await TestClient.join(room, "B", { resume: { id: b.id, token: b.welcome.resumeToken } });
    expect(b2.welcome.resumed).toBe(true);
    expect(b2.welcome.peers.map((p) => [p.id, p.away])).toEqual([[a.id, false]]);
    expect(b2.welcome.chat.map((m) => m.text)).toEqual(["kept"]);
    expect(await a2.client.next("peer-presence")).toEqual({ type: "peer-presence", id: b.id, away: false });
    b2.client.send({ type: "signal", to: a.id, data: offer });
    expect((await a2.client.next("signal")).from).toBe(b.id);
    b2.client.send({ type: "chat", text: "new", cid: "n" });
    expect((await a2.client.next("chat")).message.seq).toBe(2);
    expect(a2.client.all("peer-left")).toEqual([]);
  });

  it("forgets members who do not come back after an eviction, once their grace period ends", async () => {
    const room = await createRoom();
    await TestClient.join(room, "Gone");
    await evictDurableObject(roomStub(room), { webSockets: "close" });
    const c = await TestClient.join(room, "C");
    expect(c.welcome.peers.map((p) => p.away)).toEqual([true]);
    const left = await c.client.next("peer-left", 6000);
    expect(left.id).toBe(c.welcome.peers[0]!.id);
  });
});

describe("dead sockets", () => {
  it("closes a socket that stopped heartbeating (4408) and keeps the ones that did not", async () => {
    const room = await createRoom();
    const silent = await TestClient.join(room, "Silent");
    const alive = await TestClient.join(room, "Alive");
    silent.client.stopHeartbeat();
    await new Promise((r) => setTimeout(r, 3500)); // past the 3 s stale limit (vitest.config.ts)
    expect(await runDurableObjectAlarm(roomStub(room))).toBe(true);
    expect(await silent.client.waitClosed()).toEqual({ code: 4408, reason: "no heartbeat" });
    // Presumed dead, not misbehaving: away, and it could still resume.
    expect(await alive.client.next("peer-presence")).toEqual({ type: "peer-presence", id: silent.id, away: true });
    expect(alive.client.closed).toBeNull();
  });

  it("closes a silent socket on the way when the room runs for someone's frame, without waiting for the alarm", async () => {
    const room = await createRoom();
    const silent = await TestClient.join(room, "Silent");
    const alive = await TestClient.join(room, "Alive");
    silent.client.stopHeartbeat();
    await new Promise((r) => setTimeout(r, 3500)); // past the 3 s stale limit
    alive.client.send({ type: "media", media: NO_MEDIA });
    expect(await silent.client.waitClosed()).toEqual({ code: 4408, reason: "no heartbeat" });
    expect(await alive.client.next("peer-presence")).toEqual({ type: "peer-presence", id: silent.id, away: true });
    expect(alive.client.closed).toBeNull();
  });

  it("keeps a heartbeating socket that has not joined yet (a pre-join screen), and it can join later", async () => {
    const room = await createRoom();
    const waiting = await TestClient.open(room);
    const silent = await TestClient.open(room, {}, false);
    await new Promise((r) => setTimeout(r, 3500)); // past the 3 s stale limit
    expect(await runDurableObjectAlarm(roomStub(room))).toBe(true);
    expect(await silent.waitClosed()).toEqual({ code: 4408, reason: "no heartbeat" });
    expect(waiting.closed).toBeNull();
    waiting.send({ type: "join", v: PROTOCOL_VERSION, name: "Late", media: NO_MEDIA });
    expect((await waiting.next("welcome")).you.name).toBe("Late");
  });
});
