// The page's side of the Worker's SFU proxy (docs/protocol.md, "SFU proxy"): typed calls to
// /api/rooms/<id>/sfu/... with this member's media token as the bearer. The Worker adds the app's
// secret; the page never talks to Cloudflare Realtime itself.
//
// What the proxy asks of a client, and where it is kept here:
// - 429 (our member's ration, a session's 50 calls/s, or Realtime's own), 502 (the SFU refused or
//   garbled a call) and 504 (it did not answer in 8 s) are worth another try: retried with
//   exponential backoff and jitter, at least `Retry-After` for a 429, a few times, then failed.
//   A fetch that throws (the network dropped) counts as a 502.
// - Anything else (400, 403, 404, 405, 413, 501) will not change by trying again: it fails at
//   once as an SfuError with the status and the proxy's text.
// - A 200 may fail some of its tracks: `itemResults` (answer-shapes.ts) splits them; the caller
//   decides what a failed item means (a pull of a track its publisher has just closed is normal).

import type {
  NewSessionBody,
  NewSessionResult,
  RenegotiateResult,
  SessionDescription,
  SessionState,
  TracksCloseBody,
  TracksNewBody,
  TracksResult,
} from "../../../../protocol/sfu";
import { newSessionAnswer, renegotiateAnswer, sessionStateAnswer, tracksAnswer } from "../../../../protocol/sfu-answers";
import { errorBody } from "./answer-shapes";

/** Statuses worth another try; everything else is the same answer next time. */
const RETRIED = new Set([429, 502, 504]);

export interface RetryPolicy {
  /** Tries in all, the first included. */
  attempts: number;
  baseMs: number;
  maxMs: number;
}

export const SFU_RETRY: RetryPolicy = { attempts: 4, baseMs: 300, maxMs: 4000 };

/** Why a proxy call failed: the status (0: no answer could be read), the proxy's text, and the API's word on a 502. */
export class SfuError extends Error {
  override name = "SfuError";
  constructor(
    readonly status: number,
    message: string,
    readonly upstream?: { status: number; errorCode?: string },
  ) {
    super(message);
  }

  /** A session the proxy no longer knows (forgotten, or its member left): only a new one helps. */
  get sessionGone(): boolean {
    return this.status === 404;
  }
}

export interface SfuProxyOptions {
  roomId: string;
  /** Where the Worker is ("" for this page's origin). */
  apiOrigin: string;
  /** This member's media token (welcome.mediaToken); null before the welcome. */
  token: () => string | null;
  fetch: typeof fetch;
  retry?: RetryPolicy;
  /** For tests: waits between tries, and the jitter's randomness. */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

type Method = "GET" | "POST" | "PUT";

export class SfuProxy {
  private readonly retry: RetryPolicy;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;

  constructor(private readonly options: SfuProxyOptions) {
    this.retry = options.retry ?? SFU_RETRY;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.random = options.random ?? Math.random;
  }

  newSession(body: NewSessionBody = {}): Promise<NewSessionResult> {
    return this.call("POST", "sessions/new", body, newSessionAnswer);
  }

  tracksNew(sessionId: string, body: TracksNewBody): Promise<TracksResult> {
    return this.call("POST", `sessions/${encodeURIComponent(sessionId)}/tracks/new`, body, tracksAnswer);
  }

  renegotiate(sessionId: string, sessionDescription: SessionDescription): Promise<RenegotiateResult> {
    return this.call("PUT", `sessions/${encodeURIComponent(sessionId)}/renegotiate`, { sessionDescription }, renegotiateAnswer);
  }

  tracksClose(sessionId: string, body: TracksCloseBody): Promise<TracksResult> {
    return this.call("PUT", `sessions/${encodeURIComponent(sessionId)}/tracks/close`, body, tracksAnswer);
  }

  session(sessionId: string): Promise<SessionState> {
    return this.call("GET", `sessions/${encodeURIComponent(sessionId)}`, undefined, sessionStateAnswer);
  }

  /** The delay before try `n` (1 = the first retry): exponential, capped, with full jitter over its upper half. */
  backoffMs(n: number, retryAfterS: number | null): number {
    const exp = Math.min(this.retry.maxMs, this.retry.baseMs * 2 ** (n - 1));
    const jittered = exp / 2 + (this.random() * exp) / 2;
    return retryAfterS !== null ? Math.max(jittered, retryAfterS * 1000) : jittered;
  }

  private async call<T>(method: Method, path: string, body: unknown, read: (v: unknown) => T | null): Promise<T> {
    const token = this.options.token();
    if (token === null) throw new SfuError(0, "no media token yet: the room has not welcomed us");
    const url = `${this.options.apiOrigin}/api/rooms/${encodeURIComponent(this.options.roomId)}/sfu/${path}`;
    for (let attempt = 1; ; attempt++) {
      const failure = await this.once(method, url, token, body, read);
      if (failure.ok) return failure.value;
      const { error, retryAfterS } = failure;
      if (!RETRIED.has(error.status) || attempt >= this.retry.attempts) throw error;
      await this.sleep(this.backoffMs(attempt, retryAfterS));
    }
  }

  private async once<T>(
    method: Method,
    url: string,
    token: string,
    body: unknown,
    read: (v: unknown) => T | null,
  ): Promise<{ ok: true; value: T } | { ok: false; error: SfuError; retryAfterS: number | null }> {
    let res: Response;
    try {
      res = await this.options.fetch(url, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { "content-type": "application/json" } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
    } catch (e) {
      // No answer at all (offline, the connection reset): as good as a gateway error, and retried.
      return { ok: false, error: new SfuError(502, `no answer from the proxy: ${String(e)}`), retryAfterS: null };
    }
    let json: unknown = null;
    try {
      json = await res.json();
    } catch {
      // An empty or non-JSON body: judged by the status alone below.
    }
    if (res.ok) {
      const value = read(json);
      if (value !== null) return { ok: true, value };
      return { ok: false, error: new SfuError(0, `the proxy's ${res.status} answer is not the documented shape`), retryAfterS: null };
    }
    const err = errorBody(json);
    const retryAfter = Number(res.headers.get("retry-after"));
    return {
      ok: false,
      error: new SfuError(res.status, err?.error ?? `HTTP ${res.status}`, err?.upstream),
      retryAfterS: Number.isFinite(retryAfter) && retryAfter > 0 ? Math.min(retryAfter, 60) : null,
    };
  }
}
