// The SFU proxy through the Worker and the room's Durable Object in workerd, with Realtime
// configured and its stand-in (test/realtime-stand-in/http.ts, over an engine double) as the
// API: members only (by their media token), each session bound to its creator, a departed
// member's token and sessions void, a stage's viewers pull only, bodies bounded, bindings that
// outlive the object's eviction, the API's failures as clear JSON errors, and the secret only
// ever in the stand-in's Authorization header, never in an answer.

import { env, exports } from "cloudflare:workers";
import { evictDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { SFU_BODY_MAX_BYTES } from "../../protocol/sfu";
import { ORIGIN, TestClient, createHostedRoom, createRoom, roomStub } from "../workerd/client";

const STAND_IN = "https://realtime-stand-in.test";
const OFFER = { type: "offer", sdp: "v=0\r\ns=client-offer\r\n" };
const ANSWER = { type: "answer", sdp: "v=0\r\ns=client-answer\r\n" };

interface Answer {
  status: number;
  body: Record<string, any>;
}

/** An SFU proxy call with `token` (a member's media token, or anything else); checks that the answer never carries the secret. */
async function sfu(room: string, token: string | null, method: string, path: string, body?: unknown): Promise<Answer> {
  const res = await exports.default.fetch(`${ORIGIN}/api/rooms/${room}/sfu/${path}`, {
    method,
    headers: { ...(token !== null ? { Authorization: `Bearer ${token}` } : {}), "Content-Type": "application/json" },
    ...(body !== undefined ? { body: typeof body === "string" ? body : JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  expect(text).not.toContain(env.REALTIME_APP_SECRET!);
  for (const [, v] of res.headers) expect(v).not.toContain(env.REALTIME_APP_SECRET!);
  return { status: res.status, body: JSON.parse(text) };
}

/** A session of `token`'s member, publishing `names` (mids "0", "1", …). */
async function session(room: string, token: string, ...names: string[]): Promise<string> {
  const created = await sfu(room, token, "POST", "sessions/new", { sessionDescription: OFFER });
  expect(created.status).toBe(201);
  const id = created.body.sessionId as string;
  if (names.length > 0) {
    const pushed = await sfu(room, token, "POST", `sessions/${id}/tracks/new`, { sessionDescription: OFFER, tracks: names.map((trackName, i) => ({ location: "local", mid: String(i), trackName })) });
    expect(pushed.status).toBe(200);
  }
  return id;
}

async function fault(route: string, kind: string | null, times?: number) {
  await fetch(`${STAND_IN}/__fault`, { method: "POST", body: JSON.stringify({ route, fault: kind, times }) });
}

describe("SFU proxy in workerd", () => {
  it("serves members only, and calls Realtime with the app's secret", async () => {
    const room = await createRoom();
    expect(await (await exports.default.fetch(`${ORIGIN}/api/rooms/${room}`)).json()).toEqual({ id: room, mode: "meeting", sfu: true });
    const a = await TestClient.join(room, "A");
    for (const token of [null, "not-a-token", `${a.welcome.mediaToken}x`]) {
      const refused = await sfu(room, token, "POST", "sessions/new", {});
      expect(refused.status).toBe(403);
      expect(refused.body.error).toMatch(/not a member of this room/);
    }
    const created = await sfu(room, a.welcome.mediaToken, "POST", "sessions/new", { sessionDescription: OFFER });
    expect(created).toMatchObject({ status: 201, body: { sessionId: expect.stringMatching(/^[0-9a-f]{32}$/), sessionDescription: { type: "answer" } } });
    const seen = (await (await fetch(`${STAND_IN}/__seen`)).json()) as Array<{ path: string; auth: string }>;
    const mine = seen.filter((c) => c.path === `/v1/apps/${env.REALTIME_APP_ID}/sessions/new`);
    expect(mine.length).toBeGreaterThan(0);
    for (const c of mine) expect(c.auth).toBe(`Bearer ${env.REALTIME_APP_SECRET}`);
    // A made-up room has no members to ask.
    expect((await sfu("NoSuchRoomAAAAAAAAAAAA", a.welcome.mediaToken, "POST", "sessions/new", {})).status).toBe(404);
    a.client.close();
  });

  it("binds each session to its creator: another member cannot renegotiate, close or read it (403), but may pull its tracks", async () => {
    const room = await createRoom();
    const a = await TestClient.join(room, "A");
    const b = await TestClient.join(room, "B");
    const sa = await session(room, a.welcome.mediaToken, "cam", "mic");
    const sb = await session(room, b.welcome.mediaToken);
    for (const [method, path, body] of [
      ["PUT", `sessions/${sa}/renegotiate`, { sessionDescription: ANSWER }],
      ["PUT", `sessions/${sa}/tracks/close`, { tracks: [{ mid: "0" }], force: true }],
      ["POST", `sessions/${sa}/tracks/new`, { tracks: [{ location: "remote", sessionId: sb, trackName: "cam" }] }],
      ["GET", `sessions/${sa}`, undefined],
    ] as const) {
      const res = await sfu(room, b.welcome.mediaToken, method, path, body);
      expect(res.status, path).toBe(403);
      expect(res.body).toEqual({ error: "this SFU session belongs to another member", status: 403 });
    }
    const pulled = await sfu(room, b.welcome.mediaToken, "POST", `sessions/${sb}/tracks/new`, { tracks: [{ location: "remote", sessionId: sa, trackName: "cam", simulcast: { preferredRid: "b" } }] });
    expect(pulled).toMatchObject({ status: 200, body: { requiresImmediateRenegotiation: true, sessionDescription: { type: "offer" }, tracks: [{ sessionId: sa, trackName: "cam", mid: expect.any(String) }] } });
    expect((await sfu(room, b.welcome.mediaToken, "PUT", `sessions/${sb}/renegotiate`, { sessionDescription: ANSWER })).status).toBe(200);
    expect((await sfu(room, a.welcome.mediaToken, "PUT", `sessions/${sa}/tracks/close`, { tracks: [{ mid: "1" }], force: true })).status).toBe(200);
    // A session made in another room is not this room's: 404 for its owner here, and a failed item for a pull.
    const other = await createRoom();
    const c = await TestClient.join(other, "C");
    const sc = await session(other, c.welcome.mediaToken, "cam");
    const foreign = await sfu(room, b.welcome.mediaToken, "POST", `sessions/${sb}/tracks/new`, { tracks: [{ location: "remote", sessionId: sc, trackName: "cam" }] });
    expect(foreign.body.tracks).toEqual([expect.objectContaining({ sessionId: sc, errorCode: "not-in-room" })]);
    expect((await sfu(room, c.welcome.mediaToken, "GET", `sessions/${sc}`)).status).toBe(403);
    for (const m of [a, b, c]) m.client.close();
  });

  it("keeps the bindings across the object's eviction, and voids a member's token and sessions when it leaves", async () => {
    const room = await createRoom();
    const a = await TestClient.join(room, "A");
    const b = await TestClient.join(room, "B");
    const sa = await session(room, a.welcome.mediaToken, "cam");
    const sb = await session(room, b.welcome.mediaToken);
    await evictDurableObject(roomStub(room), { webSockets: "hibernate" });
    expect((await sfu(room, a.welcome.mediaToken, "GET", `sessions/${sa}`)).status).toBe(200);
    expect((await sfu(room, b.welcome.mediaToken, "GET", `sessions/${sa}`)).status).toBe(403);
    a.client.send({ type: "leave" });
    await b.client.next("peer-left");
    expect((await sfu(room, a.welcome.mediaToken, "GET", `sessions/${sa}`)).status).toBe(403);
    const pull = await sfu(room, b.welcome.mediaToken, "POST", `sessions/${sb}/tracks/new`, { tracks: [{ location: "remote", sessionId: sa, trackName: "cam" }] });
    expect(pull.body).toEqual({ requiresImmediateRenegotiation: false, tracks: [expect.objectContaining({ errorCode: "not-in-room" })] });
    b.client.close();
  });

  it("lets a stage's viewer pull the speakers' tracks but not publish", async () => {
    const { id: room, hostKey } = await createHostedRoom({ mode: "stage" });
    const host = await TestClient.join(room, "Host", { hostKey });
    const viewer = await TestClient.join(room, "V");
    expect(viewer.welcome.you.seat).toBe("viewer");
    const sh = await session(room, host.welcome.mediaToken, "cam");
    const sv = await session(room, viewer.welcome.mediaToken);
    const push = await sfu(room, viewer.welcome.mediaToken, "POST", `sessions/${sv}/tracks/new`, { sessionDescription: OFFER, tracks: [{ location: "local", mid: "0", trackName: "cam" }] });
    expect(push.status).toBe(403);
    expect(push.body.error).toMatch(/viewer does not publish/);
    const pull = await sfu(room, viewer.welcome.mediaToken, "POST", `sessions/${sv}/tracks/new`, { tracks: [{ location: "remote", sessionId: sh, trackName: "cam" }] });
    expect(pull.status).toBe(200);
    host.client.close();
    viewer.client.close();
  });

  it("bounds bodies and tracks per call, and answers the API's failures with clear errors", async () => {
    const room = await createRoom();
    const a = await TestClient.join(room, "A");
    const token = a.welcome.mediaToken;
    const sa = await session(room, token, "cam");
    const huge = JSON.stringify({ sessionDescription: { type: "answer", sdp: "x".repeat(SFU_BODY_MAX_BYTES) } });
    expect((await sfu(room, token, "PUT", `sessions/${sa}/renegotiate`, huge)).status).toBe(413);
    const tooMany = await sfu(room, token, "POST", `sessions/${sa}/tracks/new`, { tracks: Array.from({ length: 65 }, () => ({ location: "remote", sessionId: sa, trackName: "cam" })) });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error).toMatch(/at most 64 tracks per call/);
    await fault("renegotiate", "5xx", 1);
    const down = await sfu(room, token, "PUT", `sessions/${sa}/renegotiate`, { sessionDescription: ANSWER });
    expect(down).toMatchObject({ status: 502, body: { upstream: { status: 503, errorCode: "internal_error" } } });
    expect((await sfu(room, token, "PUT", `sessions/${sa}/renegotiate`, { sessionDescription: ANSWER })).status).toBe(200);
    a.client.close();
  });
});
