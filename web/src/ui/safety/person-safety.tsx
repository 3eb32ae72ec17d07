// A person's safety code in their row of the people panel and, if it changed since this tab last
// saw them, the warning with a way to say it was compared again.

import { useId } from "preact/hooks";
import type { PeerSafety } from "../../engine/features/safety";
import { useI18n } from "../hooks";
import { SafetyCode } from "./safety-code";

export function PersonSafety({ safety, onChecked }: { safety: PeerSafety; onChecked: () => void }) {
  const { t } = useI18n();
  const warningId = useId();
  return (
    <>
      <div class="safety-line">
        <span>{t("safety.code")}</span>
        <SafetyCode code={safety.code} testid="safety-code" />
      </div>
      {safety.changed && (
        <div class="safety-warning" role="alert" data-testid="safety-changed">
          <p id={warningId}>{t("safety.changed")}</p>
          <button onClick={onChecked} aria-describedby={warningId} data-testid="safety-checked">{t("safety.checked")}</button>
        </div>
      )}
    </>
  );
}
