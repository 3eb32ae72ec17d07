// Reactions (protocol/features/reactions.ts): a member's clicks, batched by its client, relayed
// to the others and kept for a few seconds for late joiners. The room only checks, rations and
// passes them on; it never stores them.
//
// - Any member may react, a viewer on a stage too: reacting is what an audience does, and it
//   publishes nothing (no media, no connection to anyone).
// - Rationed per member with REACTION_POLICY, each code a token, because each one is a frame to
//   everyone; past it `rate-limited`, then silence, then 4429 (effects.ts overRation), and the
//   others are unaffected. The sender never hears its own back: its client showed it at once.
// - The room as a whole relays at most REACTION_FAN_OUT frames a second: a batch goes to every
//   other member, so on a stage of 1000 viewers each rationed to 2.5 a second the relay alone
//   would be millions of frames a second. A batch past that ration is accepted (its sender broke
//   no rule) but neither relayed nor kept: a reaction is worth seconds and losing some of a crowd's
//   loses nothing anyone needs; a meeting (a few dozen people at most) never comes near it.
// - The last REACTION_RECENT_MS of them, at most REACTION_RECENT_MAX batches, wait in memory
//   (RoomState.reactions says why not in storage) for the welcome.

import { REACTION_RATE, REACTION_RECENT_MAX, REACTION_RECENT_MS, type ReactionBatch } from "../../../protocol/protocol";
import type { GuardPolicy } from "../../socket-guard";
import { overRation, sendTo } from "../effects";
import type { MemberHandler, MessageOf } from "../handler";
import type { RoomState } from "../state";

/**
 * 5 codes in a burst, then 2.5 a second (FEATURES.md §4: 5 per 2 s), a frame of several taking
 * several; then the episode rules of HAND_POLICY: 10 frames dropped without backing off (forgiven
 * at one a second) and the member is expelled. Strikes are the socket's: none are counted here.
 */
export const REACTION_POLICY: GuardPolicy = { rate: REACTION_RATE, maxDropped: 10, maxInvalidFrames: 1 };

/** Reaction frames the room sends out a second, to everyone together; twice that in a burst. */
export const REACTION_FAN_OUT = { perSecond: 2000, burst: 4000 } as const;

export const react: MemberHandler<MessageOf<"react">> = {
  who: "member",
  run(room, from, msg) {
    const refused = overRation(room.admitReactions(from.id, REACTION_POLICY, msg.reactions.length), "reactions");
    if (refused) return refused;
    const now = room.deps.now();
    const to = room.others(from.id);
    if (to.length > 0 && !room.admitReactionFanOut(REACTION_FAN_OUT, to.length)) return [];
    const batch: ReactionBatch = { from: from.id, reactions: msg.reactions, at: now };
    // Kept even with nobody to tell yet: whoever joins in the next seconds sees it.
    keep(room, batch);
    return to.length > 0 ? [sendTo(to, { type: "reaction", ...batch })] : [];
  },
};

/** Files a batch for late joiners, forgetting what is too old or past the count. */
function keep(room: RoomState, batch: ReactionBatch): void {
  const kept = room.reactions;
  kept.push(batch);
  const since = batch.at - REACTION_RECENT_MS;
  let stale = 0;
  while (stale < kept.length && kept[stale]!.at <= since) stale++;
  kept.splice(0, Math.max(stale, kept.length - REACTION_RECENT_MAX));
}

/**
 * What `you`'s welcome carries: the batches of the last REACTION_RECENT_MS by the room's clock now
 * (the list was pruned when the last one came, which may be long ago), from the other members
 * still here, oldest first. Not its own, as the relay never sends them back: a member resuming
 * showed them when it sent them.
 */
export function recentReactions(room: RoomState, you: string): ReactionBatch[] {
  const since = room.deps.now() - REACTION_RECENT_MS;
  return room.reactions.filter((b) => b.at > since && b.from !== you && room.members.has(b.from));
}
