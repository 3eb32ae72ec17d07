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
