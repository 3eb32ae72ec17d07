// The Worker's Cloudflare Realtime client (worker/realtime/realtime-client.ts) against the
// stand-in (over a recording engine double): each call's request is what the API documents (the
// stand-in refuses anything else) and its answer is narrowed to the documented shape; per-item
// errors come through as items; Realtime's limits are kept before a call is spent; every failure
// (4xx, 5xx, a timeout, an unreachable API, an answer of the wrong shape) is a value with a clear
// reason, never a rejection, and never quotes the secret.

import { describe, expect, it } from "vitest";
import { RealtimeClient, type RealtimeResult } from "../../worker/realtime/realtime-client";
import { DEFAULT_REALTIME_API_URL, realtimeSettings } from "../../worker/realtime/realtime-settings";
import { RealtimeStandIn } from "../realtime-stand-in/http";
import { FIXED_ANSWER, FIXED_OFFER, RecordingEngineDouble } from "./realtime-engine-double";

const APP = "app-1";
const SECRET = "client-test-secret";
const OFFER = { type: "offer", sdp: "v=0\r\ns=client-offer\r\n" } as const;
const ANSWER = { type: "answer", sdp: "v=0\r\ns=client-answer\r\n" } as const;

function setup(o: { now?: () => number; timeoutMs?: number; fetch?: typeof fetch } = {}) {
  const engine = new RecordingEngineDouble();
  const standIn = new RealtimeStandIn(APP, SECRET, engine, o.now);
  const settings = realtimeSettings({ REALTIME_APP_ID: APP, REALTIME_APP_SECRET: SECRET, REALTIME_API_URL: "https://rtc.stand-in.test/v1/" })!;
  const client = new RealtimeClient({ ...settings, timeoutMs: o.timeoutMs ?? settings.timeoutMs, fetch: o.fetch ?? standIn.fetch, ...(o.now ? { now: o.now } : {}) });
  return { engine, standIn, client };
}

function value<T>(r: RealtimeResult<T>): T {
  if (!r.ok) throw new Error(`expected success, got ${JSON.stringify(r.failure)}`);
  return r.value;
}

function failure<T>(r: RealtimeResult<T>) {
  if (r.ok) throw new Error(`expected a failure, got ${JSON.stringify(r.value)}`);
  return r.failure;
}

describe("Realtime settings", () => {
  it("needs both the app id and the secret, defaults the base URL, and refuses one that is not http(s)", () => {
    expect(realtimeSettings({})).toBeNull();
    expect(realtimeSettings({ REALTIME_APP_ID: "a" })).toBeNull();
    expect(realtimeSettings({ REALTIME_APP_SECRET: "s" })).toBeNull();
    expect(realtimeSettings({ REALTIME_APP_ID: " ", REALTIME_APP_SECRET: "s" })).toBeNull();
    expect(realtimeSettings({ REALTIME_APP_ID: "a", REALTIME_APP_SECRET: "s" })!.appUrl).toBe(`${DEFAULT_REALTIME_API_URL}/apps/a`);
    expect(realtimeSettings({ REALTIME_APP_ID: "a/b", REALTIME_APP_SECRET: "s", REALTIME_API_URL: "http://127.0.0.1:9/v1//" })!.appUrl).toBe("http://127.0.0.1:9/v1/apps/a%2Fb");
    expect(realtimeSettings({ REALTIME_APP_ID: "a", REALTIME_APP_SECRET: "s", REALTIME_API_URL: "ftp://x" })).toBeNull();
  });
});

describe("Realtime client: the calls", () => {
  it("makes every documented call with the bearer secret, and narrows each answer", async () => {
    const { client, standIn } = setup();
    const pub = value(await client.newSession({ sessionDescription: OFFER }));
    expect(pub).toEqual({ sessionId: expect.any(String), sessionDescription: FIXED_ANSWER });
    const pushed = value(await client.newTracks(pub.sessionId, { sessionDescription: OFFER, tracks: [{ location: "local", mid: "0", trackName: "cam" }] }));
    expect(pushed).toEqual({ requiresImmediateRenegotiation: false, sessionDescription: FIXED_ANSWER, tracks: [{ location: "local", mid: "0", trackName: "cam" }] });
    const sub = value(await client.newSession({}));
    expect(sub.sessionDescription).toBeUndefined();
    const pulled = value(await client.newTracks(sub.sessionId, { tracks: [{ location: "remote", sessionId: pub.sessionId, trackName: "cam", simulcast: { preferredRid: "a" } }] }));
    expect(pulled).toEqual({ requiresImmediateRenegotiation: true, sessionDescription: FIXED_OFFER, tracks: [{ location: "remote", mid: "100", sessionId: pub.sessionId, trackName: "cam" }] });
    expect(value(await client.renegotiate(sub.sessionId, { sessionDescription: ANSWER }))).toEqual({});
    expect(value(await client.getSession(sub.sessionId))).toEqual({ tracks: [{ location: "remote", mid: "100", sessionId: pub.sessionId, trackName: "cam", status: "active" }] });
    const closed = value(await client.closeTracks(sub.sessionId, { tracks: [{ mid: "100" }], force: true }));
    expect(closed.tracks).toEqual([{ mid: "100", trackName: "cam" }]);
    // Every call reached the stand-in with the app's secret, and nowhere but its header.
    expect(standIn.seen.map((c) => `${c.method} ${c.path.replace(/[0-9a-f]{32}/g, "<id>")}`)).toEqual([
      "POST /v1/apps/app-1/sessions/new",
      "POST /v1/apps/app-1/sessions/<id>/tracks/new",
      "POST /v1/apps/app-1/sessions/new",
      "POST /v1/apps/app-1/sessions/<id>/tracks/new",
      "PUT /v1/apps/app-1/sessions/<id>/renegotiate",
      "GET /v1/apps/app-1/sessions/<id>",
      "PUT /v1/apps/app-1/sessions/<id>/tracks/close",
    ]);
    for (const c of standIn.seen) {
      expect(c.auth).toBe(`Bearer ${SECRET}`);
      expect(JSON.stringify(c.body ?? null)).not.toContain(SECRET);
    }
  });

  it("hands per-item errors inside a 200 through as items", async () => {
    const { client } = setup();
    const pub = value(await client.newSession({}));
    await client.newTracks(pub.sessionId, { sessionDescription: OFFER, tracks: [{ location: "local", mid: "0", trackName: "cam" }] });
    const sub = value(await client.newSession({}));
    const r = value(await client.newTracks(sub.sessionId, {
      tracks: [
        { location: "remote", sessionId: pub.sessionId, trackName: "cam" },
        { location: "remote", sessionId: pub.sessionId, trackName: "gone" },
      ],
    }));
    expect(r.tracks[0]).toEqual({ location: "remote", mid: "100", sessionId: pub.sessionId, trackName: "cam" });
    expect(r.tracks[1]).toEqual({ location: "remote", sessionId: pub.sessionId, trackName: "gone", errorCode: "track_not_found", errorDescription: expect.any(String) });
    const closed = value(await client.closeTracks(sub.sessionId, { tracks: [{ mid: "100" }, { mid: "7" }], force: true }));
    expect(closed.tracks.map((t) => t.errorCode ?? "ok")).toEqual(["ok", "track_not_found"]);
  });
});

describe("Realtime client: the API's limits, kept before a call is spent", () => {
  it("refuses the 51st call within a second on one session itself, without calling, and calls again a second later", async () => {
    let now = 5_000_000;
    const { client, standIn } = setup({ now: () => now });
    const s = value(await client.newSession({}));
    const other = value(await client.newSession({}));
    for (let i = 0; i < 50; i++) value(await client.getSession(s.sessionId));
    const before = standIn.seen.length;
    const refused = failure(await client.getSession(s.sessionId));
    expect(refused).toEqual({ kind: "rate-limited", retryAfterMs: expect.any(Number), reason: expect.stringMatching(/50 calls in the last second/) });
    expect(standIn.seen.length).toBe(before);
    value(await client.getSession(other.sessionId));
    now += 1000;
    value(await client.getSession(s.sessionId));
  });

  it("refuses more than 64 tracks in one call without calling", async () => {
    const { client, standIn } = setup();
    const s = value(await client.newSession({}));
    const before = standIn.seen.length;
    const tracks = Array.from({ length: 65 }, (_, i) => ({ location: "remote" as const, sessionId: s.sessionId, trackName: `t${i}` }));
    expect(failure(await client.newTracks(s.sessionId, { tracks })).kind).toBe("too-many-tracks");
    expect(failure(await client.closeTracks(s.sessionId, { tracks: tracks.map((_, i) => ({ mid: String(i) })) })).kind).toBe("too-many-tracks");
    expect(standIn.seen.length).toBe(before);
  });
});

describe("Realtime client: failures are values with clear reasons", () => {
  it("turns the API's 5xx and 4xx into `refused`, with its status and error code", async () => {
    const { client, standIn } = setup();
    standIn.fault("sessions/new", "5xx", 1);
    expect(failure(await client.newSession({}))).toEqual({ kind: "refused", status: 503, errorCode: "internal_error", errorDescription: expect.any(String), reason: expect.stringMatching(/refused the call \(503: internal_error/) });
    const s = value(await client.newSession({}));
    standIn.fault("renegotiate", "4xx", 1);
    expect(failure(await client.renegotiate(s.sessionId, { sessionDescription: ANSWER }))).toMatchObject({ kind: "refused", status: 400, errorCode: "bad_request" });
    expect(failure(await client.getSession("0123456789abcdef0123456789abcdef"))).toMatchObject({ kind: "refused", status: 404, errorCode: "session_not_found" });
  });

  it("gives up after its timeout when the API never answers", async () => {
    const { client, standIn } = setup({ timeoutMs: 100 });
    standIn.fault("sessions/new", "timeout");
    expect(failure(await client.newSession({}))).toEqual({ kind: "timeout", reason: "the SFU did not answer within 100 ms" });
  });

  it("reports an unreachable API without quoting the runtime's message", async () => {
    const { client } = setup({ fetch: () => Promise.reject(new TypeError(`fetch failed: https://rtc.stand-in.test/?secret=${SECRET}`)) });
    const f = failure(await client.newSession({}));
    expect(f).toEqual({ kind: "unreachable", reason: "the SFU is unreachable" });
  });

  it("refuses answers that are not the documented shape", async () => {
    const answers: Array<[number, string]> = [
      [201, "not json"],
      [201, JSON.stringify({ sessionDescription: FIXED_ANSWER })],
      [201, JSON.stringify({ sessionId: "s", sessionDescription: { type: "rollback", sdp: "x" } })],
      [200, JSON.stringify({ requiresImmediateRenegotiation: "yes", tracks: [] })],
      [200, JSON.stringify({ tracks: [{ mid: 3 }] })],
      [200, JSON.stringify({ tracks: "none" })],
    ];
    for (const [i, [status, body]] of answers.entries()) {
      const fetch = (async () => new Response(body, { status })) as typeof globalThis.fetch;
      const { client } = setup({ fetch });
      const r = i < 3 ? await client.newSession({}) : await client.newTracks("s", { tracks: [{ location: "remote", sessionId: "p", trackName: "t" }] });
      expect(failure(r as RealtimeResult<unknown>).kind, body).toBe("bad-answer");
    }
  });

  it("treats a top-level error inside a 200 as a refusal, and keeps only documented fields of an answer", async () => {
    const odd = (body: unknown) => (async () => Response.json(body, { status: 200 })) as typeof fetch;
    const refused = failure(await setup({ fetch: odd({ errorCode: "session_error", errorDescription: "not connected" }) }).client.getSession("s"));
    expect(refused).toMatchObject({ kind: "refused", status: 200, errorCode: "session_error" });
    const extra = value(await setup({ fetch: odd({ tracks: [{ mid: "1", trackName: "t", status: "active", internal: "x" }], debug: SECRET }) }).client.getSession("s"));
    expect(extra).toEqual({ tracks: [{ mid: "1", trackName: "t", status: "active" }] });
  });
});
