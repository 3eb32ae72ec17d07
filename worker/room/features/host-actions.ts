// What hosts do to others: remove a member, ask one to mute, end the meeting for everyone. The
// room enforces who may (handler.ts); the clients enforce the mesh, so the room tells them.

import { CloseCode } from "../../../protocol/protocol";
import { refuse, SCHEDULE, sendTo, type Effect } from "../effects";
import type { MemberHandler, MessageOf } from "../handler";
import type { StoredMember } from "../ports";
import type { RoomState } from "../state";
import { reviewHosts } from "./hosts";
import { ACCESS_MEMORY_MS } from "./lobby";

/** Another member of the room: not the sender, and present in the roster (away or not). */
function target(room: RoomState, from: StoredMember, id: string): StoredMember | null {
  return id === from.id ? null : (room.members.get(id) ?? null);
}

/**
 * Removed: the socket is closed with 4403, the others hear `peer-left` (and drop their peer
 * connection), its TURN credentials are revoked, and its device and address must knock to come
 * back, even with the lobby off. Its resume token dies with its seat.
 */
export const remove: MemberHandler<MessageOf<"remove">> = {
  who: "manage",
  run(room, from, msg) {
    const t = target(room, from, msg.id);
    if (!t) return refuse("unknown-peer", `no other peer "${msg.id}" in this room`);
    // A host's seat is the key holder's: only another key holder may take it.
    if (t.role === "host" && from.role !== "host") return refuse("forbidden", "only a host may remove a host");
    const now = room.deps.now();
    room.gate.markRemoved(t.device, t.addr, now, now - ACCESS_MEMORY_MS);
    return [
      // Closed before it is removed, so that its closing does not make it away.
      { kind: "close-peer", peerId: t.id, code: CloseCode.Removed, reason: "removed by a host" },
      ...room.remove(t.id),
      ...reviewHosts(room),
      SCHEDULE,
    ];
  },
};

export const askMute: MemberHandler<MessageOf<"ask-mute">> = {
  who: "admit",
  run(room, from, msg) {
    const t = target(room, from, msg.id);
    if (!t) return refuse("unknown-peer", `no other peer "${msg.id}" in this room`);
    // A request: the member's own client turns its mic off. Nobody can turn it on from elsewhere.
    return [sendTo([t.id], { type: "mute-request", by: from.id })];
  },
};

/** Everyone's socket closed with 4405, every seat and knock gone; the room itself stays (and is deleted after retention, as any empty room). */
export const endMeeting: MemberHandler<MessageOf<"end-meeting">> = {
  who: "manage",
  run(room) {
    const effects: Effect[] = [{ kind: "close-all", code: CloseCode.Ended, reason: "the meeting was ended" }];
    for (const id of [...room.members.keys()]) if (room.forget(id)) effects.push({ kind: "release-ice", peerId: id });
    for (const id of [...room.knocks.keys()]) room.dropKnock(id);
    return [...effects, ...reviewHosts(room), SCHEDULE];
  },
};
