// The proxy's answers, narrowed from `unknown` (the Worker checks them too, but a page trusts no
// answer it has not read), and the per-item split of a tracks call: Realtime fails tracks inside
// a 200, each with `errorCode`, and results are matched by mid or (session, name), never by
// position (docs/protocol.md).

import {
  SFU_MID,
  sessionDescription,
  type NewSessionResult,
  type RenegotiateResult,
  type SessionDescription,
  type SessionState,
  type SessionTrackState,
  type SfuErrorBody,
  type TrackResultItem,
  type TracksResult,
} from "../../../../protocol/sfu";
import { isBool, isObj, isString, listOf, type Obj } from "../../../../protocol/wire";

const SHORT = 256;
const text = (v: unknown, max = SHORT): string | undefined => (isString(v) && v.length <= max ? v : undefined);

function optionalSdp(v: Obj): SessionDescription | undefined | null {
  if (v.sessionDescription === undefined || v.sessionDescription === null) return undefined;
  return sessionDescription(v.sessionDescription);
}

function trackItem(v: unknown): TrackResultItem | null {
  if (!isObj(v)) return null;
  const out: TrackResultItem = {};
  if (v.location === "local" || v.location === "remote") out.location = v.location;
  const mid = text(v.mid, 32);
  if (mid !== undefined && SFU_MID.test(mid)) out.mid = mid;
  for (const key of ["sessionId", "trackName", "errorCode"] as const) {
    const s = text(v[key]);
    if (s !== undefined) out[key] = s;
  }
  const description = text(v.errorDescription, 1000);
  if (description !== undefined) out.errorDescription = description;
  return out;
}

export function newSessionResult(v: unknown): NewSessionResult | null {
  if (!isObj(v) || !isString(v.sessionId) || v.sessionId.length === 0 || v.sessionId.length > 128) return null;
  const sdp = optionalSdp(v);
  if (sdp === null) return null;
  return { sessionId: v.sessionId, ...(sdp ? { sessionDescription: sdp } : {}) };
}

export function tracksResult(v: unknown): TracksResult | null {
  if (!isObj(v)) return null;
  const tracks = listOf(v.tracks ?? [], trackItem);
  const sdp = optionalSdp(v);
  if (tracks === null || sdp === null) return null;
  return { requiresImmediateRenegotiation: isBool(v.requiresImmediateRenegotiation) && v.requiresImmediateRenegotiation, tracks, ...(sdp ? { sessionDescription: sdp } : {}) };
}

export function renegotiateResult(v: unknown): RenegotiateResult | null {
  if (!isObj(v)) return null;
  const sdp = optionalSdp(v);
  if (sdp === null) return null;
  return sdp ? { sessionDescription: sdp } : {};
}

export function sessionState(v: unknown): SessionState | null {
  if (!isObj(v)) return null;
  const tracks = listOf(v.tracks ?? [], (t): SessionTrackState | null => {
    const item = trackItem(t);
    if (!item || !isObj(t)) return null;
    const { errorCode: _e, errorDescription: _d, ...rest } = item;
    const status = t.status === "active" || t.status === "inactive" || t.status === "waiting" ? t.status : undefined;
    return { ...rest, ...(status ? { status } : {}) };
  });
  return tracks === null ? null : { tracks };
}

export function errorBody(v: unknown): Pick<SfuErrorBody, "error" | "upstream"> | null {
  if (!isObj(v)) return null;
  const error = text(v.error, 1000);
  if (error === undefined) return null;
  const up = v.upstream;
  const upstream =
    isObj(up) && typeof up.status === "number" ? { status: up.status, ...(text(up.errorCode) !== undefined ? { errorCode: text(up.errorCode)! } : {}) } : undefined;
  return { error, ...(upstream ? { upstream } : {}) };
}

/** A failed item of a tracks call: which track, and Realtime's (or the proxy's) code. */
export interface FailedItem {
  trackName: string | undefined;
  sessionId: string | undefined;
  mid: string | undefined;
  errorCode: string;
  errorDescription: string;
}

/** Splits a tracks answer: succeeded items (with their mid) and failed ones. */
export function itemResults(result: TracksResult): { ok: Array<TrackResultItem & { mid: string }>; failed: FailedItem[] } {
  const ok: Array<TrackResultItem & { mid: string }> = [];
  const failed: FailedItem[] = [];
  for (const t of result.tracks) {
    if (t.errorCode !== undefined || t.mid === undefined) {
      failed.push({ trackName: t.trackName, sessionId: t.sessionId, mid: t.mid, errorCode: t.errorCode ?? "no-mid", errorDescription: t.errorDescription ?? "" });
    } else ok.push({ ...t, mid: t.mid });
  }
  return { ok, failed };
}
