// Stage mode through real WebSocket upgrades on the Worker and the room Durable Object: creating
// and reading the mode, seats, the relay and publishing rules, who may move whom, the stage's
// capacity (STAGE_VIEWERS is 3 here: vitest.config.ts), hands, mode switches, and seats and
// hands across evictions.

import { evictDurableObject } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { MAX_SPEAKERS, type MediaState, type ServerMessage } from "../../protocol/protocol";
import { NO_MEDIA, ORIGIN, TestClient, createHostedRoom, nextAddress, roomStub } from "./client";

const ON: MediaState = { mic: true, cam: true, screen: false };
const offer = { kind: "description", description: { type: "offer", sdp: "v=0 fake" } } as const;
type Joined = Awaited<ReturnType<typeof TestClient.join>>;

/** A stage with its host on it (camera on) and `viewers` viewers (who asked for their camera, and get none). */
async function stageRoom(viewers: number) {
  const { id: room, hostKey } = await createHostedRoom({ mode: "stage" });
  const host = await TestClient.join(room, "Host", { hostKey, media: ON });
  const audience: Joined[] = [];
  for (let i = 0; i < viewers; i++) audience.push(await TestClient.join(room, `V${i}`, { media: ON }));
  return { room, hostKey, host, audience };
}

/** The next error on this socket: its code. */
const nextError = async (c: TestClient) => (await c.next("error")).code;

/** Waits until a frame matching `pred` has arrived (whatever else came before or after it). */
async function arrived<T extends ServerMessage["type"]>(c: TestClient, type: T, pred: (m: Extract<ServerMessage, { type: T }>) => boolean = () => true) {
  await c.waitFor(() => c.all(type).some(pred), 5000, type);
  return c.all(type).filter(pred).at(-1)!;
}

const create = (body?: unknown) =>
  exports.default.fetch(`${ORIGIN}/api/rooms`, { method: "POST", headers: { "CF-Connecting-IP": nextAddress() }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });

describe("stage: creating and reading the mode", () => {
  it("creates a stage or a meeting on request, and GET /api/rooms/:id says which", async () => {
    for (const [body, mode] of [[{ mode: "stage" }, "stage"], [{ mode: "meeting", lobby: true }, "meeting"], [undefined, "meeting"], [{}, "meeting"]] as const) {
      const res = await create(body);
      expect(res.status, JSON.stringify(body)).toBe(201);
      const { id } = (await res.json()) as { id: string };
      const got = await exports.default.fetch(`${ORIGIN}/api/rooms/${id}`);
      expect(await got.json()).toEqual({ id, mode, sfu: false });
    }
  });

  it("refuses a mode it does not know with a 400 that says what it takes", async () => {
    for (const mode of ["webinar", 5, null, true]) {
      const res = await create({ mode });
      expect(res.status, String(mode)).toBe(400);
      expect(await res.json()).toEqual({ error: '"mode" must be "meeting" or "stage"', status: 400 });
    }
    const extra = await create({ mode: "stage", speakers: 2 });
    expect(await extra.json()).toMatchObject({ status: 400, error: expect.stringMatching(/only "lobby" and "mode"/) });
  });
});

describe("stage: seats, relaying and publishing", () => {
  it("seats the host as a speaker and the others as viewers with nothing on, in every roster", async () => {
    const { host, audience } = await stageRoom(2);
    const [v0, v1] = audience as [Joined, Joined];
    expect(host.welcome.you).toMatchObject({ seat: "speaker", role: "host", media: ON });
    expect(host.welcome.stage).toMatchObject({ mode: "stage", hands: [] });
    expect(host.welcome.stage.liveSince).toBeGreaterThan(0);
    expect(host.welcome.settings.stageViewers).toBe(3);
    expect(v0.welcome.you).toMatchObject({ seat: "viewer", media: NO_MEDIA });
    // V0 is in the crowd with V1: only the host sees it (test/workerd/crowd.test.ts).
    expect(v1.welcome.peers.map((p) => [p.name, p.seat, p.media])).toEqual([["Host", "speaker", ON]]);
    expect((await arrived(host.client, "peer-joined", (j) => j.peer.id === v1.id)).peer).toMatchObject({ seat: "viewer", media: NO_MEDIA });
  });

  it("refuses a viewer's signal to another viewer; relays viewer to speaker and speaker to viewer", async () => {
    const { host, audience } = await stageRoom(2);
    const [v0, v1] = audience as [Joined, Joined];
    v0.client.send({ type: "signal", to: v1.id, data: offer });
    // Both in the crowd: v1 is not in the room as far as v0 knows.
    expect(await nextError(v0.client)).toBe("unknown-peer");
    v0.client.send({ type: "signal", to: host.id, data: offer });
    expect(await host.client.next("signal")).toEqual({ type: "signal", from: v0.id, data: offer });
    host.client.send({ type: "signal", to: v1.id, data: { kind: "tier", video: false } });
    expect(await v1.client.next("signal")).toEqual({ type: "signal", from: host.id, data: { kind: "tier", video: false } });
    expect(v1.client.all("signal").filter((s) => s.from === v0.id)).toEqual([]);
  });

  it("refuses a viewer's media frame that turns anything on, and passes on all off", async () => {
    const { host, audience } = await stageRoom(1);
    const [v] = audience as [Joined];
    v.client.send({ type: "media", media: { mic: false, cam: false, screen: true } });
    expect(await nextError(v.client)).toBe("not-on-stage");
    v.client.send({ type: "media", media: NO_MEDIA });
    expect(await host.client.next("peer-media")).toEqual({ type: "peer-media", id: v.id, media: NO_MEDIA });
  });
});

describe("stage: who may move whom", () => {
  it("lets only a host or cohost move seats or switch the mode; a viewer cannot promote itself", async () => {
    const { host, audience } = await stageRoom(2);
    const [v0, v1] = audience as [Joined, Joined];
    v0.client.send({ type: "set-seat", id: v0.id, seat: "speaker" });
    expect(await nextError(v0.client)).toBe("forbidden");
    v0.client.send({ type: "set-mode", mode: "meeting" });
    expect(await nextError(v0.client)).toBe("forbidden");
    v0.client.send({ type: "leave-stage" });
    expect(await nextError(v0.client)).toBe("not-stage");
    // A cohost may.
    host.client.send({ type: "set-role", id: v1.id, role: "cohost" });
    await arrived(v1.client, "peer-role", (r) => r.id === v1.id);
    v1.client.send({ type: "set-seat", id: v0.id, seat: "speaker" });
    expect(await arrived(host.client, "peer-seat")).toEqual({ type: "peer-seat", id: v0.id, seat: "speaker" });
    // Moved up, it publishes: now the room passes its media on.
    v0.client.send({ type: "media", media: ON });
    expect(await arrived(host.client, "peer-media", (m) => m.id === v0.id)).toMatchObject({ media: ON });
    // And a speaker steps down itself: its media goes off for the others.
    v0.client.send({ type: "leave-stage" });
    await arrived(v1.client, "peer-seat", (s) => s.id === v0.id && s.seat === "viewer");
    expect(await arrived(host.client, "peer-media", (m) => m.id === v0.id && !m.media.cam)).toMatchObject({ media: NO_MEDIA });
    expect(v0.client.all("error").map((e) => e.code)).toEqual(["forbidden", "forbidden", "not-stage"]);
  });

  it("turns the viewer away past STAGE_VIEWERS (stage-full, 4409), and a fifth speaker (speakers-full)", async () => {
    const { room, host, audience } = await stageRoom(3);
    const late = await TestClient.open(room);
    late.send({ type: "join", v: 1, name: "Late", media: NO_MEDIA });
    expect(await nextError(late)).toBe("stage-full");
    expect(await late.waitClosed()).toEqual({ code: 4409, reason: "stage full" });
    // Three viewers up: four speakers, and the audience has room again.
    for (const v of audience) {
      host.client.send({ type: "set-seat", id: v.id, seat: "speaker" });
      await arrived(host.client, "peer-seat", (s) => s.id === v.id);
    }
    const fifth = await TestClient.join(room, "Fifth");
    expect(fifth.welcome.you.seat).toBe("viewer");
    expect(fifth.welcome.peers.filter((p) => p.seat === "speaker")).toHaveLength(MAX_SPEAKERS);
    host.client.send({ type: "set-seat", id: fifth.id, seat: "speaker" });
    expect(await nextError(host.client)).toBe("speakers-full");
    expect(host.client.closed).toBeNull();
  });
});

describe("stage: hands", () => {
  it("keeps raised hands in order, for everyone and for a late joiner's welcome; moving up lowers one", async () => {
    const { room, host, audience } = await stageRoom(2);
    const [v0, v1] = audience as [Joined, Joined];
    v1.client.send({ type: "hand", up: true });
    await arrived(host.client, "stage", (s) => s.stage.hands.length === 1);
    v0.client.send({ type: "hand", up: true });
    const both = await arrived(v1.client, "stage", (s) => s.stage.hands.length === 2);
    expect(both.stage.hands).toEqual([v1.id, v0.id]);
    // A repeat changes nothing and tells nobody.
    v0.client.send({ type: "hand", up: true });
    v0.client.send({ type: "history", after: 0 });
    await v0.client.next("history");
    expect(host.client.all("stage")).toHaveLength(2);
    host.client.send({ type: "set-seat", id: v1.id, seat: "speaker" });
    await arrived(v0.client, "stage", (s) => s.stage.hands.join() === v0.id);
    // A late joiner sees the stage as it is: who speaks, whose hand is up.
    const late = await TestClient.join(room, "Late");
    expect(late.welcome.stage.hands).toEqual([v0.id]);
    // The late joiner is in the crowd with v0: it sees the stage, and v0 only in the count.
    expect(late.welcome.peers.map((p) => [p.id, p.seat])).toEqual([[host.id, "speaker"], [v1.id, "speaker"]]);
    expect(late.welcome.audience).toBe(2);
  });

  it("lets a host or cohost lower every hand at once, with one stage frame; a member is refused", async () => {
    const { host, audience } = await stageRoom(3);
    const [v0, v1, v2] = audience as [Joined, Joined, Joined];
    for (const v of [v0, v1, v2]) {
      v.client.send({ type: "hand", up: true });
      await arrived(host.client, "stage", (s) => s.stage.hands.includes(v.id));
    }
    v0.client.send({ type: "lower-hands" });
    expect(await nextError(v0.client)).toBe("forbidden");
    const before = v1.client.all("stage").length;
    host.client.send({ type: "lower-hands" });
    expect((await arrived(v1.client, "stage", (s) => s.stage.hands.length === 0)).stage).toMatchObject({ mode: "stage", hands: [] });
    // Nothing up: nothing to say. A cohost may too, once there is.
    host.client.send({ type: "lower-hands" });
    host.client.send({ type: "set-role", id: v2.id, role: "cohost" });
    await arrived(v2.client, "peer-role", (r) => r.id === v2.id);
    v0.client.send({ type: "hand", up: true });
    await arrived(v2.client, "stage", (s) => s.stage.hands.join() === v0.id);
    v2.client.send({ type: "lower-hands" });
    await arrived(v1.client, "stage", (s) => s.stage.hands.length === 0 && v1.client.all("stage").length > before + 2);
    expect(v1.client.all("stage").slice(before).map((s) => s.stage.hands)).toEqual([[], [v0.id], []]);
    expect(host.client.all("error")).toEqual([]);
    expect(v2.client.all("error")).toEqual([]);
  });

  it("bounds hand toggling: rate-limited, then the member is expelled with 4429", async () => {
    const { host, audience } = await stageRoom(1);
    const [v] = audience as [Joined];
    for (let i = 0; i < 40 && v.client.closed === null; i++) {
      try {
        v.client.send({ type: "hand", up: i % 2 === 0 });
      } catch {
        break;
      }
    }
    expect(await v.client.waitClosed()).toEqual({ code: 4429, reason: "too many hand changes" });
    expect(v.client.all("error").map((e) => e.code)).toEqual(["rate-limited"]);
    expect((await arrived(host.client, "peer-left")).id).toBe(v.id);
    // The room heard a handful of changes, not forty.
    expect(host.client.all("stage").length).toBeLessThanOrEqual(6);
  });
});

describe("stage: switching the mode", () => {
  it("makes a meeting a stage and back: seats, media and liveSince follow", async () => {
    const { id: room, hostKey } = await createHostedRoom();
    const host = await TestClient.join(room, "Host", { hostKey, media: ON });
    const a = await TestClient.join(room, "A", { media: ON });
    expect(a.welcome.stage).toEqual({ mode: "meeting", hands: [], liveSince: null });
    host.client.send({ type: "set-mode", mode: "stage" });
    const live = await arrived(a.client, "stage", (s) => s.stage.mode === "stage");
    expect(live.stage.liveSince).toBeGreaterThan(0);
    // The mode comes first, then the seats.
    expect(await arrived(a.client, "peer-seat")).toEqual({ type: "peer-seat", id: a.id, seat: "viewer" });
    expect(await arrived(host.client, "peer-media")).toEqual({ type: "peer-media", id: a.id, media: NO_MEDIA });
    a.client.send({ type: "media", media: ON });
    expect(await nextError(a.client)).toBe("not-on-stage");
    host.client.send({ type: "set-mode", mode: "meeting" });
    expect((await arrived(a.client, "stage", (s) => s.stage.mode === "meeting")).stage.liveSince).toBeNull();
    expect(await arrived(a.client, "peer-seat", (m) => m.seat === "speaker")).toEqual({ type: "peer-seat", id: a.id, seat: "speaker" });
    a.client.send({ type: "media", media: ON });
    expect(await arrived(host.client, "peer-media", (m) => m.media.cam)).toMatchObject({ id: a.id });
  });

  it("keeps a stage a stage when a meeting could not hold everyone (room-full), without closing anyone", async () => {
    // Two key holders and three viewers: five, past the meeting's four (vitest.config.ts).
    const { room, hostKey, host } = await stageRoom(3);
    await TestClient.join(room, "Host 2", { hostKey });
    host.client.send({ type: "set-mode", mode: "meeting" });
    expect(await nextError(host.client)).toBe("room-full");
    const check = await TestClient.join(room, "Check", { hostKey });
    expect(check.welcome.stage.mode).toBe("stage");
    expect(host.client.closed).toBeNull();
  });
});

describe("stage: across evictions", () => {
  it("keeps seats, hands and the relay rule when the object is evicted with hibernating sockets", async () => {
    const { room, host, audience } = await stageRoom(2);
    const [v0, v1] = audience as [Joined, Joined];
    v1.client.send({ type: "hand", up: true });
    await arrived(host.client, "stage", (s) => s.stage.hands.length === 1);
    await evictDurableObject(roomStub(room), { webSockets: "hibernate" });
    v0.client.send({ type: "signal", to: v1.id, data: offer });
    expect(await nextError(v0.client)).toBe("unknown-peer");
    v0.client.send({ type: "signal", to: host.id, data: offer });
    expect((await host.client.next("signal")).from).toBe(v0.id);
    const late = await TestClient.join(room, "Late");
    expect(late.welcome.stage).toMatchObject({ mode: "stage", hands: [v1.id] });
    // The crowd was counted again from storage: the two viewers and the late one.
    expect(late.welcome.peers.map((p) => p.seat)).toEqual(["speaker"]);
    expect(late.welcome.audience).toBe(3);
  });

  it("gives a member its seat and hand back on resume after an eviction that closed the sockets", async () => {
    const { room, host, audience } = await stageRoom(2);
    const [v0, v1] = audience as [Joined, Joined];
    host.client.send({ type: "set-seat", id: v0.id, seat: "speaker" });
    // v1 meets v0 out of the crowd (protocol/features/crowd.ts).
    await arrived(v1.client, "peer-joined", (j) => j.peer.id === v0.id);
    v1.client.send({ type: "hand", up: true });
    await arrived(host.client, "stage", (s) => s.stage.hands.length === 1);
    await evictDurableObject(roomStub(room), { webSockets: "close" });
    await Promise.all([host, v0, v1].map((j) => j.client.waitClosed()));
    const back0 = await TestClient.join(room, "V0", { resume: { id: v0.id, token: v0.welcome.resumeToken }, media: ON });
    expect(back0.welcome).toMatchObject({ resumed: true, you: { id: v0.id, seat: "speaker", media: ON } });
    const back1 = await TestClient.join(room, "V1", { resume: { id: v1.id, token: v1.welcome.resumeToken }, media: ON });
    expect(back1.welcome).toMatchObject({ resumed: true, you: { id: v1.id, seat: "viewer", media: NO_MEDIA } });
    expect(back1.welcome.stage.hands).toEqual([v1.id]);
  });
});
