// Reactions: a small fixed set of emoji that float over the sender's tile for everyone for a few
// seconds. Codes, not emoji, travel on the wire: a code is one of REACTIONS exactly, with no free
// text and no variation selectors to normalise; the web app maps each code to its emoji.
//
// CONTRACT (session 6): the codes and types below are fixed; validators, the room's handling and
// the welcome's snapshot are the reactions feature's to add (see docs/protocol.md when done).
//
// - A client batches what its person clicks for REACTION_BATCH_MS and sends one `react` frame of
//   1..MAX_REACTIONS_PER_FRAME codes.
// - The room allows REACTION_RATE per member (each code counts) under the rate-limit policy: the
//   first excess frame is answered `rate-limited`, later ones dropped, a member that keeps on is
//   expelled with 4429. Others are unaffected.
// - The room relays `reaction` to the others (not the sender, who showed its own at once) and keeps
//   those of the last REACTION_RECENT_MS (at most REACTION_RECENT_MAX entries) in memory only, for
//   the welcome: a late joiner sees only recent ones. Reactions are never stored in chat history.

import { bad, type ClientValidators, isObj, isOneOf, isPeerId, isTime, listOf, ok, type ServerValidators } from "../wire";

/** The palette, in the order shown. No "wave": a wave reads as a raised hand (nextcloud/spreed#17477). */
export const REACTIONS = ["thumbs-up", "clap", "laugh", "heart", "party", "surprised", "thinking", "sad"] as const;
export type ReactionCode = (typeof REACTIONS)[number];

export const REACTION_BATCH_MS = 500;
export const MAX_REACTIONS_PER_FRAME = 5;
/** Per member: 5 in a burst, then 2.5 a second (5 per 2 s, FEATURES.md §4). */
export const REACTION_RATE = { perSecond: 2.5, burst: 5 } as const;
export const REACTION_RECENT_MS = 10_000;
export const REACTION_RECENT_MAX = 20;

/** One batch from one member, as relayed and as kept for the welcome. `at`: the room's clock, ms. */
export interface ReactionBatch {
  from: string;
  reactions: ReactionCode[];
  at: number;
}

export type ReactionsClientMessage = { type: "react"; reactions: ReactionCode[] };
export type ReactionsServerMessage = { type: "reaction" } & ReactionBatch;

/**
 * None of its own: a malformed `react` is `bad-message` like any frame, and a member over its
 * ration hears the frames' `rate-limited` (the same episode rules as a flood).
 */
export const REACTION_ERRORS = [] as const;

export const isReactionCode = (v: unknown): v is ReactionCode => isOneOf(REACTIONS, v);

/**
 * 1..MAX_REACTIONS_PER_FRAME codes, each one of REACTIONS (repeats allowed: three claps are three),
 * or null. The length is checked before any item, so a frame of thousands costs nothing to refuse.
 */
export function reactionCodes(v: unknown): ReactionCode[] | null {
  if (!Array.isArray(v) || v.length < 1 || v.length > MAX_REACTIONS_PER_FRAME) return null;
  return v.every(isReactionCode) ? [...v] : null;
}

export function reactionBatch(v: unknown): ReactionBatch | null {
  if (!isObj(v) || !isPeerId(v.from) || !isTime(v.at)) return null;
  const reactions = reactionCodes(v.reactions);
  return reactions ? { from: v.from, reactions, at: v.at } : null;
}

/** The welcome's recent batches: at most REACTION_RECENT_MAX, each well-formed. */
export function recentBatches(v: unknown): ReactionBatch[] | null {
  if (!Array.isArray(v) || v.length > REACTION_RECENT_MAX) return null;
  return listOf(v, reactionBatch);
}

export const reactionsClient: ClientValidators<ReactionsClientMessage, never> = {
  react: (v) => {
    const reactions = reactionCodes(v.reactions);
    if (!reactions) return bad("react", `\`reactions\` must be 1–${MAX_REACTIONS_PER_FRAME} of ${REACTIONS.join(", ")}`);
    return ok({ type: "react", reactions });
  },
};

export const reactionsServer: ServerValidators<ReactionsServerMessage> = {
  reaction: (v) => {
    const batch = reactionBatch(v);
    return batch ? { type: "reaction", ...batch } : null;
  },
};
