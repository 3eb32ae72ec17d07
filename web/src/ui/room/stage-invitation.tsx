// A host moved us onto the stage. Nothing is switched on until we say yes: with camera and mic
// permission already granted the browser would not ask, and a host must not be able to put
// someone on camera (as with "ask to mute", nobody turns another's media on). No means back to
// the audience.

import { Dialog } from "../dialog";
import { useI18n } from "../hooks";

export function StageInvitation({ onAccept, onDecline }: { onAccept: () => void; onDecline: () => void }) {
  const { t } = useI18n();
  return (
    <Dialog title={t("stage.invitedTitle")} onClose={onDecline} testid="stage-invitation">
      <p>{t("stage.invitedText")}</p>
      <div class="dialog-actions">
        <button onClick={onDecline} data-testid="stage-decline">{t("stage.decline")}</button>
        <button class="primary" onClick={onAccept} data-testid="stage-accept">{t("stage.accept")}</button>
      </div>
    </Dialog>
  );
}
