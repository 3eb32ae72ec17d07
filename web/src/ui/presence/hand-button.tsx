// Raise or lower one's hand, for everyone in the call (a stage's viewers had the only one before),
// kept apart from the reactions (a wave in a palette reads as a hand: nextcloud/spreed#17477).
// Ctrl+Alt+H toggles it, as in Google Meet (bar-items.tsx listens, so that it works on a phone's
// keyboard too, where the hand may be in "More options").

import { useI18n } from "../hooks";
import { Icon } from "../icons";
import "./presence.css";

/** Ctrl+Alt+H on the key's place (e.code), so that it works in a Cyrillic layout and with macOS's Option. */
export const isHandShortcut = (e: Pick<KeyboardEvent, "ctrlKey" | "altKey" | "shiftKey" | "metaKey" | "code" | "repeat">): boolean =>
  e.ctrlKey && e.altKey && !e.shiftKey && !e.metaKey && e.code === "KeyH" && !e.repeat;

export function HandButton({ up, onHand }: { up: boolean; onHand: (up: boolean) => void }) {
  const { t } = useI18n();
  const label = up ? t("hands.lower") : t("hands.raise");
  return (
    <button
      type="button"
      class={`round${up ? " active" : ""}`}
      aria-pressed={up}
      aria-label={t("hands.raise")}
      aria-keyshortcuts="Control+Alt+H"
      title={`${label} (Ctrl+Alt+H)`}
      onClick={() => onHand(!up)}
      data-testid="raise-hand"
    >
      <Icon name="hand" />
    </button>
  );
}
