// Stage mode (protocol/features/stage.ts): a room where a few speakers broadcast and everyone
// else watches. The room decides who sits where and enforces it; the clients build the
// connections the seats call for (speakers mesh, viewers receive from speakers only).
//
// - `set-mode` (host or cohost) switches the room. To a stage: the sender and the other present
//   key holders (role "host") become the speakers, at most MAX_SPEAKERS, the sender first; the
//   others become viewers, and their mic, camera and screen are turned off. To a meeting:
//   everyone is a speaker again, if the meeting's capacity holds them all.
// - `set-seat` (host or cohost) moves one member; `leave-stage` lets a speaker step down itself.
//   A viewer cannot move itself up: that takes a host or cohost (who may seat itself).
// - `hand`: any member raises or lowers its own hand, in a meeting too. Rationed (HAND_POLICY),
//   because every change is a frame to everyone. `lower-hands` (host or cohost) lowers them all:
//   one `stage` frame, not one per hand, and none when no hand is up. It needs no ration of its
//   own: it sends only while hands are up, and hands go up at their members' rationed pace.
//
// Frames: on a mode switch, `stage` first, then one `peer-seat` per member whose seat changed (and
// `peer-media` to the others when a viewer's media had to be turned off). The order matters to a
// viewer whose stage becomes a meeting: its seat follows the mode quietly, whereas a `peer-seat`
// to speaker while the room is still a stage reads as an invitation, which turns on its camera
// and mic. A seat change on a stage (set-seat, leave-stage) sends `peer-seat`, then `stage` if it
// lowered a hand.

import { MAX_SPEAKERS, type MediaState, type Seat } from "../../../protocol/protocol";
import type { GuardPolicy } from "../../socket-guard";
import { error, overRation, refuse, sendSelf, sendTo, type Effect } from "../effects";
import type { MemberHandler, MessageOf } from "../handler";
import type { StoredMember } from "../ports";
import type { RoomState } from "../state";
import { seatCounts } from "./seats";

const OFF: MediaState = Object.freeze({ mic: false, cam: false, screen: false });

/** What a member in `seat` publishes: a viewer nothing, whatever it asked for. */
export const seatedMedia = (seat: Seat, media: MediaState): MediaState => (seat === "viewer" ? OFF : media);

/**
 * Hand changes per member: 5 in a burst, then one per 400 ms (FEATURES.md §4: 5 per 2 s). Past
 * that the first change is answered `rate-limited` and the next ones dropped unanswered, as a
 * flooding socket's frames are (socket-guard.ts); 10 dropped without backing off (forgiven at one
 * a second) and the member is expelled with 4429. Strikes are the socket's: none are counted here.
 */
export const HAND_POLICY: GuardPolicy = { rate: { perSecond: 2.5, burst: 5 }, maxDropped: 10, maxInvalidFrames: 1 };

const everyone = (room: RoomState): string[] => [...room.members.keys()];

/** The mode and the hands, to everyone. */
const announce = (room: RoomState): Effect => sendTo(everyone(room), { type: "stage", stage: room.stageState() });

/** Puts `member` (as given: a caller may have lowered its hand) in `seat`, and tells everyone. */
function reseat(room: RoomState, member: StoredMember, seat: Seat): Effect[] {
  const media = seatedMedia(seat, member.media);
  room.save({ ...member, seat, media });
  const effects: Effect[] = [sendTo(everyone(room), { type: "peer-seat", id: member.id, seat })];
  // The member's own client stops publishing on its `peer-seat`; the others must not show a stale mic.
  if (seat === "viewer" && (member.media.mic || member.media.cam || member.media.screen)) {
    effects.push(sendTo(room.others(member.id), { type: "peer-media", id: member.id, media }));
  }
  return effects;
}

export const setMode: MemberHandler<MessageOf<"set-mode">> = {
  who: "manage",
  run(room, from, msg) {
    // Already so: nothing changes for anyone, and the sender sees the state it asked for.
    if (room.mode.mode === msg.mode) return [sendSelf({ type: "stage", stage: room.stageState() })];
    return msg.mode === "stage" ? toStage(room, from) : toMeeting(room);
  },
};

function toStage(room: RoomState, from: StoredMember): Effect[] {
  const hosts = room.present().filter((m) => m.role === "host" && m.id !== from.id);
  hosts.sort((a, b) => a.joined - b.joined || (a.id < b.id ? -1 : 1));
  const speakers = new Set([from.id, ...hosts.map((m) => m.id)].slice(0, MAX_SPEAKERS));
  const viewers = room.members.size - speakers.size;
  // Refused rather than leaving an audience past the room's limit; nothing changed, so no strike.
  if (viewers > room.config.stageViewers) {
    return [error("stage-full", `a stage takes ${room.config.stageViewers} viewers and ${viewers} would watch: the room stays a meeting`)];
  }
  room.setMode({ mode: "stage", liveSince: room.deps.now() });
  const effects: Effect[] = [];
  for (const m of [...room.members.values()]) {
    const seat: Seat = speakers.has(m.id) ? "speaker" : "viewer";
    if (m.seat !== seat) effects.push(...reseat(room, m, seat));
  }
  return [announce(room), ...effects];
}

function toMeeting(room: RoomState): Effect[] {
  const { capacity } = room.config;
  if (room.members.size > capacity) {
    return [error("room-full", `a meeting takes ${capacity} people and ${room.members.size} are here: the room stays a stage`)];
  }
  room.setMode({ mode: "meeting", liveSince: null });
  const effects: Effect[] = [];
  for (const m of [...room.members.values()]) if (m.seat !== "speaker") effects.push(...reseat(room, m, "speaker"));
  return [announce(room), ...effects];
}

export const setSeat: MemberHandler<MessageOf<"set-seat">> = {
  who: "manage",
  run(room, from, msg) {
    if (room.mode.mode !== "stage") return refuse("not-stage", "seats are for a stage: this room is a meeting");
    const target = room.members.get(msg.id);
    if (!target) return refuse("unknown-peer", `no peer "${msg.id}" in this room`);
    if (target.seat === msg.seat) return [];
    if (msg.seat === "viewer") {
      // The key holder's place on its own stage: a cohost cannot take it (as with remove).
      if (target.role === "host" && from.role !== "host") return refuse("forbidden", "only a host may move a host off the stage");
      return reseat(room, target, "viewer");
    }
    if (seatCounts(room).speakers >= MAX_SPEAKERS) return [error("speakers-full", `the stage has ${MAX_SPEAKERS} speakers: move one back first`)];
    // Being moved up answers a raised hand.
    if (target.hand === null) return reseat(room, target, "speaker");
    return [...reseat(room, { ...target, hand: null }, "speaker"), announce(room)];
  },
};

export const leaveStage: MemberHandler<MessageOf<"leave-stage">> = {
  who: "member",
  run(room, from) {
    if (room.mode.mode !== "stage") return refuse("not-stage", "this room is a meeting: there is no stage to leave");
    if (from.seat !== "speaker") return refuse("not-stage", "only a speaker can leave the stage");
    return reseat(room, from, "viewer");
  },
};

export const hand: MemberHandler<MessageOf<"hand">> = {
  who: "member",
  run(room, from, msg) {
    const refused = overRation(room.admitHand(from.id, HAND_POLICY), "hand changes");
    if (refused) return refused;
    // Idempotent: a repeat (a client resending after a reconnect) changes nothing and tells nobody.
    if ((from.hand !== null) === msg.up) return [];
    room.save({ ...from, hand: msg.up ? room.deps.now() : null });
    return [announce(room)];
  },
};

export const lowerHands: MemberHandler<MessageOf<"lower-hands">> = {
  who: "manage",
  run(room) {
    // Away members' hands too: a hand outlives a dropped socket, so it would come back with it.
    const up = [...room.members.values()].filter((m) => m.hand !== null);
    if (up.length === 0) return [];
    for (const m of up) room.save({ ...m, hand: null });
    return [announce(room)];
  },
};
