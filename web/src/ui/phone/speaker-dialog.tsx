// The room's speaker choice (FEATURES §11, "Audio routing"): the outputs this browser can send
// the call's sound to, where it can choose (setSinkId); the browser's own picker too where it has
// one (Firefox); elsewhere (iOS Safari, where the sound follows the system) how to switch with
// the phone's own controls, since a page cannot.

import { useId } from "preact/hooks";
import type { LocalMedia, LocalMediaState } from "../../engine/media/local-media";
import { Dialog } from "../dialog";
import { useI18n } from "../hooks";
import { chooseSpeaker, selectSpeaker, speakerSupport } from "./speaker";

export function SpeakerDialog({ media, local, onClose }: { media: LocalMedia; local: LocalMediaState; onClose: () => void }) {
  const { t } = useI18n();
  const name = useId();
  const { sink, select } = speakerSupport();
  const outputs = local.devices.audioOut;
  const current = local.choice.audioOut ?? outputs[0]?.deviceId ?? null;
  return (
    <Dialog title={t("phone.speaker")} onClose={onClose} testid="speaker-dialog" class="speaker-dialog">
      {sink && outputs.length > 0 && (
        <fieldset class="speaker-list" data-testid="speaker-list">
          <legend class="sr-only">{t("phone.speaker")}</legend>
          {outputs.map((d, i) => (
            <label class="check" key={d.deviceId}>
              <input type="radio" name={name} value={d.deviceId} checked={d.deviceId === current} onChange={() => chooseSpeaker(media, d.deviceId)} data-testid="speaker-option" />
              <span>{d.label || `${t("phone.speaker")} ${i + 1}`}</span>
            </label>
          ))}
        </fieldset>
      )}
      {select && <button onClick={() => void selectSpeaker(media)} data-testid="speaker-select">{t("phone.speakerSelect")}</button>}
      {(!sink || (outputs.length === 0 && !select)) && <p class="hint" data-testid="speaker-system">{t("phone.speakerSystem")}</p>}
      <div class="dialog-actions">
        <button class="primary" onClick={onClose} data-testid="speaker-close">{t("dialog.close")}</button>
      </div>
    </Dialog>
  );
}
