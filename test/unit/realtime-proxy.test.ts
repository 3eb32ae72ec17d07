// The SFU proxy (worker/realtime/sfu-proxy.ts) in Node, over the Realtime stand-in and a recording
// engine double: members only, each session bound to its creator, pulls only from this room's
// sessions, a stage's viewers pull but never publish, bounded bodies, rations and sessions per
// member, every request body checked (protocol/sfu.ts), and the API's failures mapped to clear
// JSON errors (429/502/504) that never carry the secret. In workerd, through the Worker and the
// room object: test/workerd-realtime/sfu.test.ts.

import { describe, expect, it } from "vitest";
import { SFU_BODY_MAX_BYTES, SFU_SESSIONS_PER_MEMBER } from "../../protocol/sfu";
import { RealtimeClient } from "../../worker/realtime/realtime-client";
import { realtimeSettings } from "../../worker/realtime/realtime-settings";
import { SFU_MEMBER_RATE, SfuProxy, sfuPathOf } from "../../worker/realtime/sfu-proxy";
import { MemorySfuSessions } from "../../worker/realtime/session-store";
import { RealtimeStandIn } from "../realtime-stand-in/http";
import { FIXED_ANSWER, FIXED_OFFER, RecordingEngineDouble } from "./realtime-engine-double";

const SECRET = "proxy-test-secret";
const OFFER = { type: "offer", sdp: "v=0\r\ns=client-offer\r\n" };
const ANSWER = { type: "answer", sdp: "v=0\r\ns=client-answer\r\n" };

function setup(o: { timeoutMs?: number } = {}) {
  let now = 10_000_000;
  const engine = new RecordingEngineDouble();
  const standIn = new RealtimeStandIn("app", SECRET, engine, () => now);
  const settings = realtimeSettings({ REALTIME_APP_ID: "app", REALTIME_APP_SECRET: SECRET, REALTIME_API_URL: "https://rtc.stand-in.test/v1" })!;
  const client = new RealtimeClient({ ...settings, timeoutMs: o.timeoutMs ?? 2000, fetch: standIn.fetch, now: () => now });
  const members = new Map<string, { id: string; mayPublish: boolean }>([
    ["token-a", { id: "A", mayPublish: true }],
    ["token-b", { id: "B", mayPublish: true }],
    ["token-v", { id: "V", mayPublish: false }],
  ]);
  const sessions = new MemorySfuSessions();
  const proxy = new SfuProxy({
    client,
    sessions,
    caller: (token) => (token === null ? null : (members.get(token) ?? null)),
    isMember: (id) => [...members.values()].some((m) => m.id === id),
    now: () => now,
  });
  const call = async (token: string | null, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const req = new Request(`https://roomlink.test/api/rooms/r1/sfu/${path}`, {
      method,
      headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}), "Content-Type": "application/json", ...headers },
      ...(body !== undefined ? { body: typeof body === "string" ? body : JSON.stringify(body) } : {}),
    });
    const res = await proxy.handle(req, sfuPathOf(new URL(req.url).pathname)!);
    const text = await res.text();
    expect(text).not.toContain(SECRET);
    return { status: res.status, body: JSON.parse(text) as Record<string, any>, headers: res.headers };
  };
  /** A session of `token`'s member publishing `names`. */
  const session = async (token: string, ...names: string[]) => {
    const created = await call(token, "POST", "sessions/new", {});
    expect(created.status).toBe(201);
    const id = created.body.sessionId as string;
    if (names.length > 0) {
      const pushed = await call(token, "POST", `sessions/${id}/tracks/new`, { sessionDescription: OFFER, tracks: names.map((trackName, i) => ({ location: "local", mid: String(i), trackName })) });
      expect(pushed.status).toBe(200);
    }
    return id;
  };
  /** Another client on the same app: a second object, or the same one after waking with fresh counts. */
  const otherClient = () => new RealtimeClient({ ...settings, timeoutMs: 2000, fetch: standIn.fetch, now: () => now });
  return { engine, standIn, members, sessions, call, session, otherClient, tick: (ms: number) => (now += ms) };
}

describe("SFU proxy: who may call", () => {
  it("serves members only, by their media token", async () => {
    const { call } = setup();
    for (const token of [null, "token-x", "token a"]) {
      const res = await call(token, "POST", "sessions/new", {});
      expect(res.status).toBe(403);
      expect(res.body).toEqual({ error: expect.stringMatching(/not a member of this room/), status: 403 });
    }
    const ok = await call("token-a", "POST", "sessions/new", { sessionDescription: OFFER });
    expect(ok).toMatchObject({ status: 201, body: { sessionId: expect.any(String), sessionDescription: FIXED_ANSWER } });
  });

  it("binds each session to the member that created it: another member cannot act on it (403), an unknown one is 404", async () => {
    const { call, session, engine } = setup();
    const a = await session("token-a", "cam");
    const before = engine.calls.length;
    for (const [method, path, body] of [
      ["POST", `sessions/${a}/tracks/new`, { tracks: [{ location: "remote", sessionId: a, trackName: "cam" }] }],
      ["PUT", `sessions/${a}/renegotiate`, { sessionDescription: ANSWER }],
      ["PUT", `sessions/${a}/tracks/close`, { tracks: [{ mid: "0" }], force: true }],
      ["GET", `sessions/${a}`, undefined],
    ] as const) {
      const res = await call("token-b", method, path, body);
      expect(res.status, path).toBe(403);
      expect(res.body.error).toBe("this SFU session belongs to another member");
      expect((await call("token-a", method, path.replace(a, "f".repeat(32)), body)).status).toBe(404);
    }
    expect(engine.calls.length).toBe(before);
  });

  it("lets a member pull another member's tracks by (sessionId, trackName), and renegotiate its own session", async () => {
    const { call, session } = setup();
    const a = await session("token-a", "cam", "mic");
    const b = await session("token-b");
    const pulled = await call("token-b", "POST", `sessions/${b}/tracks/new`, {
      tracks: [{ location: "remote", sessionId: a, trackName: "cam", simulcast: { preferredRid: "b" } }, { location: "remote", sessionId: a, trackName: "mic" }],
    });
    expect(pulled.status).toBe(200);
    expect(pulled.body).toEqual({
      requiresImmediateRenegotiation: true,
      sessionDescription: FIXED_OFFER,
      tracks: [
        { location: "remote", mid: "100", sessionId: a, trackName: "cam" },
        { location: "remote", mid: "101", sessionId: a, trackName: "mic" },
      ],
    });
    expect(await call("token-b", "PUT", `sessions/${b}/renegotiate`, { sessionDescription: ANSWER })).toMatchObject({ status: 200, body: {} });
    expect((await call("token-b", "GET", `sessions/${b}`)).body.tracks).toHaveLength(2);
    const closed = await call("token-b", "PUT", `sessions/${b}/tracks/close`, { tracks: [{ mid: "100" }], sessionDescription: OFFER });
    expect(closed.body).toMatchObject({ sessionDescription: FIXED_ANSWER, tracks: [{ mid: "100" }] });
  });

  it("fails a pull from a session this room did not create (or whose member left) as its item, and forwards the rest", async () => {
    const { call, session, members, engine } = setup();
    const a = await session("token-a", "cam");
    const b = await session("token-b", "cam");
    const v = await session("token-v");
    const foreign = "e".repeat(32);
    const res = await call("token-v", "POST", `sessions/${v}/tracks/new`, {
      tracks: [{ location: "remote", sessionId: foreign, trackName: "cam" }, { location: "remote", sessionId: a, trackName: "cam" }],
    });
    expect(res.status).toBe(200);
    expect(res.body.tracks).toEqual([
      { location: "remote", mid: "100", sessionId: a, trackName: "cam" },
      { location: "remote", sessionId: foreign, trackName: "cam", errorCode: "not-in-room", errorDescription: expect.any(String) },
    ]);
    expect(engine.calls.at(-1)).toEqual({ op: "pull", sessionId: v, tracks: [{ sessionId: a, trackName: "cam" }] });
    members.delete("token-b");
    const gone = await call("token-v", "POST", `sessions/${v}/tracks/new`, { tracks: [{ location: "remote", sessionId: b, trackName: "cam" }] });
    expect(gone.body).toEqual({ requiresImmediateRenegotiation: false, tracks: [expect.objectContaining({ sessionId: b, errorCode: "not-in-room" })] });
    // And a member who left can no longer call at all.
    expect((await call("token-b", "GET", `sessions/${b}`)).status).toBe(403);
  });

  it("lets a stage's viewer pull but not publish", async () => {
    const { call, session } = setup();
    const a = await session("token-a", "cam");
    const v = await session("token-v");
    const push = await call("token-v", "POST", `sessions/${v}/tracks/new`, { sessionDescription: OFFER, tracks: [{ location: "local", mid: "0", trackName: "cam" }] });
    expect(push).toMatchObject({ status: 403, body: { error: expect.stringMatching(/viewer does not publish/) } });
    const pull = await call("token-v", "POST", `sessions/${v}/tracks/new`, { tracks: [{ location: "remote", sessionId: a, trackName: "cam" }] });
    expect(pull.status).toBe(200);
  });
});

describe("SFU proxy: bounds", () => {
  it("refuses a body past its bound with 413, and malformed bodies with 400 and the reason", async () => {
    const { call, session } = setup();
    const a = await session("token-a");
    const huge = JSON.stringify({ sessionDescription: { type: "answer", sdp: "x".repeat(SFU_BODY_MAX_BYTES) } });
    expect((await call("token-a", "PUT", `sessions/${a}/renegotiate`, huge)).status).toBe(413);
    const cases: Array<[string, string, unknown, RegExp]> = [
      ["POST", "sessions/new", "{", /must be JSON/],
      ["POST", "sessions/new", { sessionDescription: ANSWER }, /must be an offer/],
      ["POST", "sessions/new", { autoDiscover: true }, /unknown field "autoDiscover"/],
      ["POST", `sessions/${a}/tracks/new`, { tracks: [] }, /non-empty/],
      ["POST", `sessions/${a}/tracks/new`, { tracks: Array.from({ length: 65 }, () => ({ location: "remote", sessionId: a, trackName: "t" })) }, /at most 64 tracks/],
      ["POST", `sessions/${a}/tracks/new`, { tracks: [{ location: "local", mid: "0", trackName: "cam" }] }, /needs `sessionDescription`/],
      ["POST", `sessions/${a}/tracks/new`, { tracks: [{ location: "remote", sessionId: "../x", trackName: "t" }] }, /sessionId must be/],
      ["POST", `sessions/${a}/tracks/new`, { tracks: [{ location: "remote", sessionId: a, trackName: "has space" }] }, /trackName must be/],
      ["POST", `sessions/${a}/tracks/new`, { tracks: [{ location: "remote", sessionId: a, trackName: "t", simulcast: { preferredRid: "a", layers: 3 } }] }, /unknown field "simulcast.layers"/],
      ["PUT", `sessions/${a}/renegotiate`, { sessionDescription: { type: "answer" } }, /sessionDescription/],
      ["PUT", `sessions/${a}/tracks/close`, { tracks: [{ mid: "0", trackName: "x" }] }, /tracks\[0\] must be/],
      ["PUT", `sessions/${a}/tracks/close`, { tracks: [{ mid: "0" }], force: 1 }, /`force` must be/],
    ];
    for (const [method, path, body, reason] of cases) {
      const res = await call("token-a", method, path, body);
      expect(res.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(res.body.error).toMatch(reason);
    }
    expect((await call("token-a", "GET", `sessions/${a}/tracks/new`)).status).toBe(405);
    expect((await call("token-a", "GET", "sessions/a/b/c")).status).toBe(404);
  });

  it("rations each member's calls (429 with Retry-After), and forgives with time", async () => {
    const { call, session, tick } = setup();
    const a = await session("token-a");
    let refused = null;
    for (let i = 0; i < SFU_MEMBER_RATE.burst + 1 && !refused; i++) {
      const res = await call("token-a", "GET", `sessions/${a}`);
      if (res.status === 429) refused = res;
    }
    expect(refused).not.toBeNull();
    expect(refused!.headers.get("Retry-After")).toBe("1");
    expect((await call("token-b", "POST", "sessions/new", {})).status).toBe(201);
    tick(1000);
    expect((await call("token-a", "GET", `sessions/${a}`)).status).toBe(200);
  });

  it("keeps at most a few sessions per member, forgetting the oldest, and rations their creation", async () => {
    const { call, sessions, tick } = setup();
    const made: string[] = [];
    for (let i = 0; i < SFU_SESSIONS_PER_MEMBER; i++) {
      made.push((await call("token-a", "POST", "sessions/new", {})).body.sessionId);
      tick(1);
    }
    const refused = await call("token-a", "POST", "sessions/new", {});
    expect(refused.status).toBe(429);
    expect(refused.body.error).toMatch(/too many new SFU sessions/);
    tick(10_000);
    made.push((await call("token-a", "POST", "sessions/new", {})).body.sessionId);
    expect(sessions.ofMember("A")).toEqual(made.slice(1));
    expect((await call("token-a", "GET", `sessions/${made[0]}`)).status).toBe(404);
  });
});

describe("SFU proxy: the API's failures", () => {
  it("passes Realtime's own rate limit on as 429, when its count of a session's calls is ahead of the proxy's", async () => {
    const { call, session, otherClient } = setup();
    const a = await session("token-a");
    const other = otherClient();
    for (let i = 0; i < 50; i++) expect((await other.getSession(a)).ok).toBe(true);
    const limited = await call("token-a", "GET", `sessions/${a}`);
    expect(limited).toMatchObject({ status: 429, body: { upstream: { status: 429, errorCode: "rate_limited" } } });
    expect(limited.headers.get("Retry-After")).toBe("1");
  });

  it("maps a refusal to 502 with what the API said, a timeout to 504, and passes a partial success through as items", async () => {
    const { call, session, standIn } = setup({ timeoutMs: 100 });
    standIn.fault("sessions/new", "5xx", 1);
    const down = await call("token-a", "POST", "sessions/new", {});
    expect(down).toMatchObject({ status: 502, body: { error: expect.stringMatching(/refused the call \(503/), status: 502, upstream: { status: 503, errorCode: "internal_error" } } });
    const a = await session("token-a");
    standIn.fault("renegotiate", "4xx", 1);
    expect((await call("token-a", "PUT", `sessions/${a}/renegotiate`, { sessionDescription: ANSWER })).body.upstream).toEqual({ status: 400, errorCode: "bad_request" });
    standIn.fault("session", "timeout", 1);
    expect(await call("token-a", "GET", `sessions/${a}`)).toMatchObject({ status: 504, body: { error: "the SFU did not answer within 100 ms", status: 504 } });
    const b = await session("token-b", "x", "y");
    standIn.fault("tracks/new", "partial", 1);
    const pulled = await call("token-a", "POST", `sessions/${a}/tracks/new`, { tracks: [{ location: "remote", sessionId: b, trackName: "x" }, { location: "remote", sessionId: b, trackName: "y" }] });
    expect(pulled.status).toBe(200);
    expect(pulled.body.tracks.map((t: { errorCode?: string }) => t.errorCode ?? "ok")).toEqual(["ok", "fault_injected"]);
  });
});
