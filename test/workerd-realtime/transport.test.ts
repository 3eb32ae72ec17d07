// The transport choice in workerd (protocol/features/transport.ts), with Realtime configured and
// small thresholds (vitest.config.ts: MESH_MAX 3, STAGE_VIEWERS 3, SFU_MEETING_MAX 6,
// SFU_STAGE_VIEWERS 8, TRANSPORT_SWITCH_MS 400): members announce their SFU tracks on sessions
// they made through the proxy, and only those; the room switches a meeting to the SFU at 4
// members and back at 1, a stage at 4 viewers, at most once per 400 ms, and remembers it across
// an eviction; capacity is the SFU's. The deployment without Realtime is test/workerd/transport-off.test.ts.

import { exports } from "cloudflare:workers";
import { evictDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { SfuTrack } from "../../protocol/protocol";
import { ORIGIN, TestClient, createHostedRoom, createRoom, roomStub } from "../workerd/client";

const OFFER = { type: "offer", sdp: "v=0\r\ns=client-offer\r\n" };
const TRACKS: SfuTrack[] = [
  { name: "mic-1", role: "mic" },
  { name: "cam-1", role: "camera", rids: ["h", "m", "l"] },
];

/** A new SFU session of the member whose media token this is, made through the room's proxy. */
async function newSession(room: string, token: string): Promise<string> {
  const res = await exports.default.fetch(`${ORIGIN}/api/rooms/${room}/sfu/sessions/new`, {
    method: "POST",
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
    body: JSON.stringify({ sessionDescription: OFFER }),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { sessionId: string }).sessionId;
}

type Joined = Awaited<ReturnType<typeof TestClient.join>>;

async function joinMany(room: string, names: string[]): Promise<Joined[]> {
  const out: Joined[] = [];
  for (const n of names) out.push(await TestClient.join(room, n));
  return out;
}

const closeAll = (xs: Joined[]) => xs.forEach((x) => x.client.close());

describe("the transport choice with Realtime configured", () => {
  it("switches a meeting to the SFU at MESH_MAX + 1 members, tells everyone, and says so in every welcome, eviction or not", async () => {
    const room = await createRoom();
    const [a, b, c] = await joinMany(room, ["A", "B", "C"]);
    expect(a!.welcome.transport).toEqual({ kind: "mesh", sfu: true });
    expect(a!.welcome.settings).toMatchObject({ capacity: 6, meshMax: 3, meshViewers: 3, sfuMeetingMax: 6, stageViewers: 8 });
    const d = await TestClient.join(room, "D");
    for (const x of [a!, b!, c!, d]) expect(await x.client.next("transport")).toEqual({ type: "transport", transport: { kind: "sfu", sfu: true } });
    // Before the switch, nobody had been told of one.
    expect(a!.client.all("transport")).toHaveLength(1);
    await evictDurableObject(roomStub(room), { webSockets: "hibernate" });
    const e = await TestClient.join(room, "E");
    expect(e.welcome.transport).toEqual({ kind: "sfu", sfu: true });
    closeAll([a!, b!, c!, d, e]);
  });

  it("stays on the SFU down to MESH_MAX − 1 members, goes back at MESH_MAX − 2, and switches at most once per TRANSPORT_SWITCH_MS", async () => {
    const room = await createRoom();
    const [a, b, c, d] = await joinMany(room, ["A", "B", "C", "D"]);
    await a!.client.next("transport");
    const up = Date.now();
    // 3 and 2 members: inside the band, no switch, however long it waits.
    d!.client.send({ type: "leave" });
    await a!.client.next("peer-left");
    c!.client.send({ type: "leave" });
    await a!.client.next("peer-left");
    await new Promise((r) => setTimeout(r, 600));
    a!.client.send({ type: "chat", text: "still here", cid: "c1" });
    await a!.client.next("chat");
    expect(a!.client.all("transport")).toHaveLength(1);
    // 1 member: back to the mesh (the ration has long passed: at once).
    b!.client.send({ type: "leave" });
    expect(await a!.client.next("transport")).toEqual({ type: "transport", transport: { kind: "mesh", sfu: true } });
    const down = Date.now();
    expect(down - up).toBeGreaterThanOrEqual(400);
    // Straight back up to 4: the switch waits for the ration (the alarm applies it), never sooner.
    const again = await joinMany(room, ["F", "G", "H"]);
    expect(again[2]!.welcome.transport.kind).toBe("mesh");
    expect(await a!.client.next("transport")).toEqual({ type: "transport", transport: { kind: "sfu", sfu: true } });
    expect(Date.now() - down).toBeGreaterThanOrEqual(390);
    for (const x of again) expect((await x.client.next("transport")).transport.kind).toBe("sfu");
    closeAll([a!, ...again]);
  });

  it("takes sfu-tracks on one's own proxy session only, tells everyone, keeps it while away and in welcomes, and drops it with the member", async () => {
    const room = await createRoom();
    const [a, b] = await joinMany(room, ["A", "B"]);
    const sa = await newSession(room, a!.welcome.mediaToken);
    const sb = await newSession(room, b!.welcome.mediaToken);
    // On the mesh: refused, whoever's session.
    a!.client.send({ type: "sfu-tracks", session: sa, tracks: TRACKS });
    expect((await a!.client.next("error")).code).toBe("not-sfu");
    const [c, d] = await joinMany(room, ["C", "D"]);
    await a!.client.next("transport");
    await b!.client.next("transport");
    // Another member's session, or one the room never made: refused.
    a!.client.send({ type: "sfu-tracks", session: sb, tracks: TRACKS });
    expect((await a!.client.next("error")).code).toBe("not-sfu");
    a!.client.send({ type: "sfu-tracks", session: "0123456789abcdef0123456789abcdef", tracks: TRACKS });
    expect((await a!.client.next("error")).code).toBe("not-sfu");
    // Its own: everyone hears, the sender too.
    a!.client.send({ type: "sfu-tracks", session: sa, tracks: TRACKS });
    const told = { type: "peer-sfu", id: a!.id, sfu: { session: sa, tracks: TRACKS } };
    for (const x of [a!, b!, c!, d!]) expect(await x.client.next("peer-sfu")).toEqual(told);
    // Bad shapes are bad messages (the fuzz tests have more).
    a!.client.send({ type: "sfu-tracks", session: sa, tracks: [{ name: "x", role: "mic" }, { name: "y", role: "mic" }] });
    expect((await a!.client.next("error")).code).toBe("bad-message");
    // Away: kept, and a late joiner sees it.
    a!.client.close();
    await b!.client.next("peer-presence");
    const e = await TestClient.join(room, "E");
    expect(e.welcome.peers.find((p) => p.id === a!.id)).toMatchObject({ away: true, sfu: { session: sa, tracks: TRACKS } });
    // B publishes, then stops: an empty list, told to everyone as null.
    b!.client.send({ type: "sfu-tracks", session: sb, tracks: [{ name: "cam-b", role: "camera" }] });
    expect((await e.client.next("peer-sfu")).sfu).toEqual({ session: sb, tracks: [{ name: "cam-b", role: "camera" }] });
    b!.client.send({ type: "sfu-tracks", session: sb, tracks: [] });
    expect(await e.client.next("peer-sfu")).toEqual({ type: "peer-sfu", id: b!.id, sfu: null });
    b!.client.send({ type: "sfu-tracks", session: sb, tracks: [{ name: "cam-b", role: "camera" }] });
    await e.client.next("peer-sfu");
    // Gone with the member: B leaves, A's grace period (2 s) ends.
    b!.client.send({ type: "leave" });
    await e.client.next("peer-left");
    await e.client.waitFor(() => e.client.all("peer-left").some((m) => m.id === a!.id), 8000, "A's grace period to end");
    const f = await TestClient.join(room, "F");
    expect(f.welcome.peers.map((p) => p.id).sort()).toEqual([c!.id, d!.id, e.id].sort());
    expect(f.welcome.peers.every((p) => p.sfu === null)).toBe(true);
    closeAll([c!, d!, e, f]);
  });

  it("rations announcements like hands: rate-limited first, then dropped", async () => {
    const room = await createRoom();
    const xs = await joinMany(room, ["A", "B", "C", "D"]);
    const a = xs[0]!;
    await a.client.next("transport");
    const sa = await newSession(room, a.welcome.mediaToken);
    for (let i = 0; i < 12; i++) a.client.send({ type: "sfu-tracks", session: sa, tracks: [{ name: `cam-${i}`, role: "camera" }] });
    a.client.send({ type: "chat", text: "after", cid: "after" });
    await a.client.next("chat");
    expect(a.client.all("error").filter((e) => e.code === "rate-limited")).toHaveLength(1);
    expect(a.client.all("peer-sfu").length).toBeLessThan(12);
    closeAll(xs);
  });

  it("clears every publication when the room goes back to the mesh", async () => {
    const room = await createRoom();
    const [a, b, c, d] = await joinMany(room, ["A", "B", "C", "D"]);
    await a!.client.next("transport");
    const sa = await newSession(room, a!.welcome.mediaToken);
    a!.client.send({ type: "sfu-tracks", session: sa, tracks: TRACKS });
    await b!.client.next("peer-sfu");
    await new Promise((r) => setTimeout(r, 450));
    for (const x of [b!, c!, d!]) x.client.send({ type: "leave" });
    expect((await a!.client.next("transport")).transport.kind).toBe("mesh");
    const e = await TestClient.join(room, "E");
    expect(e.welcome.peers.find((p) => p.id === a!.id)?.sfu).toBeNull();
    closeAll([a!, e]);
  });

  it("switches a stage at STAGE_VIEWERS + 1 viewers, refuses a viewer's tracks, and seats SFU_STAGE_VIEWERS viewers", async () => {
    const { id: room, hostKey } = await createHostedRoom({ mode: "stage" });
    const host = await TestClient.join(room, "Host", { hostKey });
    expect(host.welcome.you.seat).toBe("speaker");
    const viewers = await joinMany(room, ["V1", "V2", "V3"]);
    expect(viewers.every((v) => v.welcome.you.seat === "viewer")).toBe(true);
    expect(host.client.all("transport")).toHaveLength(0);
    viewers.push(await TestClient.join(room, "V4"));
    expect((await host.client.next("transport")).transport.kind).toBe("sfu");
    const v1 = viewers[0]!;
    const sv = await newSession(room, v1.welcome.mediaToken);
    v1.client.send({ type: "sfu-tracks", session: sv, tracks: [{ name: "cam-v", role: "camera" }] });
    expect((await v1.client.next("error")).code).toBe("not-on-stage");
    viewers.push(...(await joinMany(room, ["V5", "V6", "V7", "V8"])));
    const extra = await TestClient.open(room);
    extra.send({ type: "join", v: 1, name: "V9", media: { mic: false, cam: false, screen: false } });
    expect((await extra.next("error")).code).toBe("stage-full");
    expect((await extra.waitClosed()).code).toBe(4409);
    closeAll([host, ...viewers]);
  });

  it("takes SFU_MEETING_MAX members in a meeting, past the mesh's ROOM_CAPACITY", async () => {
    const room = await createRoom();
    const xs = await joinMany(room, ["A", "B", "C", "D", "E", "F"]);
    const extra = await TestClient.open(room);
    extra.send({ type: "join", v: 1, name: "G", media: { mic: false, cam: false, screen: false } });
    // The refusal names the SFU's cap, not the mesh's.
    expect(await extra.next("error")).toMatchObject({ code: "room-full", limit: 6 });
    closeAll(xs);
  });

  it("batches roster changes in a large room without changing what anyone learns", async () => {
    const room = await createRoom();
    const early = await joinMany(room, ["A", "B", "C", "D", "E"]);
    // The fourth join switched the room; the fifth was welcomed on the SFU.
    await Promise.all(early.slice(0, 4).map((x) => x.client.next("transport")));
    expect(early[4]!.welcome.transport.kind).toBe("sfu");
    // F joins; then A's and B's sockets drop at once: changes to 5 members or more go batched.
    const f = await TestClient.join(room, "F");
    early[0]!.client.close();
    early[1]!.client.close();
    for (const x of early.slice(2)) {
      await x.client.waitFor(() => x.client.all("peer-presence").length === 2, 5000, "both presences");
      // Each heard of everyone after it, once and in order, and of nobody its welcome showed.
      expect(x.client.all("peer-joined").map((m) => m.peer.id)).toEqual([...early.slice(early.indexOf(x) + 1).map((y) => y.id), f.id]);
      expect(x.client.all("peer-presence").map((m) => m.id).sort()).toEqual([early[0]!.id, early[1]!.id].sort());
    }
    // Every frame on the wire was one the protocol reads.
    for (const x of [...early.slice(2), f]) for (const raw of x.client.raw.filter((r) => r !== "pong")) expect(raw.startsWith("{")).toBe(true);
    closeAll([...early.slice(2), f]);
  });
});
