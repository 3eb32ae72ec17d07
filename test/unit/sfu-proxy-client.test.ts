// The page's client of the Worker's SFU proxy, over a scripted fetch: the bearer and the routes,
// retries with backoff on 429 (Retry-After honoured), 502, 504 and a dropped connection, an
// immediate error otherwise, answers read as the documented shapes, and the per-item split.

import { describe, expect, it } from "vitest";
import { itemResults } from "../../web/src/engine/sfu/answer-shapes";
import { SfuError, SfuProxy } from "../../web/src/engine/sfu/proxy-client";

type Scripted = Response | Error;

function proxyWith(answers: Scripted[], token: string | null = "media-token") {
  const calls: Array<{ url: string; method: string; auth: string | null; body: unknown }> = [];
  const waits: number[] = [];
  const fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const headers = new Headers(init?.headers);
    calls.push({ url: String(input), method: init?.method ?? "GET", auth: headers.get("authorization"), body: init?.body ? JSON.parse(String(init.body)) : undefined });
    const next = answers.shift();
    if (!next) throw new Error("no scripted answer left");
    if (next instanceof Error) throw next;
    return next;
  }) as typeof globalThis.fetch;
  const proxy = new SfuProxy({
    roomId: "room_id_of_22_chars___",
    apiOrigin: "https://app.test",
    token: () => token,
    fetch,
    retry: { attempts: 3, baseMs: 100, maxMs: 1000 },
    sleep: async (ms) => void waits.push(ms),
    random: () => 1,
  });
  return { proxy, calls, waits };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });

describe("SfuProxy", () => {
  it("calls the room's proxy routes with the member's media token as the bearer", async () => {
    const { proxy, calls } = proxyWith([
      json(201, { sessionId: "s1" }),
      json(200, { requiresImmediateRenegotiation: false, sessionDescription: { type: "answer", sdp: "v=0" }, tracks: [{ location: "local", mid: "0", trackName: "mic-1" }] }),
      json(200, {}),
      json(200, { requiresImmediateRenegotiation: false, tracks: [{ mid: "0" }] }),
      json(200, { tracks: [{ location: "local", mid: "0", trackName: "mic-1", status: "active" }] }),
    ]);
    expect(await proxy.newSession()).toEqual({ sessionId: "s1" });
    const published = await proxy.tracksNew("s1", { sessionDescription: { type: "offer", sdp: "v=0" }, tracks: [{ location: "local", mid: "0", trackName: "mic-1" }] });
    expect(published.tracks).toEqual([{ location: "local", mid: "0", trackName: "mic-1" }]);
    expect(await proxy.renegotiate("s1", { type: "answer", sdp: "v=0" })).toEqual({});
    await proxy.tracksClose("s1", { tracks: [{ mid: "0" }], force: true });
    expect((await proxy.session("s1")).tracks[0]!.status).toBe("active");
    expect(calls.map((c) => `${c.method} ${c.url}`)).toEqual([
      "POST https://app.test/api/rooms/room_id_of_22_chars___/sfu/sessions/new",
      "POST https://app.test/api/rooms/room_id_of_22_chars___/sfu/sessions/s1/tracks/new",
      "PUT https://app.test/api/rooms/room_id_of_22_chars___/sfu/sessions/s1/renegotiate",
      "PUT https://app.test/api/rooms/room_id_of_22_chars___/sfu/sessions/s1/tracks/close",
      "GET https://app.test/api/rooms/room_id_of_22_chars___/sfu/sessions/s1",
    ]);
    expect(new Set(calls.map((c) => c.auth))).toEqual(new Set(["Bearer media-token"]));
    expect(calls[2]!.body).toEqual({ sessionDescription: { type: "answer", sdp: "v=0" } });
  });

  it("retries a 429 no sooner than its Retry-After, and a 502 and a 504 with growing backoff", async () => {
    const { proxy, calls, waits } = proxyWith([json(429, { error: "slow down", status: 429 }, { "retry-after": "2" }), json(201, { sessionId: "s1" })]);
    expect(await proxy.newSession()).toEqual({ sessionId: "s1" });
    expect(calls).toHaveLength(2);
    expect(waits).toEqual([2000]);

    const second = proxyWith([json(502, { error: "upstream", status: 502 }), json(504, { error: "timeout", status: 504 }), json(201, { sessionId: "s2" })]);
    expect(await second.proxy.newSession()).toEqual({ sessionId: "s2" });
    expect(second.waits).toEqual([100, 200]);
  });

  it("retries a dropped connection, and gives up after its attempts with the last status", async () => {
    const { proxy, calls } = proxyWith([new TypeError("Failed to fetch"), json(502, { error: "bad gateway", status: 502, upstream: { status: 500, errorCode: "internal" } }), json(504, { error: "gateway timeout", status: 504 })]);
    const error = await proxy.newSession().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SfuError);
    expect((error as SfuError).status).toBe(504);
    expect(calls).toHaveLength(3);

    const upstream = proxyWith([json(502, { error: "bad gateway", status: 502, upstream: { status: 500, errorCode: "internal" } })]);
    const e2 = (await upstream.proxy.renegotiate("s1", { type: "answer", sdp: "x" }).catch((e: unknown) => e)) as SfuError;
    // Attempts are 3: the scripted answers ran out after the first, and the thrown fetch counts as a 502.
    expect(e2.status).toBe(502);
  });

  it("fails at once, without retrying, on an answer that will not change (403, 404, 400, 501)", async () => {
    for (const status of [400, 403, 404, 501]) {
      const { proxy, calls } = proxyWith([json(status, { error: `refused ${status}`, status })]);
      const error = (await proxy.tracksNew("s1", { tracks: [{ location: "remote", sessionId: "x", trackName: "y" }] }).catch((e: unknown) => e)) as SfuError;
      expect(error.status).toBe(status);
      expect(error.message).toBe(`refused ${status}`);
      expect(error.sessionGone).toBe(status === 404);
      expect(calls).toHaveLength(1);
    }
  });

  it("refuses to call before the welcome gave a media token, and refuses an answer of the wrong shape", async () => {
    const none = proxyWith([], null);
    expect(((await none.proxy.newSession().catch((e: unknown) => e)) as SfuError).status).toBe(0);
    expect(none.calls).toHaveLength(0);

    const garbled = proxyWith([json(201, { session: "no id" })]);
    const e = (await garbled.proxy.newSession().catch((x: unknown) => x)) as SfuError;
    expect(e.message).toMatch(/not the documented shape/);
  });

  it("splits a tracks answer into the items that succeeded and those that failed, matched by their own fields", async () => {
    const { proxy } = proxyWith([
      json(200, {
        requiresImmediateRenegotiation: true,
        sessionDescription: { type: "offer", sdp: "v=0" },
        tracks: [
          { location: "remote", sessionId: "a", trackName: "mic-1", mid: "3" },
          { location: "remote", sessionId: "b", trackName: "camera-2", errorCode: "not-in-room", errorDescription: "that session is not in this room" },
        ],
      }),
    ]);
    const result = await proxy.tracksNew("s1", { tracks: [{ location: "remote", sessionId: "a", trackName: "mic-1" }, { location: "remote", sessionId: "b", trackName: "camera-2" }] });
    const { ok, failed } = itemResults(result);
    expect(ok.map((t) => [t.trackName, t.mid])).toEqual([["mic-1", "3"]]);
    expect(failed).toEqual([{ trackName: "camera-2", sessionId: "b", mid: undefined, errorCode: "not-in-room", errorDescription: "that session is not in this room" }]);
  });
});
