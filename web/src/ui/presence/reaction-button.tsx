// The reactions: a button that opens a palette of the eight (protocol REACTIONS, in its order).
// The palette stays open after a pick, so that a few can go in a row (the engine batches them);
// Escape or a click elsewhere closes it.

import { REACTIONS, type ReactionCode } from "../../../../protocol/features/reactions";
import { useI18n } from "../hooks";
import { REACTION_EMOJI, reactionName } from "./emoji";
import { Popover } from "./popover";
import "./presence.css";

/** A smiling face, in the line style of icons.tsx. */
const Smile = () => (
  <svg class="icon" viewBox="0 0 24 24" width="22" height="22" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true">
    <circle cx="12" cy="12" r="8.5" />
    <path d="M8.5 14.2a4.5 4.5 0 0 0 7 0M9.2 9.6h.01M14.8 9.6h.01" />
    <path d="M9.2 9.6h.01M14.8 9.6h.01" stroke-width="2.6" />
  </svg>
);

export function ReactionButton({ onReact }: { onReact: (code: ReactionCode) => void }) {
  const { t } = useI18n();
  return (
    <Popover
      button={{ class: "round", label: t("reactions.open"), testid: "reactions-toggle", content: <Smile /> }}
      panel={{ class: "reactions-pop", label: t("reactions.palette"), testid: "reactions-palette" }}
    >
      {() => <ReactionGrid onReact={onReact} />}
    </Popover>
  );
}

/** The eight, four by two: in the palette, and in a phone's "More options". */
export function ReactionGrid({ onReact }: { onReact: (code: ReactionCode) => void }) {
  const { t } = useI18n();
  return (
    <div class="reaction-grid">
      {REACTIONS.map((code) => (
        <button key={code} type="button" class="reaction-pick" aria-label={t(reactionName(code))} title={t(reactionName(code))} onClick={() => onReact(code)} data-testid={`react-${code}`}>
          <span aria-hidden="true">{REACTION_EMOJI[code]}</span>
        </button>
      ))}
    </div>
  );
}
