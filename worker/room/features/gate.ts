// The door a join without the host key passes through, in this order: a browser denied twice is
// turned away (4406), a locked room turns everyone away (4423), a passcode is asked for (and
// checked, asynchronously), and then the lobby makes it knock: when "ask to join" is on, or when
// this device or address was removed by a host. Past all that, a seat if there is one.
// A resume never comes here: it is a member already. Nothing here tells a joiner anything about
// the room beyond the refusal itself.

import { CloseCode } from "../../../protocol/protocol";
import { error, refuse, type Effect, type JoinMessage } from "../effects";
import type { Via } from "../ports";
import type { RoomState } from "../state";
import { ACCESS_MEMORY_MS, DENIALS_TO_BLOCK, deviceKey, knock, knockBlocked } from "./lobby";
import { mintSeat, roomFull, seatFor } from "./seats";

/** Wrong passcodes an address may give in PASSCODE_WINDOW_MS before it is locked out. */
export const PASSCODE_TRIES = 5;
export const PASSCODE_WINDOW_MS = 10 * 60_000;
/** Addresses are what CF-Connecting-IP says; a local tool without one shares this. */
const UNKNOWN_ADDR = "unknown";
/**
 * A removed member's browser (its device id) knocks for as long as the room remembers removals;
 * its address only this long. An address is shared behind a NAT (an office, a school, a mobile
 * carrier), and its neighbours should not knock for a day; but a removed person who simply clears
 * the browser's storage must still not walk straight back in.
 */
export const REMOVED_ADDRESS_MS = 10 * 60_000;

/** `passcodeOk`: this join's passcode was checked and is right. */
export function gate(room: RoomState, msg: JoinMessage, via: Via, passcodeOk: boolean): Effect[] {
  const now = room.deps.now();
  const device = msg.device ?? null;
  const denials = room.gate.denials(deviceKey(device, via.addr), now - ACCESS_MEMORY_MS);
  if (denials !== null && denials.count >= DENIALS_TO_BLOCK) return knockBlocked();
  const access = room.access;
  if (access.locked) {
    return [error("room-locked", "the room is locked: nobody new gets in"), { kind: "close", code: CloseCode.Locked, reason: "the room is locked" }];
  }
  if (access.passcode !== null && !passcodeOk) {
    const addr = via.addr ?? UNKNOWN_ADDR;
    const failures = room.gate.passcodeFailures(addr, now - PASSCODE_WINDOW_MS);
    if (failures.length >= PASSCODE_TRIES) return lockedOut(now, failures);
    // Asking is free: a client that did not know the room has a passcode has not guessed wrong.
    if (msg.passcode === undefined) return [error("bad-passcode", `this room needs a passcode: ${PASSCODE_TRIES - failures.length} tries left`)];
    return [{ kind: "check-join", join: msg, hostKey: null, passcode: access.passcode }];
  }
  const removed = room.gate.wasRemoved(device, null, now - ACCESS_MEMORY_MS) || room.gate.wasRemoved(null, via.addr, now - REMOVED_ADDRESS_MS);
  if (access.lobby || removed) return knock(room, msg, via, denials);
  if (seatFor(room, false) === null) return roomFull(room);
  return [mintSeat(room.freshId(), msg)];
}

/** The passcode a join presented was checked against `record`: right, on through the door; wrong, counted. */
export function passcodeChecked(room: RoomState, msg: JoinMessage, via: Via, record: string, right: boolean): Effect[] {
  // The host changed the passcode while it was being checked: check against the new one.
  if (room.access.passcode !== record) return gate(room, msg, via, false);
  const now = room.deps.now();
  const addr = via.addr ?? UNKNOWN_ADDR;
  if (right) {
    room.gate.clearPasscodeFailures(addr);
    return gate(room, msg, via, true);
  }
  room.gate.addPasscodeFailure(addr, now, now - PASSCODE_WINDOW_MS);
  const failures = room.gate.passcodeFailures(addr, now - PASSCODE_WINDOW_MS);
  if (failures.length >= PASSCODE_TRIES) return lockedOut(now, failures);
  const left = PASSCODE_TRIES - failures.length;
  return [error("bad-passcode", `wrong passcode: ${left} ${left === 1 ? "try" : "tries"} left`)];
}

/**
 * Five wrong in the window: locked out until the oldest of them leaves it. The web app reads the
 * number of seconds from the message ("try again in 540 s").
 */
function lockedOut(now: number, failures: readonly number[]): Effect[] {
  const oldest = failures[failures.length - PASSCODE_TRIES] ?? now;
  const seconds = Math.max(1, Math.ceil((oldest + PASSCODE_WINDOW_MS - now) / 1000));
  return refuse("passcode-locked", `too many wrong passcodes: try again in ${seconds} s`);
}
