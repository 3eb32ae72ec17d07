// The session's presence side as the UI uses it: the levels feed and three actions that say
// nothing back (the state shows what came of them).

import type { ReactionCode } from "../../../../protocol/features/reactions";
import type { LevelFeed } from "../../engine/features/presence-view";
import type { RoomSession } from "../../engine/session/room-session";

export interface PresenceActions {
  raiseHand: (up: boolean) => void;
  react: (code: ReactionCode) => void;
  /** A host's or co-host's: every hand down. */
  lowerAllHands: () => void;
}

export function sessionPresence(session: RoomSession): { actions: PresenceActions; levels: LevelFeed | null } {
  const { actions } = session;
  return {
    // A session built without a presence engine (a test's fake) has no feed: the microphones then stay still.
    levels: session.levels ?? null,
    actions: {
      raiseHand: (up) => void actions.raiseHand(up),
      react: (code) => void actions.react(code),
      lowerAllHands: () => void actions.lowerAllHands(),
    },
  };
}
