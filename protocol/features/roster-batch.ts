// Roster changes in one frame, for large rooms (issue #16). A stage filling up with a thousand
// viewers is a thousand joins, and each told to everyone is a million socket sends; batched, the
// joins of a short window reach each member as one frame.
//
// CONTRACT (session 8, added by the room's helper for the batched fan-out):
// - `roster {frames}` carries, in order, frames that would otherwise have come one by one:
//   `peer-joined`, `peer-left`, `peer-presence` and `peer-sfu`, each exactly as it is alone. A
//   client applies them in order, as if each had arrived on its own.
// - The room batches only in rooms past ROSTER_BATCH_MIN members (larger than any mesh room by
//   default: the mesh's meeting takes 8, its stage 25 viewers and MAX_SPEAKERS), and holds a
//   change at most ROSTER_BATCH_MS. Order is kept per member: any other frame to a member is
//   preceded by the batch it was due, so nothing overtakes a roster change.
// - A member receives only the changes it would have received alone: a batch never tells a
//   joiner about itself, nor about what its welcome already showed.
// - At most ROSTER_BATCH_MAX frames in one batch (the room sends what it holds when full).

import { isObj, listOf, type ServerValidators } from "../wire";
import { type MembershipServerMessage, membershipServer } from "./membership";
import { type TransportServerMessage, transportServer } from "./transport";

export const ROSTER_BATCH_TYPES = ["peer-joined", "peer-left", "peer-presence", "peer-sfu"] as const;
export type RosterBatchType = (typeof ROSTER_BATCH_TYPES)[number];
export type RosterFrame = Extract<MembershipServerMessage | TransportServerMessage, { type: RosterBatchType }>;

/** Members a room must have before it batches roster changes. */
export const ROSTER_BATCH_MIN = 48;
/** Longest the room holds a roster change for its batch. */
export const ROSTER_BATCH_MS = 25;
/** Most frames in one batch. */
export const ROSTER_BATCH_MAX = 256;

export type RosterBatchServerMessage = { type: "roster"; frames: RosterFrame[] };

export const isRosterBatchType = (t: unknown): t is RosterBatchType => (ROSTER_BATCH_TYPES as readonly unknown[]).includes(t);

function rosterFrame(v: unknown): RosterFrame | null {
  if (!isObj(v)) return null;
  switch (v.type) {
    case "peer-joined":
      return membershipServer["peer-joined"](v);
    case "peer-left":
      return membershipServer["peer-left"](v);
    case "peer-presence":
      return membershipServer["peer-presence"](v);
    case "peer-sfu":
      return transportServer["peer-sfu"](v);
    default:
      return null;
  }
}

export const rosterBatchServer: ServerValidators<RosterBatchServerMessage> = {
  roster: (v) => {
    if (!Array.isArray(v.frames) || v.frames.length === 0 || v.frames.length > ROSTER_BATCH_MAX) return null;
    const frames = listOf(v.frames, rosterFrame);
    return frames ? { type: "roster", frames } : null;
  },
};
