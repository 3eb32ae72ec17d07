// The call's control bar: mic, camera, screen, invite, the two panels, room settings (for those
// who run the room) and Leave, with Meet's keyboard shortcuts for the mic and camera. For one who
// may end the meeting, Leave asks which: leave alone, or end it for everyone (as Meet does, so
// that the bar keeps one row on a phone). A stage's viewer publishes nothing: it gets a raised
// hand instead of the mic, camera and screen (and no shortcut turns them on). A speaker's way off
// the stage is in the stage bar, which keeps this bar one row on a phone.
//
// One row, always: the bar holds the primary buttons (mic, camera, screen, the panels, Leave). The
// secondary ones (invite, settings) are round buttons on a wide screen and items of the "More
// options" menu on a phone, which also holds the layout choice; on a wide screen the layout has a
// menu of its own. A new button goes with the primary ones only if a phone needs it at a tap;
// otherwise it is one more entry of `secondary` below.

import { useEffect, useState } from "preact/hooks";
import type { LocalMedia, LocalMediaState } from "../../engine/media/local-media";
import { Dialog } from "../dialog";
import { useI18n } from "../hooks";
import { Icon } from "../icons";
import { InviteSheet } from "../invite/invite-sheet";
import { QrIcon } from "../invite/qr-code";
import { usePhoneBar } from "../phone/phone-bar";
import { type PresenceBar, typing, usePresenceBar } from "../presence/bar-items";
import { type BarAction, BarMenu } from "./bar-menu";
import type { LayoutChoice } from "./layout/choose-layout";
import { LayoutIcon } from "./layout/layout-icons";
import { LayoutPicker } from "./layout/layout-picker";
import { useMediaQuery } from "./use-media-query";

export type Panel = "chat" | "people" | null;

interface ControlsProps {
  media: LocalMedia;
  local: LocalMediaState;
  inviteUrl: string;
  panel: Panel;
  setPanel: (p: Panel) => void;
  /** Everyone in the call, this device included. */
  count: number;
  unread: number;
  onLeave: () => void;
  /** Opens the room settings; absent for those who may not see them. */
  onSettings?: (() => void) | undefined;
  /** Ends the meeting for everyone; absent for those who may not. */
  onEndMeeting?: (() => void) | undefined;
  /** A stage's viewer: no mic, camera or screen to toggle (its hand is everyone's, in `presence`). */
  viewer?: boolean;
  /** Raised hands, shown on the people button: to everyone in a meeting, to those who can invite people onto a stage. */
  hands?: number;
  /** The call's layout as the person chose it (layout/use-layout-choice.ts). */
  layout: { choice: LayoutChoice; choose: (choice: LayoutChoice) => void };
  /** The hand, the reactions and this device's connection (presence/bar-items.tsx places them). */
  presence?: PresenceBar | undefined;
  /** Record the call, or stop our recording (ui/recording/); absent where this browser cannot record. */
  record?: BarAction | undefined;
}

/** Where the bar moves its secondary buttons into the "More options" menu (as styles.css's one-row rules). */
const NARROW = "(max-width: 480px)";

/** How long "Link copied" shows. */
const COPIED_MS = 2000;

export function Controls({ media, local, inviteUrl, panel, setPanel, count, unread, onLeave, onSettings, onEndMeeting, viewer, hands = 0, layout, presence, record }: ControlsProps) {
  const { t } = useI18n();
  const narrow = useMediaQuery(NARROW);
  const [copied, setCopied] = useState(false);
  const [leaving, setLeaving] = useState(false);
  const [inviting, setInviting] = useState(false);
  const publishes = viewer !== true;
  const bar = usePresenceBar(presence, { narrow, publishes });
  // Switch camera and speaker (ui/phone/).
  const phone = usePhoneBar(media, local, publishes);
  const toggleMic = () => void media.setMic(!media.state.mic);
  const toggleCam = () => void media.setCam(!media.state.cam);

  useEffect(() => {
    // A viewer has no mic or camera to toggle: a shortcut must not open one behind its back.
    if (!publishes) return;
    // Google Meet's shortcuts: Ctrl/⌘+D for the mic, Ctrl/⌘+E for the camera.
    const onKey = (e: KeyboardEvent) => {
      // Not while typing (Ctrl+E is the chat box's, for one) and not once per key repeat.
      if (!(e.ctrlKey || e.metaKey) || e.altKey || e.shiftKey || e.repeat || typing(e.target)) return;
      const key = e.key.toLowerCase();
      if (key === "d") toggleMic();
      else if (key === "e") toggleCam();
      else return;
      e.preventDefault();
    };
    addEventListener("keydown", onKey);
    return () => removeEventListener("keydown", onKey);
  }, [media, publishes]);

  useEffect(() => {
    if (!copied) return;
    const timer = setTimeout(() => setCopied(false), COPIED_MS);
    return () => clearTimeout(timer);
  }, [copied]);

  const copyInvite = async () => {
    try {
      await navigator.clipboard.writeText(inviteUrl);
      setCopied(true);
    } catch {
      // No clipboard (an insecure page, or permission refused): show the link to copy by hand.
      prompt(t("room.invite"), inviteUrl);
    }
  };

  // Round buttons on a wide screen, items of "More options" on a phone.
  const secondary: BarAction[] = [{ testid: "invite", icon: <Icon name={copied ? "check" : "link"} />, label: t("room.invite"), onSelect: () => void copyInvite() }];
  // The same link as a QR code, with Copy and Share (invite/invite-sheet.tsx).
  secondary.push({ testid: "invite-open", icon: <QrIcon />, label: t("invite.open"), onSelect: () => setInviting(true) });
  if (onSettings) secondary.push({ testid: "settings-toggle", icon: <Icon name="settings" />, label: t("settings.title"), onSelect: onSettings });
  if (record) secondary.push(record);
  secondary.push(...bar.secondary);
  secondary.push(...phone.secondary);
  const picker = <LayoutPicker choice={layout.choice} onChoose={layout.choose} />;

  return (
    <>
      <nav class="controls" aria-label={t("room.controls")}>
        {bar.lead}
        {publishes && (
          <>
            <button class={`round ${local.mic ? "" : "off"}`} aria-pressed={!local.mic} title={`${local.mic ? t("room.micOn") : t("room.micOff")} (Ctrl+D)`} onClick={toggleMic} data-testid="mic">
              <Icon name="mic" off={!local.mic} />
            </button>
            <button class={`round ${local.cam ? "" : "off"}`} aria-pressed={!local.cam} title={`${local.cam ? t("room.camOn") : t("room.camOff")} (Ctrl+E)`} onClick={toggleCam} data-testid="cam">
              <Icon name="cam" off={!local.cam} />
            </button>
            {"getDisplayMedia" in (navigator.mediaDevices ?? {}) && (
              <button class={`round ${local.screen ? "active" : ""}`} aria-pressed={local.screen} title={local.screen ? t("room.shareStop") : t("room.shareStart")} onClick={() => void (local.screen ? media.stopScreen() : media.startScreen())} data-testid="screen">
                <Icon name="screen" />
              </button>
            )}
          </>
        )}
        {/* Everyone's hand (a stage's viewer's too) and reactions. */}
        {bar.primary}
        <button
          class={`round${panel === "people" ? " active" : ""}`}
          title={hands > 0 ? `${t("room.people")} (${t("stage.hands", { count: hands })})` : t("room.people")}
          onClick={() => setPanel(panel === "people" ? null : "people")}
          data-testid="people-toggle"
        >
          <Icon name="people" />
          {/* Hidden from the accessible name, which is the title: a bare "3" names nothing. */}
          <span class="count" aria-hidden="true">{count}</span>
          {hands > 0 && <span class="hands" data-testid="hands-count" aria-hidden="true"><Icon name="hand" />{hands}</span>}
        </button>
        <button class={`round${panel === "chat" ? " active" : ""}`} title={unread ? t("room.unread", { count: unread }) : t("room.chat")} onClick={() => setPanel(panel === "chat" ? null : "chat")} data-testid="chat-toggle">
          <Icon name="chat" />
          {unread > 0 && <span class="unread" data-testid="unread" aria-hidden="true">{unread}</span>}
        </button>
        {narrow ? (
          <BarMenu icon={<Icon name="more" />} label={t("layout.more")} testid="more" actions={secondary}>
            {bar.menu}
            {picker}
          </BarMenu>
        ) : (
          <>
            {secondary.map((a) => (
              <button key={a.testid} class={`round${a.active ? " active" : ""}`} aria-pressed={a.active} title={a.label} onClick={a.onSelect} data-testid={a.testid}>
                {a.icon}
              </button>
            ))}
            <BarMenu icon={<LayoutIcon name="layout" />} label={t("layout.title")} testid="layout-menu" actions={[]}>{picker}</BarMenu>
          </>
        )}
        <button class="round leave" title={t("room.leave")} onClick={onEndMeeting ? () => setLeaving(true) : onLeave} data-testid="leave">
          <Icon name="leave" />
        </button>
      </nav>
      {copied && <div class="toast" role="status">{t("room.copied")}</div>}
      {inviting && <InviteSheet url={inviteUrl} onClose={() => setInviting(false)} />}
      {phone.overlays}
      {leaving && onEndMeeting && (
        <Dialog title={t("leave.title")} onClose={() => setLeaving(false)} testid="leave-dialog">
          <p>{t("leave.endHint")}</p>
          <div class="dialog-actions">
            <button onClick={() => setLeaving(false)}>{t("dialog.cancel")}</button>
            <button onClick={onLeave} data-testid="leave-alone">{t("room.leave")}</button>
            <button class="danger" onClick={onEndMeeting} data-testid="end-meeting">{t("leave.end")}</button>
          </div>
        </Dialog>
      )}
    </>
  );
}
