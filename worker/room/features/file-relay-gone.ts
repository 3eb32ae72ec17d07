// How a relayed file's transfer ends (features/file-relay.ts tells the whole flow): its row goes,
// its object goes if one may have been stored, and whoever should hear of it hears. Apart from the
// handlers because the roster calls it too (RoomState.remove: a member who leaves ends its
// transfers), and that must not pull the handlers into the roster.

import type { RelayEnd } from "../../../protocol/protocol";
import { sendTo, type Effect } from "../effects";
import type { FileRelay } from "../ports";
import type { RoomState } from "../state";

/**
 * Ends `relay`: forgotten, its object deleted (an upload still running finds its row gone and
 * deletes what it stored), and `file-end` with `reason` sent to `tell`. The end is kept for each
 * of them too, present or not: one away hears it in the welcome of its resume, and so does one
 * whose socket only looked alive (the frame went nowhere).
 */
export function endRelay(room: RoomState, relay: FileRelay, reason: RelayEnd, tell: readonly string[]): Effect[] {
  room.relays.delete(relay.transfer);
  const now = room.deps.now();
  for (const id of tell) if (room.members.has(id)) room.relays.ended(id, { transfer: relay.transfer, reason }, now);
  const present = tell.filter((id) => room.members.get(id)?.awaySince === null);
  const effects: Effect[] = present.length ? [sendTo(present, { type: "file-end", transfer: relay.transfer, reason })] : [];
  if (relay.key !== null && (relay.state === "uploading" || relay.state === "stored")) effects.push({ kind: "delete-files", keys: [relay.key] });
  return effects;
}

/** A member left for good: every transfer it sent or was sent ends, and the other side hears "left". */
export function relaysOfGone(room: RoomState, peerId: string): Effect[] {
  const effects: Effect[] = [];
  for (const r of room.relays.all()) {
    if (r.from === peerId) effects.push(...endRelay(room, r, "left", [r.to]));
    else if (r.to === peerId) effects.push(...endRelay(room, r, "left", [r.from]));
  }
  return effects;
}
