// Why our recording stopped, or did not start, in plain words, until the person closes it.

import type { RecordingNotice as Notice } from "../../engine/session/room-session";
import type { MessageKey } from "../../i18n/i18n";
import { useI18n } from "../hooks";
import { Icon } from "../icons";

const TEXT: Record<Notice, MessageKey> = {
  "turned-off": "recording.why.turned-off",
  refused: "recording.why.refused",
  offline: "recording.why.offline",
  unsupported: "recording.why.unsupported",
  "no-space": "recording.why.no-space",
  "disk-slow": "recording.why.disk-slow",
  "write-failed": "recording.why.write-failed",
  cancelled: "recording.why.cancelled",
  "no-media": "recording.why.no-media",
};

export const noticeText = (notice: Notice): MessageKey => TEXT[notice];

export function RecordingNotice({ notice, onDismiss }: { notice: Notice; onDismiss: () => void }) {
  const { t } = useI18n();
  return (
    <div class="rec-notice" role="alert" data-testid="rec-notice" data-notice={notice}>
      <p>{t(TEXT[notice])}</p>
      <button class="rec-notice-close" onClick={onDismiss} aria-label={t("dialog.close")} title={t("dialog.close")} data-testid="rec-notice-close">
        <Icon name="close" />
      </button>
    </div>
  );
}
