// The HTTP half of the Cloudflare Realtime stand-in (test infrastructure only; the product talks
// to it solely through REALTIME_API_URL). It answers the documented routes under
// <base>/apps/<appId>/ with the documented shapes, over a MediaEngine (engine.ts) that makes the
// SDP and moves the media:
//
//   POST /sessions/new                → 201 {sessionId, sessionDescription?}
//   POST /sessions/{id}/tracks/new    → 200 {requiresImmediateRenegotiation, sessionDescription?, tracks}
//   PUT  /sessions/{id}/renegotiate   → 200 {} (an answer), or {sessionDescription} (an offer)
//   PUT  /sessions/{id}/tracks/close  → 200 {requiresImmediateRenegotiation: false, sessionDescription?, tracks}
//   GET  /sessions/{id}               → 200 {tracks}
//
// Every request is checked against the documented shapes (contract.ts: 400 with the reason), the
// bearer secret and app id (401), Realtime's limits (64 tracks per call: 400; 50 calls per second
// on one session: 429). A session the path names must exist (404); a pulled session or track, or
// a closed mid, that does not is a failed item inside the 200 ({errorCode, errorDescription}), as
// the API answers. Errors are {errorCode, errorDescription}.
//
// Faults are injected per route (`fault`): "5xx" and "4xx" answer an error, "timeout" never
// answers (until the caller gives up or the stand-in stops), "partial" fails every second track
// item of a tracks call and carries out the rest. Calls on one session run one at a time, as SDP
// negotiation must. `seen` records every call (method, path, Authorization, body).

import { closeTracksRequest, newSessionRequest, renegotiateRequest, tracksRequest, type Checked, type TrackObject } from "./contract";
import type { LocalTrack, MediaEngine, RemoteTrack, Sdp, TrackResult } from "./engine";

export type RouteName = "sessions/new" | "tracks/new" | "renegotiate" | "tracks/close" | "session";
export type Fault = "5xx" | "4xx" | "timeout" | "partial";

export const CALLS_PER_SECOND = 50;

export interface SeenCall {
  method: string;
  path: string;
  auth: string | null;
  body: unknown;
}

type ApiItem = TrackResult & { location?: "local" | "remote"; mid?: string };

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
const apiError = (status: number, errorCode: string, errorDescription: string) => json(status, { errorCode, errorDescription });
const itemError = (t: { trackName?: string; sessionId?: string; mid?: string }, errorCode: string, errorDescription: string): ApiItem =>
  ({ ...t, trackName: t.trackName ?? "", errorCode, errorDescription }) as ApiItem;

export class RealtimeStandIn {
  readonly seen: SeenCall[] = [];
  private readonly faults = new Map<RouteName, { fault: Fault; left: number }>();
  private readonly calls = new Map<string, number[]>();
  private readonly queues = new Map<string, Promise<unknown>>();
  private readonly sessions = new Set<string>();
  private readonly hanging = new Set<() => void>();
  private stopped = false;

  constructor(
    readonly appId: string,
    readonly secret: string,
    private readonly engine: MediaEngine,
    private readonly now: () => number = Date.now,
  ) {}

  /** Makes `route` fail as `fault` for its next `times` calls (default: until cleared with null). */
  fault(route: RouteName, fault: Fault | null, times = Infinity): void {
    if (fault === "partial" && route !== "tracks/new" && route !== "tracks/close") throw new Error(`"partial" applies to track calls, not ${route}`);
    if (fault === null) this.faults.delete(route);
    else this.faults.set(route, { fault, left: times });
  }

  /** The stand-in as a `fetch`, in-process; the caller's signal ends a call left hanging. */
  readonly fetch = (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => this.handle(new Request(input, init), init?.signal ?? undefined);

  /** Releases every call left hanging by a "timeout" fault (they reject), and refuses new ones. */
  stop(): void {
    this.stopped = true;
    for (const release of [...this.hanging]) release();
  }

  async handle(req: Request, signal: AbortSignal | undefined = req.signal): Promise<Response> {
    const url = new URL(req.url);
    const raw = req.method === "GET" || req.method === "HEAD" ? "" : await req.text();
    let body: unknown = undefined;
    let parsed = true;
    if (raw.trim() !== "") {
      try {
        body = JSON.parse(raw);
      } catch {
        parsed = false;
        body = raw;
      }
    }
    this.seen.push({ method: req.method, path: url.pathname, auth: req.headers.get("authorization"), body });
    const m = /^(?:\/[^/]+)*?\/apps\/([^/]+)\/sessions\/(?:(new)|([^/]+)(\/tracks\/new|\/renegotiate|\/tracks\/close)?)$/.exec(url.pathname);
    if (!m) return apiError(404, "not_found", "no such route");
    const route: RouteName = m[2] ? "sessions/new" : m[4] === "/tracks/new" ? "tracks/new" : m[4] === "/renegotiate" ? "renegotiate" : m[4] === "/tracks/close" ? "tracks/close" : "session";
    const method = { "sessions/new": "POST", "tracks/new": "POST", renegotiate: "PUT", "tracks/close": "PUT", session: "GET" }[route];
    if (req.method !== method) return apiError(405, "method_not_allowed", `${route} takes ${method}`);
    if (decodeURIComponent(m[1]!) !== this.appId || req.headers.get("authorization") !== `Bearer ${this.secret}`) return apiError(401, "unauthorized", "wrong app id or secret");
    const injected = this.takeFault(route);
    if (injected === "timeout") return this.never(signal);
    if (injected === "5xx") return apiError(503, "internal_error", "injected fault: the service is unavailable");
    if (injected === "4xx") return apiError(400, "bad_request", "injected fault: the request was refused");
    if (!parsed) return apiError(400, "bad_request", "the body is not JSON");
    if (route === "sessions/new") {
      if (url.searchParams.has("thirdparty") && !["true", "false"].includes(url.searchParams.get("thirdparty")!)) return apiError(400, "bad_request", "thirdparty must be a boolean");
      return this.newSession(body);
    }
    const sessionId = decodeURIComponent(m[3]!);
    if (!this.sessions.has(sessionId)) return apiError(404, "session_not_found", `no session ${sessionId}`);
    if (!this.takeCall(sessionId)) return apiError(429, "rate_limited", `more than ${CALLS_PER_SECOND} calls in one second on this session`);
    return this.serial(sessionId, () => this.onSession(route, sessionId, body, injected === "partial"));
  }

  private takeFault(route: RouteName): Fault | null {
    const f = this.faults.get(route);
    if (!f) return null;
    if (--f.left <= 0) this.faults.delete(route);
    return f.fault;
  }

  private takeCall(sessionId: string): boolean {
    const now = this.now();
    const times = (this.calls.get(sessionId) ?? []).filter((t) => now - t < 1000);
    this.calls.set(sessionId, times);
    if (times.length >= CALLS_PER_SECOND) return false;
    times.push(now);
    return true;
  }

  /** Runs `work` after every earlier call on this session has finished. */
  private serial(sessionId: string, work: () => Promise<Response>): Promise<Response> {
    const run = (this.queues.get(sessionId) ?? Promise.resolve()).then(work, work);
    this.queues.set(sessionId, run.catch(() => {}));
    return run;
  }

  private async newSession(body: unknown): Promise<Response> {
    const req = newSessionRequest(body);
    if (!req.ok) return apiError(400, "bad_request", req.reason);
    const sessionId = crypto.randomUUID().replaceAll("-", "");
    await this.engine.createSession(sessionId);
    this.sessions.add(sessionId);
    if (!req.value.offer) return json(201, { sessionId });
    return this.serial(sessionId, async () => {
      const { answer } = await this.engine.applyOffer(sessionId, req.value.offer!, []);
      return json(201, { sessionId, sessionDescription: answer });
    });
  }

  private onSession(route: Exclude<RouteName, "sessions/new">, sessionId: string, body: unknown, partial: boolean): Promise<Response> {
    switch (route) {
      case "tracks/new":
        return this.tracksNew(sessionId, tracksRequest(body), partial);
      case "renegotiate":
        return this.renegotiate(sessionId, renegotiateRequest(body));
      case "tracks/close":
        return this.close(sessionId, closeTracksRequest(body), partial);
      case "session":
        return Promise.resolve(this.describe(sessionId, body));
    }
  }

  private async tracksNew(sessionId: string, req: Checked<{ offer: Sdp | null; tracks: TrackObject[] }>, partial: boolean): Promise<Response> {
    if (!req.ok) return apiError(400, "bad_request", req.reason);
    const { offer, tracks } = req.value;
    // Item by item: those an injected partial fault fails, those naming what does not exist, and
    // those the engine is given; the answer lists them in the request's order.
    const results: Array<ApiItem | null> = tracks.map((t, i) => {
      if (partial && i % 2 === 1) return itemError(t, "fault_injected", "injected fault: this track failed");
      if (t.location === "local") return null;
      const publisher = this.sessions.has(t.sessionId) ? this.engine.describe(t.sessionId) : null;
      if (!publisher) return itemError(t, "session_not_found", `no session ${t.sessionId}`);
      const live = publisher.tracks.some((p) => p.location === "local" && p.trackName === t.trackName && p.status !== "inactive");
      return live ? null : itemError(t, "track_not_found", `session ${t.sessionId} publishes no track ${t.trackName}`);
    });
    const todo = tracks.filter((_, i) => results[i] === null);
    let sessionDescription: Sdp | null = null;
    let done: ApiItem[] = [];
    if (offer) {
      const locals: LocalTrack[] = todo.flatMap((t) => (t.location === "local" ? [{ mid: t.mid, trackName: t.trackName }] : []));
      const r = await this.engine.applyOffer(sessionId, offer, locals);
      sessionDescription = r.answer;
      done = r.tracks.map((t) => ({ ...t, location: "local" as const }));
    } else if (todo.length > 0) {
      const remotes: RemoteTrack[] = todo.flatMap((t) => (t.location === "remote" ? [{ sessionId: t.sessionId, trackName: t.trackName, ...(t.simulcast ? { simulcast: t.simulcast } : {}) }] : []));
      const r = await this.engine.pull(sessionId, remotes);
      sessionDescription = r.offer;
      done = r.tracks.map((t) => ({ ...t, location: "remote" as const }));
    }
    const out = results.map((r) => r ?? done.shift() ?? null).filter((r): r is ApiItem => r !== null);
    return json(200, {
      requiresImmediateRenegotiation: sessionDescription?.type === "offer",
      ...(sessionDescription ? { sessionDescription } : {}),
      tracks: out,
    });
  }

  private async renegotiate(sessionId: string, req: Checked<Sdp>): Promise<Response> {
    if (!req.ok) return apiError(400, "bad_request", req.reason);
    if (req.value.type === "answer") {
      await this.engine.applyAnswer(sessionId, req.value);
      return json(200, {});
    }
    const { answer } = await this.engine.applyOffer(sessionId, req.value, []);
    return json(200, { sessionDescription: answer });
  }

  private async close(sessionId: string, req: Checked<{ mids: string[]; offer: Sdp | null; force: boolean }>, partial: boolean): Promise<Response> {
    if (!req.ok) return apiError(400, "bad_request", req.reason);
    const known = new Set(this.engine.describe(sessionId)?.tracks.filter((t) => t.status !== "inactive").map((t) => t.mid) ?? []);
    const results: Array<ApiItem | null> = req.value.mids.map((mid, i) => {
      if (partial && i % 2 === 1) return itemError({ mid }, "fault_injected", "injected fault: this track failed");
      return known.has(mid) ? null : itemError({ mid }, "track_not_found", `no open track with mid ${mid}`);
    });
    const mids = req.value.mids.filter((_, i) => results[i] === null);
    const r = mids.length > 0 || req.value.offer ? await this.engine.close(sessionId, mids, req.value.force ? null : req.value.offer) : { answer: null, tracks: [] };
    const done: ApiItem[] = mids.map((mid) => ({ ...(r.tracks.find((t) => "mid" in t && t.mid === mid) ?? { trackName: "" }), mid }));
    const out = results.map((x) => x ?? done.shift()!);
    return json(200, { requiresImmediateRenegotiation: false, ...(r.answer ? { sessionDescription: r.answer } : {}), tracks: out });
  }

  private describe(sessionId: string, body: unknown): Response {
    if (body !== undefined) return apiError(400, "bad_request", "GET takes no body");
    const d = this.engine.describe(sessionId);
    if (!d) return apiError(404, "session_not_found", `no session ${sessionId}`);
    return json(200, { tracks: d.tracks });
  }

  /** Never answers; rejects when the caller gives up (as a network request would) or the stand-in stops. */
  private never(signal: AbortSignal | undefined): Promise<Response> {
    return new Promise((_, reject) => {
      const release = () => {
        this.hanging.delete(release);
        reject(signal?.reason ?? new Error("the stand-in stopped"));
      };
      if (this.stopped) return release();
      this.hanging.add(release);
      signal?.addEventListener("abort", release, { once: true });
    });
  }
}
