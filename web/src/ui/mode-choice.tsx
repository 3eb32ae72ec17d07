// Meeting or stage: one radio group, on the landing page (for the room about to be created) and
// in the room settings (for a host switching it later), so both say the same thing the same way.

import { useId } from "preact/hooks";
import { MODES, type Mode } from "../../../protocol/protocol";
import { useI18n } from "./hooks";

interface ModeChoiceProps {
  mode: Mode;
  onChange: (mode: Mode) => void;
  disabled?: boolean;
  /** Why it is disabled, shown under the choices. */
  note?: string | null;
}

export function ModeChoice({ mode, onChange, disabled = false, note = null }: ModeChoiceProps) {
  const { t } = useI18n();
  const name = useId();
  const noteId = `${name}-note`;
  return (
    <fieldset class="mode-choice" disabled={disabled} aria-describedby={note ? noteId : undefined}>
      <legend>{t("stage.modeLegend")}</legend>
      {MODES.map((m) => (
        <label key={m} class="check">
          <input type="radio" name={name} value={m} checked={mode === m} onChange={() => onChange(m)} data-testid={`mode-${m}`} />
          <span>{t(m === "stage" ? "stage.modeStage" : "stage.modeMeeting")}</span>
        </label>
      ))}
      {note && <p id={noteId} class="hint">{note}</p>}
    </fieldset>
  );
}
