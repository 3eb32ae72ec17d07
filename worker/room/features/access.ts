// The room's access settings: "ask to join" (the lobby), the lock and whether members may record
// (features/recording.ts), for hosts and cohosts; the passcode, for hosts only (a cohost or
// temporary host could otherwise shut the key holder's guests out). Everyone in the room hears the
// new state (`access`); never the passcode or its hash.

import { refuse, sendTo, type Effect } from "../effects";
import { may, type MemberHandler, type MessageOf } from "../handler";
import type { RoomAccess } from "../ports";
import type { RoomState } from "../state";

export const access: MemberHandler<MessageOf<"access">> = {
  who: "manage",
  run(room, from, msg) {
    // The whole frame is refused, so that nothing in it changes.
    if (msg.passcode !== undefined && !may(from.role, "owner")) return refuse("forbidden", "only the host may set or clear the passcode");
    const next: RoomAccess = { ...room.access };
    if (msg.lobby !== undefined) next.lobby = msg.lobby;
    if (msg.locked !== undefined) next.locked = msg.locked;
    // Members already recording are not cleared here: their clients stop on this `access`, and say so.
    if (msg.recording !== undefined) next.recording = msg.recording;
    const effects: Effect[] = [];
    if (msg.passcode !== undefined) {
      // A newer setting wins over a hash still running for an older one.
      room.passcodeSeq++;
      if (msg.passcode === null) next.passcode = null;
      else effects.push({ kind: "hash-passcode", passcode: msg.passcode, seq: room.passcodeSeq });
    }
    // Announced even when nothing changed: the sender sees the state it asked for. A new passcode
    // is announced once hashed.
    const hashing = typeof msg.passcode === "string" && msg.lobby === undefined && msg.locked === undefined && msg.recording === undefined;
    room.gate.setAccess(next);
    return hashing ? effects : [announce(room), ...effects];
  },
};

/** A passcode was hashed (PBKDF2, in the adapter): it applies unless a newer setting came meanwhile. */
export function passcodeHashed(room: RoomState, seq: number, record: string): Effect[] {
  if (seq !== room.passcodeSeq) return [];
  room.gate.setAccess({ ...room.access, passcode: record });
  return [announce(room)];
}

const announce = (room: RoomState): Effect => sendTo([...room.members.keys()], { type: "access", access: room.publicAccess() });
