// Mesh or SFU (protocol/features/transport.ts): the room decides which transport carries its
// media, and keeps who publishes what on the SFU.
//
// - The choice (transport-choice.ts) is reviewed whenever the room's counts can change: a join,
//   a leave or removal, a seat or mode change, and the alarm (grace periods ending). A switch is
//   one `transport` frame to everyone present; at most one per `config.transportSwitchMs`, and one
//   due later is applied by the alarm (nextDeadline asks transportDue) or by the next review,
//   whichever comes first. What is stored is only the transport and when it last switched: what
//   is pending follows from the counts, so eviction loses nothing.
// - Back on the mesh, every publication is void (the clients close their SFU sessions on the
//   `transport` frame): the room clears them without a frame each, so that no welcome carries
//   tracks nobody publishes.
// - `sfu-tracks`: a member's announcement of what it publishes on its SFU session, which must be
//   one it created through this room's proxy (realtime/session-store.ts). Kept on the member
//   (every welcome, kept while away, gone with it) and told to everyone present, the sender too,
//   with `peer-sfu`. Rationed per member like hands (SFU_TRACKS_POLICY), stops excepted.

import type { GuardPolicy } from "../../socket-guard";
import { error, overRation, refuse, SCHEDULE, sendTo, type Effect } from "../effects";
import type { MemberHandler, MessageOf } from "../handler";
import type { StoredMember } from "../ports";
import type { RoomState } from "../state";
import { seatCounts } from "./seats";
import { neededTransport, switchAt } from "./transport-choice";

/**
 * Announcements per member: the episode rules of HAND_POLICY (features/stage.ts). A page
 * announces when its SFU session comes up and on each change of what it publishes (mic, camera,
 * screen on or off), a few in a burst at most.
 */
export const SFU_TRACKS_POLICY: GuardPolicy = { rate: { perSecond: 2.5, burst: 5 }, maxDropped: 10, maxInvalidFrames: 1 };

const sameTracks = (a: StoredMember["sfu"], session: string, tracks: MessageOf<"sfu-tracks">["tracks"]): boolean =>
  a !== null && a.session === session && JSON.stringify(a.tracks) === JSON.stringify(tracks);

export const sfuTracks: MemberHandler<MessageOf<"sfu-tracks">> = {
  who: "member",
  run(room, from, msg) {
    const stopping = msg.tracks.length === 0;
    // A stop of what the room knows is never rationed (as recording's): stops cannot outnumber the
    // announcements let through, and a stop refused would leave others pulling dead tracks.
    const refused = stopping && from.sfu !== null ? null : overRation(room.admitSfuTracks(from.id, SFU_TRACKS_POLICY), "SFU track announcements");
    if (refused) return refused;
    // Someone else's session, or none made here: no honest client sends that (a strike).
    if (room.sfuSessions === null || room.sfuSessions.owner(msg.session) !== from.id) {
      return refuse("not-sfu", "that SFU session is not one you created through this room");
    }
    if (stopping) {
      if (from.sfu === null) return [];
      return publish(room, from, null);
    }
    // No strike for these two: an honest announcement may cross the room's switch back to the
    // mesh, or a host's move of the member to the audience.
    if (room.transport.kind !== "sfu") return [error("not-sfu", "this room is on the mesh: publish there")];
    if (from.seat === "viewer") return [error("not-on-stage", "a viewer publishes nothing")];
    if (sameTracks(from.sfu, msg.session, msg.tracks)) return [];
    return publish(room, from, { session: msg.session, tracks: msg.tracks });
  },
};

function publish(room: RoomState, from: StoredMember, sfu: StoredMember["sfu"]): Effect[] {
  room.save({ ...from, sfu });
  return [sendTo(room.present().map((m) => m.id), { type: "peer-sfu", id: from.id, sfu })];
}

function needed(room: RoomState) {
  const { config } = room;
  return neededTransport({
    current: room.transport.kind,
    sfu: config.sfu,
    mode: room.mode.mode,
    members: room.members.size,
    viewers: room.mode.mode === "stage" ? seatCounts(room).viewers : 0,
    meshMax: config.meshMax,
    meshViewers: config.meshViewers,
  });
}

/** When the switch the room needs may happen, or null when it needs none. */
export function transportDue(room: RoomState): number | null {
  const { kind, switched } = room.transport;
  return needed(room) === kind ? null : switchAt(switched, room.deps.now(), room.config.transportSwitchMs);
}

/**
 * Applies the switch the room needs, if the ration allows it now; otherwise asks for the alarm,
 * which comes back when it does. Nothing when the room is where it should be.
 */
export function reviewTransport(room: RoomState): Effect[] {
  const due = transportDue(room);
  if (due === null) return [];
  const now = room.deps.now();
  if (due > now) return [SCHEDULE];
  const kind = needed(room);
  room.setTransport({ kind, switched: now });
  if (kind === "mesh") for (const m of [...room.members.values()]) if (m.sfu !== null) room.save({ ...m, sfu: null });
  return [sendTo(room.present().map((m) => m.id), { type: "transport", transport: room.transportState() })];
}
