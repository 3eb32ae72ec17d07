// The room's safety code at the top of the people panel, with how to use it. Only when everyone is
// connected to everyone (a meeting): otherwise there is no one code that all could compare.

import { useI18n } from "../hooks";
import { SafetyCode } from "./safety-code";

export function RoomSafety({ code }: { code: string }) {
  const { t } = useI18n();
  return (
    <div class="room-safety" data-testid="room-safety">
      <div class="safety-line">
        <span>{t("safety.room")}</span>
        <SafetyCode code={code} testid="room-safety-code" />
      </div>
      <p class="hint">{t("safety.roomHint")}</p>
    </div>
  );
}
