// Cloudflare Realtime's SFU API (realtime-api-2024-05-21), with the app's bearer secret:
//   POST {app}/sessions/new                    → 201 {sessionId, sessionDescription?}
//   POST {app}/sessions/{id}/tracks/new        → 200 {requiresImmediateRenegotiation, sessionDescription?, tracks}
//   PUT  {app}/sessions/{id}/renegotiate       → 200 {sessionDescription?}
//   PUT  {app}/sessions/{id}/tracks/close      → 200 {requiresImmediateRenegotiation, sessionDescription?, tracks}
//   GET  {app}/sessions/{id}                   → 200 {tracks}
// where {app} is <base URL>/apps/<app id>. Shaped like turn/cloudflare-turn.ts: an injectable
// fetch, a timeout, and never a rejection: every outcome is a value the proxy maps to an answer.
//
// The API's rules are kept here, before a call is spent: at most 64 tracks in one call, and at
// most 50 calls per second on one session (counted per client, and the room's object holds one
// client: every call on a room's sessions goes through it). A track item may fail inside a 200;
// such items are part of the value, for the caller to act on. What the API says in an error is
// clipped and passed on; the secret is only ever in the Authorization header of the call itself.

import {
  SFU_CALLS_PER_SECOND,
  SFU_MAX_TRACKS_PER_CALL,
  type NewSessionBody,
  type NewSessionResult,
  type RenegotiateBody,
  type RenegotiateResult,
  type SessionState,
  type TracksCloseBody,
  type TracksNewBody,
  type TracksResult,
} from "../../protocol/sfu";
import { CallRate } from "./call-rate";
import { apiError, newSessionAnswer, renegotiateAnswer, sessionStateAnswer, tracksAnswer } from "../../protocol/sfu-answers";
import type { RealtimeSettings } from "./realtime-settings";

export type RealtimeFailure =
  /** Refused here: the session has made 50 calls in the last second. */
  | { kind: "rate-limited"; retryAfterMs: number; reason: string }
  /** Refused here: more than 64 tracks in one call. */
  | { kind: "too-many-tracks"; reason: string }
  /** No answer within the timeout. */
  | { kind: "timeout"; reason: string }
  /** The request did not get through. */
  | { kind: "unreachable"; reason: string }
  /** The API answered with an error (its status, and what it said if anything). */
  | { kind: "refused"; status: number; errorCode?: string; errorDescription?: string; reason: string }
  /** The API answered something that is not the documented shape. */
  | { kind: "bad-answer"; status: number; reason: string };

export type RealtimeResult<T> = { ok: true; value: T } | { ok: false; failure: RealtimeFailure };

export interface RealtimeClientOptions extends RealtimeSettings {
  fetch?: typeof fetch;
  now?: () => number;
}

/** An abort (ours, by the timer) rather than a network failure; a DOMException, which need not be an Error. */
const timedOut = (e: unknown) => typeof e === "object" && e !== null && "name" in e && (e.name === "TimeoutError" || e.name === "AbortError");

const failed = (failure: RealtimeFailure): { ok: false; failure: RealtimeFailure } => ({ ok: false, failure });

export class RealtimeClient {
  private readonly rate = new CallRate(SFU_CALLS_PER_SECOND);
  private readonly now: () => number;

  constructor(private readonly o: RealtimeClientOptions) {
    this.now = o.now ?? Date.now;
  }

  newSession(body: NewSessionBody): Promise<RealtimeResult<NewSessionResult>> {
    // A new session has no id to count against yet; its calls are counted from the next one.
    return this.call(null, "POST", "sessions/new", body, [201, 200], newSessionAnswer);
  }

  newTracks(sessionId: string, body: TracksNewBody): Promise<RealtimeResult<TracksResult>> {
    const tooMany = this.tooMany(body.tracks.length);
    return tooMany ? Promise.resolve(tooMany) : this.call(sessionId, "POST", `sessions/${encodeURIComponent(sessionId)}/tracks/new`, body, [200], tracksAnswer);
  }

  renegotiate(sessionId: string, body: RenegotiateBody): Promise<RealtimeResult<RenegotiateResult>> {
    return this.call(sessionId, "PUT", `sessions/${encodeURIComponent(sessionId)}/renegotiate`, body, [200], renegotiateAnswer);
  }

  closeTracks(sessionId: string, body: TracksCloseBody): Promise<RealtimeResult<TracksResult>> {
    const tooMany = this.tooMany(body.tracks.length);
    return tooMany ? Promise.resolve(tooMany) : this.call(sessionId, "PUT", `sessions/${encodeURIComponent(sessionId)}/tracks/close`, body, [200], tracksAnswer);
  }

  getSession(sessionId: string): Promise<RealtimeResult<SessionState>> {
    return this.call(sessionId, "GET", `sessions/${encodeURIComponent(sessionId)}`, undefined, [200], sessionStateAnswer);
  }

  private tooMany(count: number): { ok: false; failure: RealtimeFailure } | null {
    if (count <= SFU_MAX_TRACKS_PER_CALL) return null;
    return failed({ kind: "too-many-tracks", reason: `at most ${SFU_MAX_TRACKS_PER_CALL} tracks per call (Realtime's limit); this one had ${count}` });
  }

  private async call<T>(
    sessionId: string | null,
    method: "GET" | "POST" | "PUT",
    path: string,
    body: unknown,
    okStatuses: readonly number[],
    narrow: (v: unknown) => T | null,
  ): Promise<RealtimeResult<T>> {
    const now = this.now();
    if (sessionId !== null && !this.rate.take(sessionId, now)) {
      const retryAfterMs = Math.max(1, this.rate.waitMs(sessionId, now));
      return failed({ kind: "rate-limited", retryAfterMs, reason: `this SFU session made ${SFU_CALLS_PER_SECOND} calls in the last second (Realtime's limit): try again in ${retryAfterMs} ms` });
    }
    // A timer of our own, cleared as soon as the call is over: AbortSignal.timeout's stays pending
    // for its full length, and a pending timer keeps the room's object from hibernating.
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(new DOMException("the SFU did not answer in time", "TimeoutError")), this.o.timeoutMs);
    const timeout = (): { ok: false; failure: RealtimeFailure } => failed({ kind: "timeout", reason: `the SFU did not answer within ${this.o.timeoutMs} ms` });
    let res: Response;
    let parsed: unknown = undefined;
    try {
      try {
        res = await (this.o.fetch ?? fetch)(`${this.o.appUrl}/${path}`, {
          method,
          headers: { Authorization: `Bearer ${this.o.secret}`, ...(body !== undefined ? { "Content-Type": "application/json" } : {}) },
          ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
          signal: abort.signal,
        });
      } catch (e) {
        // Nothing the runtime put in the message is passed on: it may quote the URL.
        return timedOut(e) ? timeout() : failed({ kind: "unreachable", reason: "the SFU is unreachable" });
      }
      try {
        const text = await res.text();
        parsed = text.trim() === "" ? undefined : JSON.parse(text);
      } catch (e) {
        if (timedOut(e)) return timeout();
        if (res.ok) return failed({ kind: "bad-answer", status: res.status, reason: `the SFU answered ${res.status} with a body that is not JSON` });
      }
    } finally {
      clearTimeout(timer);
    }
    const error = apiError(parsed);
    if (!okStatuses.includes(res.status) || error !== null) {
      const said = error ? `: ${[error.errorCode, error.errorDescription].filter(Boolean).join(": ")}` : "";
      return failed({ kind: "refused", status: res.status, ...error, reason: `the SFU refused the call (${res.status}${said})` });
    }
    const value = narrow(parsed);
    return value === null ? failed({ kind: "bad-answer", status: res.status, reason: `the SFU answered ${res.status} with a body that is not the documented shape` }) : { ok: true, value };
  }
}
