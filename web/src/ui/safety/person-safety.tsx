// A person's safety code in their row of the people panel (or that the connection cannot be
// verified) and, if it changed since this tab last saw them, the warning with a way to say it was
// compared again.

import { useId, useRef } from "preact/hooks";
import type { PeerSafety } from "../../engine/features/safety";
import { useI18n } from "../hooks";
import { SafetyCode } from "./safety-code";

export function PersonSafety({ safety, onChecked }: { safety: PeerSafety; onChecked: () => void }) {
  const { t } = useI18n();
  const warningId = useId();
  const line = useRef<HTMLDivElement>(null);
  if (safety.code === null) {
    return (
      <div class="safety-line" data-testid="safety-unverifiable">
        <span>{t("safety.unverifiable")}</span>
      </div>
    );
  }
  const checked = () => {
    onChecked();
    // The button goes with the warning: focus moves to the code it was about, not to the page.
    line.current?.focus();
  };
  return (
    <>
      <div class="safety-line" ref={line} tabIndex={-1}>
        <span>{t("safety.code")}</span>
        <SafetyCode code={safety.code} testid="safety-code" />
      </div>
      {safety.changed && (
        <div class="safety-warning" role="alert" data-testid="safety-changed">
          <p id={warningId}>{t("safety.changed")}</p>
          <button onClick={checked} aria-describedby={warningId} data-testid="safety-checked">{t("safety.checked")}</button>
        </div>
      )}
    </>
  );
}
