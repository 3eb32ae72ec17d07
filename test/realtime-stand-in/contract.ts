// The request shapes of Cloudflare Realtime's API, as its OpenAPI description
// (realtime-api-2024-05-21) documents them, checked by the stand-in (http.ts) on every call: a
// request the real API would not take is refused with 400 and the reason. Written apart from the
// Worker's own checks (protocol/sfu.ts), so that a mistake in those is caught here rather than
// repeated. Test infrastructure only.
//
//   SessionDescription  {type: "offer"|"answer", sdp: string}
//   TrackObject         {location: "local"|"remote", trackName, mid? (local), sessionId? (remote),
//                        simulcast?: {preferredRid?, priorityOrdering?, ridNotAvailable?}
//                        ("none"|"asciibetical"), bidirectionalMediaStream?, kind?}
//   NewSessionRequest   {sessionDescription?}
//   TracksRequest       {sessionDescription?, tracks: TrackObject[], autoDiscover?}
//   RenegotiateRequest  {sessionDescription}
//   CloseTracksRequest  {tracks: [{mid}], sessionDescription?, force?}
//
// Fields the description does not list are refused too: the real API may ignore them, but a
// field the Worker sends and the API ignores is a bug worth a failing test.

import type { Sdp, SimulcastPreference } from "./engine";

export const MAX_TRACKS_PER_CALL = 64;

export type Checked<T> = { ok: true; value: T } | { ok: false; reason: string };
const good = <T>(value: T): Checked<T> => ({ ok: true, value });
const bad = (reason: string): Checked<never> => ({ ok: false, reason });

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const str = (v: unknown): v is string => typeof v === "string" && v.length > 0;

function extra(v: Obj, allowed: readonly string[], where: string): string | null {
  const k = Object.keys(v).find((key) => !allowed.includes(key));
  return k === undefined ? null : `${where}: "${k}" is not a documented field`;
}

export function sdpOf(v: unknown, where: string): Checked<Sdp> {
  if (!isObj(v)) return bad(`${where} must be a SessionDescription object`);
  const e = extra(v, ["type", "sdp"], where);
  if (e) return bad(e);
  if (v.type !== "offer" && v.type !== "answer") return bad(`${where}.type must be "offer" or "answer"`);
  if (!str(v.sdp)) return bad(`${where}.sdp must be a non-empty string`);
  return good({ type: v.type, sdp: v.sdp });
}

function optionalSdp(v: Obj): Checked<Sdp | null> {
  return v.sessionDescription === undefined ? good(null) : sdpOf(v.sessionDescription, "sessionDescription");
}

export type TrackObject =
  | { location: "local"; trackName: string; mid: string }
  | { location: "remote"; trackName: string; sessionId: string; simulcast?: SimulcastPreference };

const ORDERINGS = ["none", "asciibetical"];

function simulcastOf(v: unknown, where: string): Checked<SimulcastPreference> {
  if (!isObj(v)) return bad(`${where} must be an object`);
  const e = extra(v, ["preferredRid", "priorityOrdering", "ridNotAvailable"], where);
  if (e) return bad(e);
  const out: SimulcastPreference = {};
  if (v.preferredRid !== undefined) {
    if (!str(v.preferredRid)) return bad(`${where}.preferredRid must be a string`);
    out.preferredRid = v.preferredRid;
  }
  for (const key of ["priorityOrdering", "ridNotAvailable"] as const) {
    const value = v[key];
    if (value === undefined) continue;
    if (value !== "none" && value !== "asciibetical") return bad(`${where}.${key} must be one of ${ORDERINGS.join(", ")}`);
    out[key] = value;
  }
  return good(out);
}

function trackObject(v: unknown, i: number): Checked<TrackObject> {
  const where = `tracks[${i}]`;
  if (!isObj(v)) return bad(`${where} must be a TrackObject`);
  const e = extra(v, ["location", "trackName", "mid", "sessionId", "simulcast", "bidirectionalMediaStream", "kind"], where);
  if (e) return bad(e);
  if (!str(v.trackName)) return bad(`${where}.trackName is required`);
  if (v.bidirectionalMediaStream !== undefined && typeof v.bidirectionalMediaStream !== "boolean") return bad(`${where}.bidirectionalMediaStream must be a boolean`);
  if (v.kind !== undefined && typeof v.kind !== "string") return bad(`${where}.kind must be a string`);
  if (v.location === "local") {
    if (!str(v.mid)) return bad(`${where}: a local track needs the mid of its transceiver`);
    if (v.sessionId !== undefined || v.simulcast !== undefined) return bad(`${where}: sessionId and simulcast are for remote tracks`);
    return good({ location: "local", trackName: v.trackName, mid: v.mid });
  }
  if (v.location === "remote") {
    if (!str(v.sessionId)) return bad(`${where}: a remote track needs the sessionId of its publisher`);
    if (v.mid !== undefined) return bad(`${where}: mid is for local tracks`);
    const item: TrackObject = { location: "remote", trackName: v.trackName, sessionId: v.sessionId };
    if (v.simulcast !== undefined) {
      const s = simulcastOf(v.simulcast, `${where}.simulcast`);
      if (!s.ok) return s;
      item.simulcast = s.value;
    }
    return good(item);
  }
  return bad(`${where}.location must be "local" or "remote"`);
}

function body(v: unknown, allowed: readonly string[]): Checked<Obj> {
  if (!isObj(v)) return bad("the body must be a JSON object");
  const e = extra(v, allowed, "body");
  return e ? bad(e) : good(v);
}

function trackCount(v: unknown): Checked<unknown[]> {
  if (!Array.isArray(v) || v.length === 0) return bad("tracks must be a non-empty array");
  if (v.length > MAX_TRACKS_PER_CALL) return bad(`at most ${MAX_TRACKS_PER_CALL} tracks per call; this one has ${v.length}`);
  return good(v);
}

export function newSessionRequest(v: unknown): Checked<{ offer: Sdp | null }> {
  if (v === undefined) return good({ offer: null });
  const b = body(v, ["sessionDescription"]);
  if (!b.ok) return b;
  const sdp = optionalSdp(b.value);
  if (!sdp.ok) return sdp;
  if (sdp.value && sdp.value.type !== "offer") return bad("a new session's sessionDescription must be an offer");
  return good({ offer: sdp.value });
}

export function tracksRequest(v: unknown): Checked<{ offer: Sdp | null; tracks: TrackObject[] }> {
  const b = body(v, ["sessionDescription", "tracks", "autoDiscover"]);
  if (!b.ok) return b;
  if (b.value.autoDiscover !== undefined) return bad("autoDiscover is documented, but this stand-in does not implement it");
  const list = trackCount(b.value.tracks);
  if (!list.ok) return list;
  const tracks: TrackObject[] = [];
  for (const [i, t] of list.value.entries()) {
    const item = trackObject(t, i);
    if (!item.ok) return item;
    tracks.push(item.value);
  }
  const sdp = optionalSdp(b.value);
  if (!sdp.ok) return sdp;
  const locals = tracks.some((t) => t.location === "local");
  if (locals && sdp.value?.type !== "offer") return bad("local tracks need sessionDescription: the offer holding their mids");
  if (locals && tracks.some((t) => t.location === "remote")) return bad("this stand-in takes local and remote tracks in separate calls");
  if (!locals && sdp.value) return bad("this stand-in takes a sessionDescription with local tracks only");
  return good({ offer: sdp.value, tracks });
}

export function renegotiateRequest(v: unknown): Checked<Sdp> {
  const b = body(v, ["sessionDescription"]);
  if (!b.ok) return b;
  return sdpOf(b.value.sessionDescription, "sessionDescription");
}

export function closeTracksRequest(v: unknown): Checked<{ mids: string[]; offer: Sdp | null; force: boolean }> {
  const b = body(v, ["tracks", "sessionDescription", "force"]);
  if (!b.ok) return b;
  const list = trackCount(b.value.tracks);
  if (!list.ok) return list;
  const mids: string[] = [];
  for (const [i, t] of list.value.entries()) {
    if (!isObj(t) || !str(t.mid) || Object.keys(t).length !== 1) return bad(`tracks[${i}] must be a CloseTrackObject {mid}`);
    mids.push(t.mid);
  }
  if (b.value.force !== undefined && typeof b.value.force !== "boolean") return bad("force must be a boolean");
  const sdp = optionalSdp(b.value);
  if (!sdp.ok) return sdp;
  if (sdp.value && sdp.value.type !== "offer") return bad("a close's sessionDescription must be an offer");
  return good({ mids, offer: sdp.value, force: b.value.force === true });
}
