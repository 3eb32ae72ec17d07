// Roles without accounts. A join that presents the room's host key makes a "host" (join.ts); a
// host or cohost makes other members cohosts (`set-role`). If no host or cohost is present for
// TEMP_HOST_AFTER_MS while others are, the member present longest becomes a "temp-host", who may
// admit, deny and ask to mute until a host or cohost is present again. Nobody can change a host's
// role. Every change is announced to everyone with `peer-role`.
//
// The clock (since when no host or cohost has been present) is stored, so that a hand-over
// survives eviction; the alarm fires at its deadline (RoomCore.nextDeadline).

import { type Role } from "../../../protocol/protocol";
import { refuse, SCHEDULE, sendKnocks, sendTo, type Effect } from "../effects";
import type { MemberHandler, MessageOf } from "../handler";
import type { StoredMember } from "../ports";
import { isAdmitter, isKeeper, knockInfo, type RoomState } from "../state";

/** How long a room with members may go without a host or cohost before one of them stands in. */
export const TEMP_HOST_AFTER_MS = 60_000;

export const setRole: MemberHandler<MessageOf<"set-role">> = {
  who: "manage",
  run(room, _from, msg) {
    const target = room.members.get(msg.id);
    if (!target) return refuse("unknown-peer", `no peer "${msg.id}" in this room`);
    // The host key is the one standing no frame can take away: a leaked cohost cannot demote it.
    if (target.role === "host") return refuse("forbidden", "nobody can change a host's role");
    if (target.role === msg.role) return [];
    return [...changeRole(room, target, msg.role), ...reviewHosts(room)];
  },
};

/**
 * Gives `member` a role and tells everyone. A member who may now admit hears of every knock
 * waiting (its welcome carried none); one who may no longer admit drops the queue itself.
 */
export function changeRole(room: RoomState, member: StoredMember, role: Role): Effect[] {
  const updated: StoredMember = { ...member, role };
  room.save(updated);
  const effects: Effect[] = [sendTo(present(room), { type: "peer-role", id: member.id, role })];
  if (isAdmitter(role) && !isAdmitter(member.role) && member.awaySince === null) {
    for (const k of room.knocks.values()) effects.push(sendTo([member.id], { type: "knock", knock: knockInfo(k) }));
  }
  return effects;
}

/**
 * After any change to who is present or what roles they hold: temporary hosts give way to a
 * present host or cohost, the absence clock starts or stops, and the knocks learn whether anyone
 * can let them in.
 */
export function reviewHosts(room: RoomState): Effect[] {
  const before = room.gate.hostAbsentSince();
  const effects: Effect[] = [];
  const here = room.present();
  if (here.some((m) => isKeeper(m.role))) {
    for (const m of [...room.members.values()]) if (m.role === "temp-host") effects.push(...changeRole(room, m, "member"));
    room.gate.setHostAbsentSince(null);
  } else if (here.length === 0) {
    room.gate.setHostAbsentSince(null);
  } else if (before === null) {
    room.gate.setHostAbsentSince(room.deps.now());
  }
  effects.push(...tellKnocks(room));
  if (room.gate.hostAbsentSince() !== before) effects.push(SCHEDULE);
  return effects;
}

/** The same bookkeeping without telling anyone: a room rebuilt from storage. */
export function settleHosts(room: RoomState): void {
  const here = room.present();
  if (here.some((m) => isKeeper(m.role)) || here.length === 0) room.gate.setHostAbsentSince(null);
  else if (room.gate.hostAbsentSince() === null) room.gate.setHostAbsentSince(room.deps.now());
  room.admitterWasPresent = room.admitters().length > 0;
}

/** When the member present longest becomes a temporary host, or null (a host, cohost or temp-host is present, or nobody is). */
export function tempHostDue(room: RoomState): number | null {
  const since = room.gate.hostAbsentSince();
  if (since === null || room.admitters().length > 0) return null;
  return since + TEMP_HOST_AFTER_MS;
}

/** Hands over to a temporary host if it is time. */
export function promoteTempHost(room: RoomState): Effect[] {
  const due = tempHostDue(room);
  if (due === null || room.deps.now() < due) return [];
  // Present longest: the earliest join among those present (ids break a tie, so the choice is stable).
  const longest = room.present().sort((a, b) => a.joined - b.joined || a.id.localeCompare(b.id))[0];
  if (!longest) return [];
  return [...changeRole(room, longest, "temp-host"), ...tellKnocks(room)];
}

/** Knocks hear `lobby {hostPresent}` again whenever it changes: someone who can let them in arrived, or the last one left. */
function tellKnocks(room: RoomState): Effect[] {
  const now = room.admitters().length > 0;
  if (now === room.admitterWasPresent) return [];
  room.admitterWasPresent = now;
  return room.knocks.size > 0 ? [sendKnocks([...room.knocks.keys()], { type: "lobby", hostPresent: now })] : [];
}

const present = (room: RoomState): string[] => room.present().map((m) => m.id);
