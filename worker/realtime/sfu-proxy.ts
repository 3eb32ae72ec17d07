// The SFU proxy: the routes under /api/rooms/<id>/sfu/ through which a page talks to Cloudflare
// Realtime without ever holding its secret (protocol/sfu.ts has the contract). It runs in the
// room's Durable Object (durable/room-do.ts hands it the requests), because that is where the
// room knows its members, and where one RealtimeClient sees every call on the room's sessions.
//
// For each request, in this order: the body, read up to its bound (413) before anything else,
// so that no answer leaves a body unread (that fails workerd's pipe from the Worker); the route
// (404/405); the caller, by its member's media token (403); the member's call ration (429); the
// body's shape (400); for a session route, that the session was created here (404) by this very
// member (403); for publishing, that the member may (403: a stage's viewer only pulls). Only
// then is the API called, with a body rebuilt from the checked values. A pull may name any
// session created in this room; a session from elsewhere fails as its item ("not-in-room"), as
// the API fails items, inside a 200.

import {
  checkNewSession,
  checkRenegotiate,
  checkTracksClose,
  checkTracksNew,
  SFU_BODY_MAX_BYTES,
  SFU_SESSION_ID,
  SFU_SESSIONS_PER_MEMBER,
  type BodyCheck,
  type SfuErrorBody,
  type TrackItem,
  type TrackResultItem,
} from "../../protocol/sfu";
import { TokenBucket } from "../socket-guard";
import type { RealtimeClient, RealtimeFailure, RealtimeResult } from "./realtime-client";
import type { SfuSessionStore } from "./session-store";

/**
 * Calls one member may make through the proxy: a join pulls everything in one or two calls,
 * then each change is a call or two (pull, renegotiate). Twice Realtime's own per-session rate
 * would be a flood; this is a page's worst honest burst with room to spare.
 */
export const SFU_MEMBER_RATE = { perSecond: 10, burst: 40 };
/** Sessions one member may create: a page's first, and one per reconnect after that. */
export const SFU_NEW_SESSION_RATE = { perSecond: 1 / 10, burst: SFU_SESSIONS_PER_MEMBER };

/** Who calls (the room answers it from the media token: room/features/sfu.ts). */
export interface SfuCaller {
  id: string;
  /** A speaker (everyone in a meeting) may publish; a stage's viewer only pulls. */
  mayPublish: boolean;
}

export interface SfuProxyPorts {
  client: RealtimeClient;
  sessions: SfuSessionStore;
  /** The member whose media token this is (room/features/sfu.ts). */
  caller(token: string | null): SfuCaller | null;
  /** Whether a member is still in the room. */
  isMember(id: string): boolean;
  now(): number;
}

type Route =
  | { kind: "new-session" }
  | { kind: "tracks-new"; sessionId: string }
  | { kind: "renegotiate"; sessionId: string }
  | { kind: "tracks-close"; sessionId: string }
  | { kind: "session"; sessionId: string };

const METHOD: Record<Route["kind"], "GET" | "POST" | "PUT"> = {
  "new-session": "POST",
  "tracks-new": "POST",
  renegotiate: "PUT",
  "tracks-close": "PUT",
  session: "GET",
};

const SFU_PATH = /^\/api\/rooms\/[^/]+\/sfu\/(.*)$/;

/** The part after /sfu/ if this is an SFU route's path, else null. */
export const sfuPathOf = (pathname: string): string | null => SFU_PATH.exec(pathname)?.[1] ?? null;

function routeOf(path: string): Route | null {
  if (path === "sessions/new") return { kind: "new-session" };
  const m = /^sessions\/([^/]+)(\/tracks\/new|\/renegotiate|\/tracks\/close)?$/.exec(path);
  if (!m || !SFU_SESSION_ID.test(m[1]!)) return null;
  const sessionId = m[1]!;
  switch (m[2]) {
    case "/tracks/new":
      return { kind: "tracks-new", sessionId };
    case "/renegotiate":
      return { kind: "renegotiate", sessionId };
    case "/tracks/close":
      return { kind: "tracks-close", sessionId };
    default:
      return { kind: "session", sessionId };
  }
}

const answer = (status: number, body: unknown, headers?: HeadersInit) => Response.json(body, { status, ...(headers ? { headers } : {}) });
const refuse = (status: number, error: string, extra: Partial<SfuErrorBody> = {}, headers?: HeadersInit) => answer(status, { error, status, ...extra } satisfies SfuErrorBody, headers);

/** What a failure of the API (or of the client's own checks) becomes for the page. */
function failureAnswer(f: RealtimeFailure): Response {
  switch (f.kind) {
    case "rate-limited":
      return refuse(429, f.reason, {}, { "Retry-After": String(Math.ceil(f.retryAfterMs / 1000)) });
    case "too-many-tracks":
      return refuse(400, f.reason);
    case "timeout":
      return refuse(504, f.reason);
    case "unreachable":
      return refuse(502, f.reason);
    case "refused":
      // Realtime's own rate limit (the object woke with fresh counts, or another caller shares the
      // session): the page's to wait out, like ours.
      if (f.status === 429) return refuse(429, f.reason, { upstream: { status: 429, ...(f.errorCode !== undefined ? { errorCode: f.errorCode } : {}) } }, { "Retry-After": "1" });
      return refuse(502, f.reason, { upstream: { status: f.status, ...(f.errorCode !== undefined ? { errorCode: f.errorCode } : {}) } });
    case "bad-answer":
      return refuse(502, f.reason, { upstream: { status: f.status } });
  }
}

const respond = <T>(r: RealtimeResult<T>, status = 200): Response => (r.ok ? answer(status, r.value) : failureAnswer(r.failure));

/**
 * The rations live in memory, like the sockets' guards: they refill when the object wakes, which
 * is harmless (a room sleeps only after its members have been quiet for a while).
 */
export class SfuProxy {
  private readonly calls = new Map<string, TokenBucket>();
  private readonly creations = new Map<string, TokenBucket>();

  constructor(private readonly ports: SfuProxyPorts) {}

  async handle(request: Request, path: string): Promise<Response> {
    const text = await readText(request, SFU_BODY_MAX_BYTES);
    if (text === null) return refuse(413, `an SFU request body is at most ${SFU_BODY_MAX_BYTES} bytes`);
    const route = routeOf(path);
    if (!route) return refuse(404, "no such SFU route");
    if (request.method !== METHOD[route.kind]) return refuse(405, `this SFU route takes ${METHOD[route.kind]}`, {}, { Allow: METHOD[route.kind] });
    const caller = this.ports.caller(bearer(request));
    if (!caller) return refuse(403, "not a member of this room: the SFU takes a member's media token (Authorization: Bearer <welcome.mediaToken>)");
    const now = this.ports.now();
    if (!bucket(this.calls, caller.id, SFU_MEMBER_RATE, now).take(now)) return refuse(429, "too many SFU calls from this member: slow down", {}, { "Retry-After": "1" });
    let json: unknown;
    try {
      json = text.trim() === "" ? undefined : JSON.parse(text);
    } catch {
      return refuse(400, "the body must be JSON");
    }
    if (route.kind === "new-session") return this.newSession(caller, json, now);
    const owner = this.ports.sessions.owner(route.sessionId);
    if (owner === null) return refuse(404, "no such SFU session in this room");
    if (owner !== caller.id) return refuse(403, "this SFU session belongs to another member");
    switch (route.kind) {
      case "tracks-new":
        return this.tracksNew(caller, route.sessionId, json);
      case "renegotiate":
        return this.checked(checkRenegotiate(json), (body) => this.ports.client.renegotiate(route.sessionId, body));
      case "tracks-close":
        return this.checked(checkTracksClose(json), (body) => this.ports.client.closeTracks(route.sessionId, body));
      case "session":
        return respond(await this.ports.client.getSession(route.sessionId));
    }
  }

  private async checked<B, T>(check: BodyCheck<B>, call: (body: B) => Promise<RealtimeResult<T>>): Promise<Response> {
    if (!check.ok) return refuse(400, check.reason);
    return respond(await call(check.value));
  }

  private async newSession(caller: SfuCaller, json: unknown, now: number): Promise<Response> {
    const check = checkNewSession(json);
    if (!check.ok) return refuse(400, check.reason);
    if (!bucket(this.creations, caller.id, SFU_NEW_SESSION_RATE, now).take(now)) {
      return refuse(429, "too many new SFU sessions from this member: reuse the one you have, or wait", {}, { "Retry-After": "10" });
    }
    const result = await this.ports.client.newSession(check.value);
    if (!result.ok) return failureAnswer(result.failure);
    const { sessions } = this.ports;
    // Departed members' sessions go now: they may no longer be pulled, and the rows stay few.
    sessions.sweep((m) => this.ports.isMember(m));
    this.forgetDeparted();
    sessions.bind(result.value.sessionId, caller.id, now);
    const mine = sessions.ofMember(caller.id);
    if (mine.length > SFU_SESSIONS_PER_MEMBER) sessions.forget(mine.slice(0, mine.length - SFU_SESSIONS_PER_MEMBER));
    return answer(201, result.value);
  }

  private async tracksNew(caller: SfuCaller, sessionId: string, json: unknown): Promise<Response> {
    const check = checkTracksNew(json);
    if (!check.ok) return refuse(400, check.reason);
    const { tracks, sessionDescription } = check.value;
    if (!caller.mayPublish && tracks.some((t) => t.location === "local")) return refuse(403, "a viewer does not publish: only the stage's speakers push tracks");
    const sent: TrackItem[] = [];
    const foreign: TrackResultItem[] = [];
    for (const t of tracks) {
      if (t.location === "remote" && !this.inRoom(t.sessionId)) {
        foreign.push({ location: "remote", sessionId: t.sessionId, trackName: t.trackName, errorCode: "not-in-room", errorDescription: "no member of this room publishes from that session" });
      } else sent.push(t);
    }
    if (sent.length === 0) return answer(200, { requiresImmediateRenegotiation: false, tracks: foreign });
    const result = await this.ports.client.newTracks(sessionId, { tracks: sent, ...(sessionDescription ? { sessionDescription } : {}) });
    if (!result.ok) return failureAnswer(result.failure);
    return answer(200, { ...result.value, tracks: [...result.value.tracks, ...foreign] });
  }

  /** A session some member still in this room created. */
  private inRoom(sessionId: string): boolean {
    const owner = this.ports.sessions.owner(sessionId);
    return owner !== null && this.ports.isMember(owner);
  }

  private forgetDeparted(): void {
    for (const map of [this.calls, this.creations]) for (const id of map.keys()) if (!this.ports.isMember(id)) map.delete(id);
  }
}

function bucket(map: Map<string, TokenBucket>, id: string, rate: { perSecond: number; burst: number }, now: number): TokenBucket {
  let b = map.get(id);
  if (!b) map.set(id, (b = new TokenBucket(rate, now)));
  return b;
}

function bearer(request: Request): string | null {
  const m = /^Bearer ([A-Za-z0-9_-]{1,128})$/.exec(request.headers.get("Authorization") ?? "");
  return m?.[1] ?? null;
}

/**
 * The body as text, or null as soon as it is longer than `limit` bytes (nothing past limit + one
 * chunk is read, and the rest is cancelled).
 */
export async function readText(request: Request, limit: number): Promise<string | null> {
  const length = request.headers.get("Content-Length");
  if (length !== null && Number(length) > limit) {
    await request.body?.cancel().catch(() => {});
    return null;
  }
  if (!request.body) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => {});
      return null;
    }
    chunks.push(value);
  }
  const all = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    all.set(c, at);
    at += c.byteLength;
  }
  return new TextDecoder().decode(all);
}
