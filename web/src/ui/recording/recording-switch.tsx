// The host's "Allow recording" in the room settings: off, nobody can start a recording and those
// under way stop (their clients do it, features/recording.ts); a screen recorder it cannot stop.

import { useId } from "preact/hooks";
import { useI18n } from "../hooks";
import "./recording.css";

export function RecordingSwitch({ allowed, disabled, onChange }: { allowed: boolean; disabled: boolean; onChange: (allowed: boolean) => void }) {
  const { t } = useI18n();
  const hintId = useId();
  return (
    <label class="check rec-switch">
      <input type="checkbox" checked={allowed} disabled={disabled} aria-describedby={hintId} onChange={(e) => onChange(e.currentTarget.checked)} data-testid="setting-recording" />
      <span>
        {t("recording.allow")}
        <span class="hint" id={hintId}>{t("recording.allowHint")}</span>
      </span>
    </label>
  );
}
