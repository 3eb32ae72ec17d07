// A badge on a person's tile while their safety code has changed and nobody marked it checked:
// the people panel says what to do about it. The live region is always there (a region that
// appears with its text is often not read out), so the change is announced with the panel closed.

import { useI18n } from "../hooks";
import { useSafety } from "./context";
import "./safety.css";

export function TileSafety({ peerId }: { peerId: string }) {
  const { t } = useI18n();
  const changed = useSafety().peers[peerId]?.changed ?? false;
  return <div class="safety-live" role="status">{changed && <div class="safety-badge" data-testid="tile-safety-changed">{t("safety.changedBadge")}</div>}</div>;
}
