// The SFU proxy's HTTP contract (issue #16): the bodies a page sends to
// /api/rooms/<id>/sfu/sessions/... and what it gets back. No socket frame: a page authenticates
// with its member's media token (`welcome.mediaToken`) in `Authorization: Bearer …`, the Worker
// calls Cloudflare Realtime with the app's secret, which no page ever sees.
//
// The bodies are Cloudflare Realtime's own (realtime-api-2024-05-21), so that a page reads like
// its documentation, narrowed to what roomlink uses: no `autoDiscover`, no data channels, no
// `bidirectionalMediaStream`. Everything here is checked at the Worker from `unknown`, and the
// Worker rebuilds each body from the checked values: nothing unchecked reaches the API.
//
//   POST /sessions/new                   {sessionDescription?}               → 201 {sessionId, sessionDescription?}
//   POST /sessions/<sid>/tracks/new      {sessionDescription?, tracks: [...]} → 200 {requiresImmediateRenegotiation, sessionDescription?, tracks: [...]}
//   PUT  /sessions/<sid>/renegotiate     {sessionDescription}                 → 200 {sessionDescription?}
//   PUT  /sessions/<sid>/tracks/close    {tracks: [{mid}], sessionDescription?, force?} → 200 {requiresImmediateRenegotiation, sessionDescription?, tracks: [...]}
//   GET  /sessions/<sid>                                                      → 200 {tracks: [...]}
//
// A track item of a 200 may carry `errorCode` and `errorDescription` instead of succeeding: the
// API's per-item errors, passed through, plus the proxy's own "not-in-room" for a pull from a
// session this room did not create.

import { isBool, isObj, isOneOf, isString, type Obj } from "./wire";

/** Cloudflare's limit: tracks in one call (documentation, "Limits, timeouts and quotas"). */
export const SFU_MAX_TRACKS_PER_CALL = 64;
/** Cloudflare's limit: calls per second on one session. */
export const SFU_CALLS_PER_SECOND = 50;
/**
 * Largest proxy request body. A simulcast video m-section is about 1.5 KB of SDP, so 64 tracks
 * fit with room to spare; nothing legitimate comes near it.
 */
export const SFU_BODY_MAX_BYTES = 256 * 1024;
/** Longest SDP the proxy forwards (the body's bound, less the JSON around it). */
export const SFU_SDP_MAX_CHARS = 240 * 1024;
/**
 * SFU sessions one member holds at once: a page needs one, plus one being replaced after an ICE
 * failure, plus slack. Creating one more forgets the oldest (Realtime has no call to close a
 * session: an abandoned one dies with its peer connection).
 */
export const SFU_SESSIONS_PER_MEMBER = 4;
/** A session id as Realtime mints it (32 hex digits), bounded loosely: the API owns the format. */
export const SFU_SESSION_ID = /^[A-Za-z0-9_-]{1,128}$/;
/** A track name: the publisher picks it, pullers name it. Printable ASCII, no spaces. */
export const SFU_TRACK_NAME = /^[\x21-\x7e]{1,128}$/;
/** A transceiver's mid (RFC 8843 allows 1–16 token characters; browsers use small integers). */
export const SFU_MID = /^[\x21-\x7e]{1,32}$/;
/** A simulcast layer's rid (RFC 8851: alphanumerics, `-` and `_`, at most 255; browsers use a letter or two). */
export const SFU_RID = /^[A-Za-z0-9_-]{1,32}$/;

export const SIMULCAST_ORDERINGS = ["none", "asciibetical"] as const;
export type SimulcastOrdering = (typeof SIMULCAST_ORDERINGS)[number];

export interface SessionDescription {
  type: "offer" | "answer";
  sdp: string;
}

export interface SimulcastPreference {
  preferredRid?: string;
  priorityOrdering?: SimulcastOrdering;
  ridNotAvailable?: SimulcastOrdering;
}

/** Publishing: a transceiver (by mid, in the offer sent alongside) under a name of one's choosing. */
export interface LocalTrackItem {
  location: "local";
  mid: string;
  trackName: string;
}

/** Pulling another session's track by (sessionId, trackName), optionally choosing a simulcast layer. */
export interface RemoteTrackItem {
  location: "remote";
  sessionId: string;
  trackName: string;
  simulcast?: SimulcastPreference;
}

export type TrackItem = LocalTrackItem | RemoteTrackItem;

export interface NewSessionBody {
  sessionDescription?: SessionDescription;
}

export interface TracksNewBody {
  sessionDescription?: SessionDescription;
  tracks: TrackItem[];
}

export interface RenegotiateBody {
  sessionDescription: SessionDescription;
}

export interface TracksCloseBody {
  tracks: Array<{ mid: string }>;
  sessionDescription?: SessionDescription;
  /** True: stop the tracks' data without renegotiating (no SDP needed). */
  force?: boolean;
}

/** One track of an answer: succeeded (a `mid`), or failed (`errorCode`, `errorDescription`). */
export interface TrackResultItem {
  location?: "local" | "remote";
  mid?: string;
  sessionId?: string;
  trackName?: string;
  errorCode?: string;
  errorDescription?: string;
}

export interface NewSessionResult {
  sessionId: string;
  sessionDescription?: SessionDescription;
}

export interface TracksResult {
  requiresImmediateRenegotiation: boolean;
  sessionDescription?: SessionDescription;
  tracks: TrackResultItem[];
}

export interface RenegotiateResult {
  sessionDescription?: SessionDescription;
}

export interface SessionTrackState {
  location?: "local" | "remote";
  mid?: string;
  sessionId?: string;
  trackName?: string;
  status?: "active" | "inactive" | "waiting";
}

export interface SessionState {
  tracks: SessionTrackState[];
}

/**
 * The proxy's refusals, `{error, status}` like every /api answer, plus for a failure of the API
 * itself (502) what it said: its HTTP status and, when it gave one, its errorCode.
 */
export interface SfuErrorBody {
  error: string;
  status: number;
  upstream?: { status: number; errorCode?: string };
}

/** A request body's verdict: the value, or why it was refused (a 400's text). */
export type BodyCheck<T> = { ok: true; value: T } | { ok: false; reason: string };

const good = <T>(value: T): BodyCheck<T> => ({ ok: true, value });
const bad = (reason: string): BodyCheck<never> => ({ ok: false, reason });

/** Fields outside `allowed`, so that a typo is refused rather than silently dropped. */
function unknownField(v: Obj, allowed: readonly string[]): string | null {
  return Object.keys(v).find((k) => !allowed.includes(k))?.slice(0, 40) ?? null;
}

export function sessionDescription(v: unknown): SessionDescription | null {
  if (!isObj(v) || unknownField(v, ["type", "sdp"]) !== null) return null;
  if (v.type !== "offer" && v.type !== "answer") return null;
  if (!isString(v.sdp) || v.sdp.length === 0 || v.sdp.length > SFU_SDP_MAX_CHARS) return null;
  return { type: v.type, sdp: v.sdp };
}

const SDP_SHAPE = `{"type": "offer"|"answer", "sdp": 1–${SFU_SDP_MAX_CHARS} characters}`;

function optionalSdp(v: Obj, name = "sessionDescription"): BodyCheck<SessionDescription | undefined> {
  if (v[name] === undefined) return good(undefined);
  const sdp = sessionDescription(v[name]);
  return sdp ? good(sdp) : bad(`\`${name}\` must be ${SDP_SHAPE}`);
}

function simulcast(v: unknown): BodyCheck<SimulcastPreference> {
  if (!isObj(v)) return bad("`simulcast` must be an object");
  const extra = unknownField(v, ["preferredRid", "priorityOrdering", "ridNotAvailable"]);
  if (extra !== null) return bad(`unknown field "simulcast.${extra}"`);
  const out: SimulcastPreference = {};
  if (v.preferredRid !== undefined) {
    if (!isString(v.preferredRid) || !SFU_RID.test(v.preferredRid)) return bad("`simulcast.preferredRid` must be a rid (1–32 of A–Z, a–z, 0–9, - and _)");
    out.preferredRid = v.preferredRid;
  }
  for (const key of ["priorityOrdering", "ridNotAvailable"] as const) {
    if (v[key] === undefined) continue;
    const value = v[key];
    if (!isOneOf(SIMULCAST_ORDERINGS, value)) return bad(`\`simulcast.${key}\` must be "none" or "asciibetical"`);
    out[key] = value;
  }
  return good(out);
}

function trackItem(v: unknown, i: number): BodyCheck<TrackItem> {
  if (!isObj(v)) return bad(`tracks[${i}] must be an object`);
  if (!isString(v.trackName) || !SFU_TRACK_NAME.test(v.trackName)) return bad(`tracks[${i}].trackName must be 1–128 printable ASCII characters without spaces`);
  if (v.location === "local") {
    const extra = unknownField(v, ["location", "mid", "trackName"]);
    if (extra !== null) return bad(`tracks[${i}]: unknown field "${extra}" for a local track`);
    if (!isString(v.mid) || !SFU_MID.test(v.mid)) return bad(`tracks[${i}].mid must be the transceiver's mid in the offer`);
    return good({ location: "local", mid: v.mid, trackName: v.trackName });
  }
  if (v.location === "remote") {
    const extra = unknownField(v, ["location", "sessionId", "trackName", "simulcast"]);
    if (extra !== null) return bad(`tracks[${i}]: unknown field "${extra}" for a remote track`);
    if (!isString(v.sessionId) || !SFU_SESSION_ID.test(v.sessionId)) return bad(`tracks[${i}].sessionId must be the publishing session's id`);
    const item: RemoteTrackItem = { location: "remote", sessionId: v.sessionId, trackName: v.trackName };
    if (v.simulcast !== undefined) {
      const s = simulcast(v.simulcast);
      if (!s.ok) return bad(`tracks[${i}]: ${s.reason}`);
      item.simulcast = s.value;
    }
    return good(item);
  }
  return bad(`tracks[${i}].location must be "local" or "remote"`);
}

function bodyObject(v: unknown, allowed: readonly string[]): BodyCheck<Obj> {
  if (!isObj(v)) return bad("the body must be a JSON object");
  const extra = unknownField(v, allowed);
  return extra === null ? good(v) : bad(`unknown field "${extra}": only ${allowed.map((a) => `"${a}"`).join(", ")} may be given`);
}

export function checkNewSession(v: unknown): BodyCheck<NewSessionBody> {
  const body = bodyObject(v ?? {}, ["sessionDescription"]);
  if (!body.ok) return body;
  const sdp = optionalSdp(body.value);
  if (!sdp.ok) return sdp;
  if (sdp.value && sdp.value.type !== "offer") return bad("`sessionDescription` of a new session must be an offer");
  return good(sdp.value ? { sessionDescription: sdp.value } : {});
}

export function checkTracksNew(v: unknown): BodyCheck<TracksNewBody> {
  const body = bodyObject(v, ["sessionDescription", "tracks"]);
  if (!body.ok) return body;
  const { tracks } = body.value;
  if (!Array.isArray(tracks) || tracks.length === 0) return bad("`tracks` must be a non-empty array");
  if (tracks.length > SFU_MAX_TRACKS_PER_CALL) return bad(`at most ${SFU_MAX_TRACKS_PER_CALL} tracks per call (Realtime's limit): split them over several calls`);
  const items: TrackItem[] = [];
  for (const [i, t] of tracks.entries()) {
    const item = trackItem(t, i);
    if (!item.ok) return item;
    items.push(item.value);
  }
  const sdp = optionalSdp(body.value);
  if (!sdp.ok) return sdp;
  if (items.some((t) => t.location === "local") && sdp.value?.type !== "offer") return bad("publishing local tracks needs `sessionDescription`: the offer that holds their mids");
  return good({ tracks: items, ...(sdp.value ? { sessionDescription: sdp.value } : {}) });
}

export function checkRenegotiate(v: unknown): BodyCheck<RenegotiateBody> {
  const body = bodyObject(v, ["sessionDescription"]);
  if (!body.ok) return body;
  const sdp = sessionDescription(body.value.sessionDescription);
  return sdp ? good({ sessionDescription: sdp }) : bad(`\`sessionDescription\` must be ${SDP_SHAPE}`);
}

export function checkTracksClose(v: unknown): BodyCheck<TracksCloseBody> {
  const body = bodyObject(v, ["tracks", "sessionDescription", "force"]);
  if (!body.ok) return body;
  const { tracks, force } = body.value;
  if (!Array.isArray(tracks) || tracks.length === 0) return bad("`tracks` must be a non-empty array of {mid}");
  if (tracks.length > SFU_MAX_TRACKS_PER_CALL) return bad(`at most ${SFU_MAX_TRACKS_PER_CALL} tracks per call (Realtime's limit): split them over several calls`);
  const mids: Array<{ mid: string }> = [];
  for (const [i, t] of tracks.entries()) {
    if (!isObj(t) || unknownField(t, ["mid"]) !== null || !isString(t.mid) || !SFU_MID.test(t.mid)) return bad(`tracks[${i}] must be {"mid": the transceiver's mid}`);
    mids.push({ mid: t.mid });
  }
  if (force !== undefined && !isBool(force)) return bad("`force` must be true or false");
  const sdp = optionalSdp(body.value);
  if (!sdp.ok) return sdp;
  return good({ tracks: mids, ...(sdp.value ? { sessionDescription: sdp.value } : {}), ...(force !== undefined ? { force } : {}) });
}
