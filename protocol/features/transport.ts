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

import { type ClientValidators, type ServerValidators } from "../wire";

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
//   (settings.stageViewers already exists; with an SFU it is SFU_STAGE_VIEWERS.)
// The validators (transportClient / transportServer, sfuPublication(v), transportState(v)) are
// written by the room's helper in this file and wired into protocol/protocol.ts.
export declare const transportClient: ClientValidators<TransportClientMessage, never>;
export declare const transportServer: ServerValidators<TransportServerMessage>;
