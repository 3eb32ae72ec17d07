// Cloudflare Realtime's answers, narrowed from `unknown` field by field (never cast): the Worker
// reads the API's answers with these (one of the wrong shape is the API's failure, 502 to the
// page, not something to pass along), and the page reads the proxy's with the same ones. Only
// the documented fields are kept, so that whatever else an answer carries never reaches a page.
// Per-track errors are part of the shape: a 200 may fail some of its tracks (`errorCode`,
// `errorDescription` on the item), and each such item is kept as the API gave it.

import {
  sessionDescription,
  type NewSessionResult,
  type RenegotiateResult,
  type SessionDescription,
  type SessionState,
  type SessionTrackState,
  type TrackResultItem,
  type TracksResult,
} from "./sfu";
import { isBool, isObj, isString, listOf, type Obj } from "./wire";

/** Text the API gives is clipped: it is passed on to a page and may end up in a log. */
const TEXT_MAX = 300;
const clip = (s: string) => (s.length > TEXT_MAX ? `${s.slice(0, TEXT_MAX)}…` : s);

/** A top-level error (`{errorCode, errorDescription}`), in a 4xx/5xx or, now and then, a 200. */
export interface ApiError {
  errorCode?: string;
  errorDescription?: string;
}

export function apiError(v: unknown): ApiError | null {
  if (!isObj(v) || (!isString(v.errorCode) && !isString(v.errorDescription))) return null;
  return {
    ...(isString(v.errorCode) ? { errorCode: clip(v.errorCode) } : {}),
    ...(isString(v.errorDescription) ? { errorDescription: clip(v.errorDescription) } : {}),
  };
}

/** An optional SDP: absent is fine; present, it must be a well-formed one. */
function optionalSdp(v: Obj): { ok: true; sdp: SessionDescription | undefined } | { ok: false } {
  if (v.sessionDescription === undefined || v.sessionDescription === null) return { ok: true, sdp: undefined };
  const sdp = sessionDescription(v.sessionDescription);
  return sdp ? { ok: true, sdp } : { ok: false };
}

const location = (v: unknown): "local" | "remote" | undefined => (v === "local" || v === "remote" ? v : undefined);

/** One item of `tracks` in an answer; each documented field optional, each of the right type. */
function trackResult(v: unknown): TrackResultItem | null {
  if (!isObj(v)) return null;
  const out: TrackResultItem = {};
  for (const key of ["mid", "sessionId", "trackName", "errorCode", "errorDescription"] as const) {
    const value = v[key];
    if (value === undefined || value === null) continue;
    if (!isString(value)) return null;
    out[key] = key === "errorCode" || key === "errorDescription" ? clip(value) : value;
  }
  const loc = location(v.location);
  if (loc) out.location = loc;
  return out;
}

/** A list of tracks; an absent one (null or missing) is an empty list. */
function trackList<T>(v: unknown, item: (x: unknown) => T | null): T[] | null {
  return v === undefined || v === null ? [] : listOf(v, item);
}

export function newSessionAnswer(v: unknown): NewSessionResult | null {
  if (!isObj(v) || !isString(v.sessionId) || v.sessionId.length === 0 || v.sessionId.length > 128) return null;
  const sdp = optionalSdp(v);
  if (!sdp.ok) return null;
  return { sessionId: v.sessionId, ...(sdp.sdp ? { sessionDescription: sdp.sdp } : {}) };
}

/** tracks/new and tracks/close answer alike. */
export function tracksAnswer(v: unknown): TracksResult | null {
  if (!isObj(v)) return null;
  if (v.requiresImmediateRenegotiation !== undefined && !isBool(v.requiresImmediateRenegotiation)) return null;
  const sdp = optionalSdp(v);
  const tracks = trackList(v.tracks, trackResult);
  if (!sdp.ok || tracks === null) return null;
  return { requiresImmediateRenegotiation: v.requiresImmediateRenegotiation === true, tracks, ...(sdp.sdp ? { sessionDescription: sdp.sdp } : {}) };
}

export function renegotiateAnswer(v: unknown): RenegotiateResult | null {
  // An empty body is a fine answer to an answer.
  if (v === null || v === undefined) return {};
  if (!isObj(v)) return null;
  const sdp = optionalSdp(v);
  if (!sdp.ok) return null;
  return sdp.sdp ? { sessionDescription: sdp.sdp } : {};
}

const STATUSES = ["active", "inactive", "waiting"] as const;

function sessionTrack(v: unknown): SessionTrackState | null {
  const base = trackResult(v);
  if (base === null || !isObj(v)) return null;
  const out: SessionTrackState = {};
  if (base.location) out.location = base.location;
  if (base.mid !== undefined) out.mid = base.mid;
  if (base.sessionId !== undefined) out.sessionId = base.sessionId;
  if (base.trackName !== undefined) out.trackName = base.trackName;
  const status = STATUSES.find((s) => s === v.status);
  if (status) out.status = status;
  return out;
}

export function sessionStateAnswer(v: unknown): SessionState | null {
  if (!isObj(v)) return null;
  const tracks = trackList(v.tracks, sessionTrack);
  return tracks === null ? null : { tracks };
}
