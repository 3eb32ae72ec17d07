// The Realtime stand-in's HTTP half (test/realtime-stand-in/http.ts) over a recording engine
// double: every documented route answers the documented shape, every request is checked against
// the documented shapes, per-item errors come inside a 200, Realtime's limits hold, and the
// injected faults do what they say. Also once behind the real loopback server (server.ts).

import { afterEach, describe, expect, it } from "vitest";
import { RealtimeStandIn, type Fault } from "../realtime-stand-in/http";
import { startRealtimeStandIn, type RunningStandIn } from "../realtime-stand-in/server";
import { FIXED_ANSWER, FIXED_OFFER, RecordingEngineDouble } from "./realtime-engine-double";

const APP = "app-1";
const SECRET = "stand-in-secret";
const BASE = `https://rtc.stand-in.test/v1/apps/${APP}`;
const OFFER = { type: "offer", sdp: "v=0\r\ns=client-offer\r\n" };
const ANSWER = { type: "answer", sdp: "v=0\r\ns=client-answer\r\n" };

function setup(now: () => number = Date.now) {
  const engine = new RecordingEngineDouble();
  const standIn = new RealtimeStandIn(APP, SECRET, engine, now);
  const call = async (method: string, path: string, body?: unknown, init: RequestInit = {}) => {
    const res = await standIn.fetch(`${BASE}/${path}`, {
      method,
      headers: { Authorization: `Bearer ${SECRET}`, "Content-Type": "application/json" },
      ...(body !== undefined ? { body: typeof body === "string" ? body : JSON.stringify(body) } : {}),
      ...init,
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as Record<string, any>) : null };
  };
  /** A session publishing `names` (mids "0", "1", …). */
  const publisher = async (...names: string[]) => {
    const { body } = await call("POST", "sessions/new", {});
    const id = body!.sessionId as string;
    if (names.length > 0) await call("POST", `sessions/${id}/tracks/new`, { sessionDescription: OFFER, tracks: names.map((trackName, i) => ({ location: "local", mid: String(i), trackName })) });
    return id;
  };
  return { engine, standIn, call, publisher };
}

describe("Realtime stand-in: documented routes and shapes", () => {
  it("creates sessions, with and without an offer", async () => {
    const { call, engine } = setup();
    const bare = await call("POST", "sessions/new");
    expect(bare.status).toBe(201);
    expect(bare.body).toEqual({ sessionId: expect.stringMatching(/^[0-9a-f]{32}$/) });
    const offered = await call("POST", "sessions/new", { sessionDescription: OFFER });
    expect(offered.status).toBe(201);
    expect(offered.body!.sessionDescription).toEqual(FIXED_ANSWER);
    expect(engine.calls.map((c) => c.op)).toEqual(["createSession", "createSession", "applyOffer"]);
  });

  it("publishes local tracks with the offer, and pulls them into another session with an offer to answer", async () => {
    const { call, engine, publisher } = setup();
    const pub = await publisher("cam", "mic");
    expect(engine.describe(pub)!.tracks.map((t) => t.trackName)).toEqual(["cam", "mic"]);
    const sub = await publisher();
    const pulled = await call("POST", `sessions/${sub}/tracks/new`, {
      tracks: [
        { location: "remote", sessionId: pub, trackName: "cam", simulcast: { preferredRid: "b", priorityOrdering: "asciibetical", ridNotAvailable: "none" } },
        { location: "remote", sessionId: pub, trackName: "mic" },
      ],
    });
    expect(pulled.status).toBe(200);
    expect(pulled.body).toEqual({
      requiresImmediateRenegotiation: true,
      sessionDescription: FIXED_OFFER,
      tracks: [
        { location: "remote", mid: "100", trackName: "cam", sessionId: pub },
        { location: "remote", mid: "101", trackName: "mic", sessionId: pub },
      ],
    });
    expect(engine.calls.at(-1)).toEqual({ op: "pull", sessionId: sub, tracks: [{ sessionId: pub, trackName: "cam", simulcast: { preferredRid: "b", priorityOrdering: "asciibetical", ridNotAvailable: "none" } }, { sessionId: pub, trackName: "mic" }] });
    expect(await call("PUT", `sessions/${sub}/renegotiate`, { sessionDescription: ANSWER })).toEqual({ status: 200, body: {} });
    expect(engine.calls.at(-1)).toEqual({ op: "applyAnswer", sessionId: sub, answer: ANSWER });
    const state = await call("GET", `sessions/${sub}`);
    expect(state).toEqual({ status: 200, body: { tracks: [expect.objectContaining({ location: "remote", mid: "100", status: "active" }), expect.objectContaining({ mid: "101" })] } });
  });

  it("answers a renegotiation that carries an offer", async () => {
    const { call, publisher } = setup();
    const s = await publisher();
    expect(await call("PUT", `sessions/${s}/renegotiate`, { sessionDescription: OFFER })).toEqual({ status: 200, body: { sessionDescription: FIXED_ANSWER } });
  });

  it("closes tracks by mid, failing unknown mids as items inside the 200", async () => {
    const { call, engine, publisher } = setup();
    const s = await publisher("cam", "mic");
    const closed = await call("PUT", `sessions/${s}/tracks/close`, { tracks: [{ mid: "0" }, { mid: "9" }], sessionDescription: OFFER });
    expect(closed.status).toBe(200);
    expect(closed.body).toEqual({
      requiresImmediateRenegotiation: false,
      sessionDescription: FIXED_ANSWER,
      tracks: [{ mid: "0", trackName: "cam" }, { mid: "9", trackName: "", errorCode: "track_not_found", errorDescription: expect.any(String) }],
    });
    expect(engine.calls.at(-1)).toEqual({ op: "close", sessionId: s, mids: ["0"], offer: OFFER });
    // force: no renegotiation, so the engine gets no offer.
    await call("PUT", `sessions/${s}/tracks/close`, { tracks: [{ mid: "1" }], force: true, sessionDescription: OFFER });
    expect(engine.calls.at(-1)).toEqual({ op: "close", sessionId: s, mids: ["1"], offer: null });
  });

  it("fails a pull of an unknown session or track as its item, and carries out the rest", async () => {
    const { call, engine, publisher } = setup();
    const pub = await publisher("cam");
    const sub = await publisher();
    const res = await call("POST", `sessions/${sub}/tracks/new`, {
      tracks: [
        { location: "remote", sessionId: "nope", trackName: "cam" },
        { location: "remote", sessionId: pub, trackName: "cam" },
        { location: "remote", sessionId: pub, trackName: "screen" },
      ],
    });
    expect(res.status).toBe(200);
    expect(res.body!.tracks).toEqual([
      { location: "remote", sessionId: "nope", trackName: "cam", errorCode: "session_not_found", errorDescription: expect.any(String) },
      { location: "remote", sessionId: pub, trackName: "cam", mid: "100" },
      { location: "remote", sessionId: pub, trackName: "screen", errorCode: "track_not_found", errorDescription: expect.any(String) },
    ]);
    expect(engine.calls.at(-1)).toEqual({ op: "pull", sessionId: sub, tracks: [{ sessionId: pub, trackName: "cam" }] });
  });

  it("answers 404 for a session the path names that does not exist", async () => {
    const { call } = setup();
    for (const [method, path, body] of [
      ["POST", "sessions/abc/tracks/new", { tracks: [{ location: "remote", sessionId: "x", trackName: "t" }] }],
      ["PUT", "sessions/abc/renegotiate", { sessionDescription: ANSWER }],
      ["PUT", "sessions/abc/tracks/close", { tracks: [{ mid: "0" }] }],
      ["GET", "sessions/abc", undefined],
    ] as const) {
      const res = await call(method, path, body);
      expect(res.status, path).toBe(404);
      expect(res.body).toEqual({ errorCode: "session_not_found", errorDescription: expect.any(String) });
    }
  });
});

describe("Realtime stand-in: refusals", () => {
  it("refuses a wrong secret or app id with 401", async () => {
    const { standIn } = setup();
    const wrongSecret = await standIn.fetch(`${BASE}/sessions/new`, { method: "POST", headers: { Authorization: "Bearer nope" } });
    expect(wrongSecret.status).toBe(401);
    const noAuth = await standIn.fetch(`${BASE}/sessions/new`, { method: "POST" });
    expect(noAuth.status).toBe(401);
    const wrongApp = await standIn.fetch(`https://rtc.stand-in.test/v1/apps/other/sessions/new`, { method: "POST", headers: { Authorization: `Bearer ${SECRET}` } });
    expect(wrongApp.status).toBe(401);
    expect(await wrongApp.json()).toEqual({ errorCode: "unauthorized", errorDescription: expect.any(String) });
  });

  it("refuses every request that is not the documented shape, with the reason", async () => {
    const { call, publisher } = setup();
    const s = await publisher("cam");
    const cases: Array<[string, string, unknown, RegExp]> = [
      ["POST", "sessions/new", "{not json", /not JSON/],
      ["POST", "sessions/new", { sessionDescription: { type: "answer", sdp: "v=0" } }, /must be an offer/],
      ["POST", "sessions/new", { sessionDescription: { type: "pranswer", sdp: "v=0" } }, /type must be/],
      ["POST", "sessions/new", { sessionDescription: OFFER, extra: 1 }, /"extra" is not a documented field/],
      ["POST", `sessions/${s}/tracks/new`, {}, /tracks must be a non-empty array/],
      ["POST", `sessions/${s}/tracks/new`, { tracks: [] }, /non-empty/],
      ["POST", `sessions/${s}/tracks/new`, { tracks: [{ location: "local", trackName: "a" }], sessionDescription: OFFER }, /needs the mid/],
      ["POST", `sessions/${s}/tracks/new`, { tracks: [{ location: "local", mid: "0", trackName: "a" }] }, /need sessionDescription/],
      ["POST", `sessions/${s}/tracks/new`, { tracks: [{ location: "remote", trackName: "a" }] }, /needs the sessionId/],
      ["POST", `sessions/${s}/tracks/new`, { tracks: [{ location: "elsewhere", trackName: "a" }] }, /location must be/],
      ["POST", `sessions/${s}/tracks/new`, { tracks: [{ location: "remote", sessionId: s, trackName: "a", simulcast: { priorityOrdering: "best" } }] }, /priorityOrdering must be/],
      ["POST", `sessions/${s}/tracks/new`, { tracks: [{ location: "remote", sessionId: s, trackName: "" }] }, /trackName is required/],
      ["PUT", `sessions/${s}/renegotiate`, {}, /SessionDescription/],
      ["PUT", `sessions/${s}/renegotiate`, { sessionDescription: { type: "answer", sdp: "" } }, /sdp must be/],
      ["PUT", `sessions/${s}/tracks/close`, { tracks: [{ trackName: "cam" }] }, /CloseTrackObject/],
      ["PUT", `sessions/${s}/tracks/close`, { tracks: [{ mid: "0" }], force: "yes" }, /force must be a boolean/],
    ];
    for (const [method, path, body, reason] of cases) {
      const res = await call(method, path, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body!.errorCode).toBe("bad_request");
      expect(res.body!.errorDescription).toMatch(reason);
    }
    expect((await call("GET", `sessions/${s}/tracks/new`)).status).toBe(405);
    expect((await call("POST", "sessions/nope/whatever", {})).status).toBe(404);
  });

  it("refuses more than 64 tracks in one call", async () => {
    const { call, publisher } = setup();
    const pub = await publisher("cam");
    const sub = await publisher();
    const tracks = (n: number) => Array.from({ length: n }, () => ({ location: "remote", sessionId: pub, trackName: "cam" }));
    expect((await call("POST", `sessions/${sub}/tracks/new`, { tracks: tracks(64) })).status).toBe(200);
    const over = await call("POST", `sessions/${sub}/tracks/new`, { tracks: tracks(65) });
    expect(over.status).toBe(400);
    expect(over.body!.errorDescription).toMatch(/at most 64 tracks/);
    const close = await call("PUT", `sessions/${sub}/tracks/close`, { tracks: Array.from({ length: 65 }, (_, i) => ({ mid: String(i) })) });
    expect(close.status).toBe(400);
  });

  it("refuses the 51st call within a second on one session with 429, and takes calls again a second later", async () => {
    let now = 1_000_000;
    const { call, publisher } = setup(() => now);
    const a = await publisher();
    const b = await publisher();
    for (let i = 0; i < 50; i++) expect((await call("GET", `sessions/${a}`)).status).toBe(200);
    const refused = await call("GET", `sessions/${a}`);
    expect(refused.status).toBe(429);
    expect(refused.body!.errorCode).toBe("rate_limited");
    // Per session: another session is not affected.
    expect((await call("GET", `sessions/${b}`)).status).toBe(200);
    now += 1000;
    expect((await call("GET", `sessions/${a}`)).status).toBe(200);
  });
});

describe("Realtime stand-in: injected faults", () => {
  it("answers 5xx or 4xx on the faulted route only, for as many calls as asked", async () => {
    const { call, standIn, publisher } = setup();
    const s = await publisher();
    standIn.fault("sessions/new", "5xx", 1);
    expect((await call("POST", "sessions/new")).status).toBe(503);
    expect((await call("POST", "sessions/new")).status).toBe(201);
    standIn.fault("renegotiate", "4xx");
    expect((await call("PUT", `sessions/${s}/renegotiate`, { sessionDescription: ANSWER })).body).toEqual({ errorCode: "bad_request", errorDescription: expect.stringMatching(/injected/) });
    expect((await call("PUT", `sessions/${s}/renegotiate`, { sessionDescription: ANSWER })).status).toBe(400);
    expect((await call("GET", `sessions/${s}`)).status).toBe(200);
    standIn.fault("renegotiate", null);
    expect((await call("PUT", `sessions/${s}/renegotiate`, { sessionDescription: ANSWER })).status).toBe(200);
  });

  it("never answers a timed-out route until the caller gives up, or the stand-in stops", async () => {
    const { standIn } = setup();
    standIn.fault("sessions/new", "timeout");
    const abort = new AbortController();
    const pending = standIn.fetch(`${BASE}/sessions/new`, { method: "POST", headers: { Authorization: `Bearer ${SECRET}` }, signal: abort.signal });
    let settled = false;
    void pending.then(() => (settled = true), () => (settled = true));
    await new Promise((r) => setTimeout(r, 50));
    expect(settled).toBe(false);
    abort.abort(new Error("gave up"));
    await expect(pending).rejects.toThrow("gave up");
    const left = standIn.fetch(`${BASE}/sessions/new`, { method: "POST", headers: { Authorization: `Bearer ${SECRET}` } });
    standIn.stop();
    await expect(left).rejects.toThrow(/stopped/);
  });

  it("fails every second item of a partial tracks call, and carries out the rest", async () => {
    const { call, standIn, engine, publisher } = setup();
    const pub = await publisher("a", "b", "c");
    const sub = await publisher();
    standIn.fault("tracks/new", "partial", 1);
    const res = await call("POST", `sessions/${sub}/tracks/new`, { tracks: ["a", "b", "c"].map((trackName) => ({ location: "remote", sessionId: pub, trackName })) });
    expect(res.status).toBe(200);
    expect(res.body!.tracks.map((t: { trackName: string; errorCode?: string }) => [t.trackName, t.errorCode ?? "ok"])).toEqual([["a", "ok"], ["b", "fault_injected"], ["c", "ok"]]);
    expect(engine.calls.at(-1)).toEqual({ op: "pull", sessionId: sub, tracks: [{ sessionId: pub, trackName: "a" }, { sessionId: pub, trackName: "c" }] });
    expect(() => standIn.fault("session", "partial" as Fault)).toThrow(/track calls/);
  });
});

describe("Realtime stand-in behind its loopback server", () => {
  let running: RunningStandIn | null = null;
  afterEach(async () => {
    await running?.stop();
    running = null;
  });

  it("serves the routes on 127.0.0.1 and ends a hanging call when the client goes away", async () => {
    running = await startRealtimeStandIn({ appId: APP, secret: SECRET, engine: new RecordingEngineDouble() });
    expect(running.apiUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    const headers = { Authorization: `Bearer ${SECRET}`, "Content-Type": "application/json" };
    const created = await fetch(`${running.apiUrl}/apps/${APP}/sessions/new`, { method: "POST", headers, body: JSON.stringify({ sessionDescription: OFFER }) });
    expect(created.status).toBe(201);
    const { sessionId } = (await created.json()) as { sessionId: string };
    expect((await fetch(`${running.apiUrl}/apps/${APP}/sessions/${sessionId}`, { headers })).status).toBe(200);
    running.standIn.fault("session", "timeout");
    await expect(fetch(`${running.apiUrl}/apps/${APP}/sessions/${sessionId}`, { headers, signal: AbortSignal.timeout(200) })).rejects.toThrow();
  });
});
