// A badge on a person's tile while their safety code has changed and nobody marked it checked:
// the people panel says what to do about it.

import { useI18n } from "../hooks";
import { useSafety } from "./context";
import "./safety.css";

export function TileSafety({ peerId }: { peerId: string }) {
  const { t } = useI18n();
  const changed = useSafety().peers[peerId]?.changed ?? false;
  return changed ? <div class="safety-badge" data-testid="tile-safety-changed">{t("safety.changedBadge")}</div> : null;
}
