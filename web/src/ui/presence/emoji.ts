// The reactions' emoji: codes travel on the wire (protocol/features/reactions.ts), and each is
// drawn here. Plain code points without variation selectors where the emoji has a default emoji
// presentation; ❤️ needs its VS16, or some fonts draw a black text heart.

import type { ReactionCode } from "../../../../protocol/features/reactions";
import type { MessageKey } from "../../i18n/i18n";

export const REACTION_EMOJI: Readonly<Record<ReactionCode, string>> = {
  "thumbs-up": "👍",
  clap: "👏",
  laugh: "😂",
  heart: "❤️",
  party: "🎉",
  surprised: "😮",
  thinking: "🤔",
  sad: "😢",
};

/** Each reaction's name for screen readers (the palette's buttons, a floating reaction). */
export const reactionName = (code: ReactionCode): MessageKey => `reactions.${code}`;
