// Room settings, one small dialog: meeting or stage, ask to join (the lobby), the lock, the
// passcode, and the host link for the key holder's other devices. What each role may change comes from powers.ts; what
// it may not is shown disabled with the reason, never hidden without a word.

import { useState } from "preact/hooks";
import { PASSCODE_MAX_CHARS, type AccessState, type Mode, type Role } from "../../../../protocol/protocol";
import { can } from "../../engine/features/powers";
import { Dialog } from "../dialog";
import { useI18n } from "../hooks";
import { ModeChoice } from "../mode-choice";
import { askNotificationPermission } from "../notify-permission";
import { RecordingSwitch } from "../recording/recording-switch";

interface SettingsProps {
  role: Role;
  access: AccessState;
  /** This browser's host key for the room, if it holds one: the host link carries it. */
  hostLink: string | null;
  setAccess: (patch: { lobby?: boolean; locked?: boolean; passcode?: string | null; recording?: boolean }) => void;
  mode: Mode;
  setMode: (mode: Mode) => void;
  onClose: () => void;
}

export function SettingsDialog({ role, access, hostLink, setAccess, mode, setMode, onClose }: SettingsProps) {
  const { t } = useI18n();
  const [passcode, setPasscode] = useState("");
  const [copied, setCopied] = useState(false);
  const mayAccess = can(role, "access");
  const mayPasscode = can(role, "passcode");
  const mayMode = can(role, "set-mode");

  const toggleLobby = (on: boolean) => {
    // The moment the knock notification becomes useful, and a click: the one time to ask.
    if (on) askNotificationPermission();
    setAccess({ lobby: on });
  };
  const submitPasscode = (e: Event) => {
    e.preventDefault();
    if (!passcode) return;
    setAccess({ passcode });
    setPasscode("");
  };
  const copyHostLink = async () => {
    try {
      await navigator.clipboard.writeText(hostLink!);
      setCopied(true);
    } catch {
      prompt(t("settings.copyHostLink"), hostLink!);
    }
  };

  return (
    <Dialog title={t("settings.title")} onClose={onClose} testid="settings" class="settings">
      {role === "temp-host" && <p class="hint" data-testid="temp-host-note">{t("settings.tempHost")}</p>}
      {/* The room's answer (a `stage` frame) moves the choice: it shows what the room is, not what was clicked. */}
      <ModeChoice mode={mode} onChange={setMode} disabled={!mayMode} note={mayMode ? null : t("access.forbidden")} />
      <label class="check">
        <input type="checkbox" checked={access.lobby} disabled={!mayAccess} onChange={(e) => toggleLobby(e.currentTarget.checked)} data-testid="setting-lobby" />
        <span>{t("settings.lobby")}</span>
      </label>
      <label class="check">
        <input type="checkbox" checked={access.locked} disabled={!mayAccess} onChange={(e) => setAccess({ locked: e.currentTarget.checked })} data-testid="setting-lock" />
        <span>{t("settings.lock")}</span>
      </label>
      <RecordingSwitch allowed={access.recording} disabled={!mayAccess} onChange={(recording) => setAccess({ recording })} />
      <form class="passcode-setting" onSubmit={submitPasscode}>
        <label class="field">
          <span>{t("settings.passcode")}</span>
          <input
            type="text"
            autocomplete="off"
            value={passcode}
            maxLength={PASSCODE_MAX_CHARS}
            disabled={!mayPasscode}
            aria-describedby="passcode-state"
            onInput={(e) => setPasscode(e.currentTarget.value)}
            data-testid="setting-passcode"
          />
        </label>
        <p id="passcode-state" class="hint" data-testid="passcode-state">
          {access.passcode ? t("settings.passcodeOn") : t("settings.passcodeOff")}
          {!mayPasscode && ` ${t("settings.passcodeHostOnly")}`}
        </p>
        <div class="dialog-actions">
          {access.passcode && <button type="button" disabled={!mayPasscode} onClick={() => setAccess({ passcode: null })} data-testid="passcode-clear">{t("settings.passcodeClear")}</button>}
          <button type="submit" disabled={!mayPasscode || !passcode} data-testid="passcode-set">{t("settings.passcodeSet")}</button>
        </div>
      </form>
      {hostLink && (
        <div class="host-link">
          <button onClick={() => void copyHostLink()} data-testid="copy-host-link">{copied ? t("room.copied") : t("settings.copyHostLink")}</button>
          <p class="hint">{t("settings.hostLinkHint")}</p>
        </div>
      )}
      <div class="dialog-actions">
        <button class="primary" onClick={onClose} data-testid="settings-close">{t("dialog.close")}</button>
      </div>
    </Dialog>
  );
}
