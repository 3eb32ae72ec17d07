// Before recording: what to record (the call as laid out, or only our camera and mic), what the
// others will see, and that recording can only be made visible, never prevented. Start runs the
// recording from this click, so that a file picker ("Choose where to save", where the browser has
// one) may open.

import { useId, useState } from "preact/hooks";
import { RECORDING_KINDS, type RecordingKind } from "../../../../protocol/protocol";
import { Dialog } from "../dialog";
import { useI18n } from "../hooks";
import "./recording.css";

interface StartDialogProps {
  /** The room allows recording (a host may turn it off). */
  allowed: boolean;
  /** Called from the Start click's handler. */
  onStart: (kind: RecordingKind, pickFile: boolean) => void;
  onClose: () => void;
}

/** Writing straight to a file the person picks: Chromium's File System Access API. */
export const canPickFile = (): boolean => typeof (globalThis as { showSaveFilePicker?: unknown }).showSaveFilePicker === "function";

export function StartDialog({ allowed, onStart, onClose }: StartDialogProps) {
  const { t } = useI18n();
  const [kind, setKind] = useState<RecordingKind>("composite");
  const [pickFile, setPickFile] = useState(false);
  const name = useId();
  const offId = `${name}-off`;
  const pickHintId = `${name}-pick`;
  return (
    <Dialog title={t("recording.title")} onClose={onClose} testid="rec-dialog" class="rec-dialog">
      <fieldset class="rec-kinds" disabled={!allowed}>
        <legend>{t("recording.what")}</legend>
        {RECORDING_KINDS.map((k) => (
          <label key={k} class="rec-kind">
            <input type="radio" name={name} value={k} checked={kind === k} onChange={() => setKind(k)} aria-describedby={`${name}-${k}`} data-testid={`rec-kind-${k}`} />
            <span>
              <span class="rec-kind-name">{t(k === "composite" ? "recording.kind.composite" : "recording.kind.self")}</span>
              <span class="hint" id={`${name}-${k}`}>{t(k === "composite" ? "recording.kind.compositeHint" : "recording.kind.selfHint")}</span>
            </span>
          </label>
        ))}
      </fieldset>
      <div class="rec-consent" data-testid="rec-consent">
        <p>{t("recording.consent")}</p>
        <p>{t("recording.cannotPrevent")}</p>
        <p class="hint">{t("recording.local")}</p>
      </div>
      {allowed && canPickFile() && (
        <label class="check rec-pick">
          <input type="checkbox" checked={pickFile} onChange={(e) => setPickFile(e.currentTarget.checked)} aria-describedby={pickHintId} data-testid="rec-pick-file" />
          <span>
            {t("recording.pickFile")}
            <span class="hint" id={pickHintId}>{t("recording.pickFileHint")}</span>
          </span>
        </label>
      )}
      {!allowed && <p class="rec-off" id={offId} role="alert" data-testid="rec-off">{t("recording.off")}</p>}
      <div class="dialog-actions">
        <button onClick={onClose} data-testid="rec-cancel">{t("dialog.cancel")}</button>
        <button class="primary" disabled={!allowed} aria-describedby={allowed ? undefined : offId} onClick={() => onStart(kind, pickFile)} data-testid="rec-start">
          {t("recording.startNow")}
        </button>
      </div>
    </Dialog>
  );
}
