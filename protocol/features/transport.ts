// How media travels in a room: the mesh (peer to peer) or Cloudflare Realtime's SFU (issue #16).
// Signaling, chat, hands, the lobby and everything else stay on the room socket either way.
//
// CONTRACT (session 8): the types, frames, codes and rules below are fixed; the room's handling
// is worker/room/features/transport.ts, the client's web/src/engine/features/transport.ts and
// the transport itself web/src/engine/sfu/. Validators (both directions) belong in this file.
//
// - The room decides, never a client. `welcome.transport` says which one is in force now and
//   whether the deployment has an SFU at all (`sfu`: REALTIME_APP_ID and its secret set). The room
//   switches to "sfu" when the deployment has one and the room needs it:
//     * a meeting with more than `settings.meshMax` members present or away (MESH_MAX, default 6);
//     * a stage with more viewers than `settings.meshViewers` (the mesh's viewer limit: the
//       existing STAGE_VIEWERS, 25 by default, which is what a speaker's uplink can feed);
//   and back to "mesh" only when it falls to `meshMax − 2` members (meeting) or `meshViewers − 5`
//   viewers (stage), so that one person coming and going at the line does not flip every call.
//   A switch is one `transport` frame to everyone; clients bring up the new transport, move their
//   media to it, and close the old one, without reloading. Switching is rationed by the room
//   (at most one switch per TRANSPORT_SWITCH_MIN_MS, 10 s; a pending switch is applied then).
// - Capacity: with an SFU a meeting takes up to `settings.sfuMeetingMax` (SFU_MEETING_MAX,
//   default 50) and a stage up to `settings.stageViewers` = SFU_STAGE_VIEWERS (default 1000)
//   viewers; without one, the mesh limits stand (ROOM_CAPACITY, STAGE_VIEWERS) and the UI
//   explains them ("This room is full: calls without a server are limited to N people").
// - Publishing on the SFU: after a member's SFU session is up and its tracks are published, it
//   announces them with `sfu-tracks {session, tracks}` (replacing what it announced before; an
//   empty list when it stops). The room checks that `session` is one this member created through
//   the proxy (worker/realtime session store), keeps the announcement on the member
//   (PeerInfo.sfu: in every welcome, kept while away, gone with the member), and tells everyone
//   (the sender included) with `peer-sfu`. Others pull those tracks by (session, track name).
//   Rationed like hands (first excess `rate-limited`, then drops, then 4429).
// - A viewer on a stage publishes nothing (its announcement is refused with "not-on-stage").
// - The safety code applies to mesh links only (DTLS ends at the SFU): the UI says so.
//
// Settled by the room's helper (session 8), where the rules above left a gap:
// - Back on the mesh, the room clears every member's publication itself (no `peer-sfu` each: the
//   `transport` frame says it), since `sfu-tracks` is refused on the mesh and a client could not
//   withdraw its own. A stop (`tracks: []`) is taken on either transport and from a viewer.
// - "not-sfu" for another's or an unknown session counts against the socket like any refused
//   frame; "not-sfu" on the mesh and "not-on-stage" for a viewer do not (an honest announcement
//   may cross a switch or a host's seat change).
// - A joiner's welcome says the transport before its own arrival is counted; when its arrival
//   makes the room switch, a `transport` frame follows, to it too.
// - In rooms past ROSTER_BATCH_MIN members, `peer-joined`, `peer-left`, `peer-presence` and
//   `peer-sfu` may arrive batched in one `roster {frames}` frame (features/roster-batch.ts): a
//   client applies its frames in order, as if each had come alone.

import { SFU_RID, SFU_SESSION_ID, SFU_TRACK_NAME } from "../sfu";
import { bad, type ClientValidators, isBool, isIntIn, isObj, isOneOf, isPeerId, isString, listOf, ok, type ServerValidators } from "../wire";

export const TRANSPORTS = ["mesh", "sfu"] as const;
export type TransportKind = (typeof TRANSPORTS)[number];

/** What a published track carries: the roles the mesh already uses (peer/stream-roles.ts). */
export const SFU_TRACK_ROLES = ["mic", "camera", "screen", "screen-audio"] as const;
export type SfuTrackRole = (typeof SFU_TRACK_ROLES)[number];

/** At most this many tracks in one announcement (mic, camera, screen, screen audio). */
export const SFU_TRACKS_MAX = 4;

export interface SfuTrack {
  /** The track name it was published under (protocol/sfu.ts SFU_TRACK_NAME). */
  name: string;
  role: SfuTrackRole;
  /** For video published with simulcast: its rids, highest quality first; absent otherwise. */
  rids?: string[];
  /**
   * With rids: the highest layer's height in pixels (the capture's), each next one half of it.
   * Pullers size the layers from it (a 640×360 camera's "h" is 360p, not 720p); absent, they guess.
   */
  height?: number;
}

/** A member's published SFU tracks, as everyone knows them. */
export interface SfuPublication {
  /** The member's SFU session id (protocol/sfu.ts SFU_SESSION_ID). */
  session: string;
  tracks: SfuTrack[];
}

/** `welcome.transport`. */
export interface TransportState {
  /** In force now. */
  kind: TransportKind;
  /** The deployment has Cloudflare Realtime configured. */
  sfu: boolean;
}

export type TransportClientMessage =
  /** Any member on the SFU transport: what it publishes now (tracks: [] when nothing). */
  { type: "sfu-tracks"; session: string; tracks: SfuTrack[] };

export type TransportServerMessage =
  /** To everyone: the room switched transports. */
  | { type: "transport"; transport: TransportState }
  /** To everyone, the publisher too: a member's publication changed (null: none). */
  | { type: "peer-sfu"; id: string; sfu: SfuPublication | null };

export const TRANSPORT_ERRORS = [
  /** `sfu-tracks` while the room is on the mesh, or the session is not one this member created. */
  "not-sfu",
] as const;

// Added to existing shapes (membership.ts and the settings table, by the room's helper):
//   PeerInfo.sfu: SfuPublication | null
//   welcome.transport: TransportState
//   settings.meshMax, settings.sfuMeetingMax (SETTINGS_RANGES: meshMax [2, 50], sfuMeetingMax [2, 1000])
//   settings.meshViewers (SETTINGS_RANGES [0, 1000]: STAGE_VIEWERS, the stage threshold above;
//   added in session 8 by the room's helper, because with an SFU settings.stageViewers is
//   SFU_STAGE_VIEWERS and a client could no longer tell where the stage switches)
//   (settings.stageViewers already exists; with an SFU it is SFU_STAGE_VIEWERS.)
//   settings.capacity: the meeting's cap in force (with an SFU, sfuMeetingMax; else ROOM_CAPACITY).
// The validators (transportClient / transportServer, sfuPublication(v), transportState(v)) are
// written by the room's helper in this file and wired into protocol/protocol.ts.

/** Simulcast layers one video track may name (browsers send two or three). */
export const SFU_RIDS_MAX = 3;
/** The tallest layer a track may announce (8K). */
export const SFU_HEIGHT_MAX = 4320;

/**
 * The room's thresholds (besides settings.meshMax and settings.meshViewers): back to the mesh at
 * `meshMax − MESH_BACK_MEMBERS` members, or `meshViewers − MESH_BACK_VIEWERS` viewers.
 */
export const MESH_BACK_MEMBERS = 2;
export const MESH_BACK_VIEWERS = 5;
/** At most one switch per this long (the room's default; TRANSPORT_SWITCH_MS configures it). */
export const TRANSPORT_SWITCH_MIN_MS = 10_000;

export const isTransportKind = (v: unknown): v is TransportKind => isOneOf(TRANSPORTS, v);

function sfuTrack(v: unknown): SfuTrack | null {
  if (!isObj(v) || !isString(v.name) || !SFU_TRACK_NAME.test(v.name) || !isOneOf(SFU_TRACK_ROLES, v.role)) return null;
  if (v.rids === undefined) return { name: v.name, role: v.role };
  if (!Array.isArray(v.rids) || v.rids.length === 0 || v.rids.length > SFU_RIDS_MAX) return null;
  const rids = listOf(v.rids, (r) => (isString(r) && SFU_RID.test(r) ? r : null));
  if (!rids || new Set(rids).size !== rids.length) return null;
  if (v.height === undefined) return { name: v.name, role: v.role, rids };
  if (!isIntIn(v.height, 1, SFU_HEIGHT_MAX)) return null;
  return { name: v.name, role: v.role, rids, height: v.height };
}

/** At most SFU_TRACKS_MAX tracks, names and roles each distinct (one mic, one camera, …). */
function sfuTracks(v: unknown): SfuTrack[] | null {
  if (!Array.isArray(v) || v.length > SFU_TRACKS_MAX) return null;
  const tracks = listOf(v, sfuTrack);
  if (!tracks) return null;
  if (new Set(tracks.map((t) => t.name)).size !== tracks.length || new Set(tracks.map((t) => t.role)).size !== tracks.length) return null;
  return tracks;
}

export function sfuPublication(v: unknown): SfuPublication | null {
  if (!isObj(v) || !isString(v.session) || !SFU_SESSION_ID.test(v.session)) return null;
  const tracks = sfuTracks(v.tracks);
  return tracks ? { session: v.session, tracks } : null;
}

/** PeerInfo.sfu: null, or a publication. `undefined` (a field missing or malformed) is malformed. */
export function sfuField(v: unknown): SfuPublication | null | undefined {
  return v === null ? null : (sfuPublication(v) ?? undefined);
}

export function transportState(v: unknown): TransportState | null {
  return isObj(v) && isTransportKind(v.kind) && isBool(v.sfu) ? { kind: v.kind, sfu: v.sfu } : null;
}

export const transportClient: ClientValidators<TransportClientMessage, never> = {
  "sfu-tracks": (v) => {
    if (!isString(v.session) || !SFU_SESSION_ID.test(v.session)) return bad("sfu-tracks", "`session` must be an SFU session id");
    const tracks = sfuTracks(v.tracks);
    if (!tracks) {
      return bad("sfu-tracks", `\`tracks\` must be at most ${SFU_TRACKS_MAX} {name, role, rids?, height?} with distinct names and roles (${SFU_TRACK_ROLES.join(", ")})`);
    }
    return ok({ type: "sfu-tracks", session: v.session, tracks });
  },
};

export const transportServer: ServerValidators<TransportServerMessage> = {
  transport: (v) => {
    const transport = transportState(v.transport);
    return transport ? { type: "transport", transport } : null;
  },
  "peer-sfu": (v) => {
    if (!isPeerId(v.id)) return null;
    const sfu = sfuField(v.sfu);
    return sfu === undefined ? null : { type: "peer-sfu", id: v.id, sfu };
  },
};
