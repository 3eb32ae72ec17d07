// The call's control bar: mic, camera, screen, invite, the two panels, room settings (for those
// who run the room) and Leave, with Meet's keyboard shortcuts for the mic and camera. For one who
// may end the meeting, Leave asks which: leave alone, or end it for everyone (as Meet does, so
// that the bar keeps one row on a phone). A stage's viewer publishes nothing: it gets a raised
// hand instead of the mic, camera and screen (and no shortcut turns them on). A speaker's way off
// the stage is in the stage bar, which keeps this bar one row on a phone.

import { useEffect, useState } from "preact/hooks";
import type { LocalMedia, LocalMediaState } from "../../engine/media/local-media";
import { Dialog } from "../dialog";
import { useI18n } from "../hooks";
import { Icon } from "../icons";

export type Panel = "chat" | "people" | null;

/** A stage's viewer: its hand instead of the mic, camera and screen. */
export interface ViewerControls {
  handUp: boolean;
  onHand: (up: boolean) => void;
}

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
  /** Present while we watch a stage: we publish nothing. */
  viewer?: ViewerControls | undefined;
  /** Raised hands, shown on the people button to those who can invite people onto the stage. */
  hands?: number;
}

/** How long "Link copied" shows. */
const COPIED_MS = 2000;

export function Controls({ media, local, inviteUrl, panel, setPanel, count, unread, onLeave, onSettings, onEndMeeting, viewer, hands = 0 }: ControlsProps) {
  const { t } = useI18n();
  const [copied, setCopied] = useState(false);
  const [leaving, setLeaving] = useState(false);
  const publishes = !viewer;
  const toggleMic = () => void media.setMic(!media.state.mic);
  const toggleCam = () => void media.setCam(!media.state.cam);

  useEffect(() => {
    // A viewer has no mic or camera to toggle: a shortcut must not open one behind its back.
    if (!publishes) return;
    // Google Meet's shortcuts: Ctrl/⌘+D for the mic, Ctrl/⌘+E for the camera.
    const onKey = (e: KeyboardEvent) => {
      if (!(e.ctrlKey || e.metaKey) || e.altKey || e.shiftKey) return;
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

  return (
    <>
      <nav class="controls" aria-label={t("room.controls")}>
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
        {viewer && (
          <button
            class={`round${viewer.handUp ? " active" : ""}`}
            aria-pressed={viewer.handUp}
            aria-label={t("stage.raiseHand")}
            title={viewer.handUp ? t("stage.lowerHand") : t("stage.raiseHand")}
            onClick={() => viewer.onHand(!viewer.handUp)}
            data-testid="raise-hand"
          >
            <Icon name="hand" />
          </button>
        )}
        <button class="round" title={t("room.invite")} onClick={() => void copyInvite()} data-testid="invite"><Icon name={copied ? "check" : "link"} /></button>
        <button
          class={`round${panel === "people" ? " active" : ""}`}
          title={hands > 0 ? `${t("room.people")} (${t("stage.hands", { count: hands })})` : t("room.people")}
          onClick={() => setPanel(panel === "people" ? null : "people")}
          data-testid="people-toggle"
        >
          <Icon name="people" />
          <span class="count">{count}</span>
          {hands > 0 && <span class="hands" data-testid="hands-count" aria-hidden="true"><Icon name="hand" />{hands}</span>}
        </button>
        <button class={`round${panel === "chat" ? " active" : ""}`} title={unread ? t("room.unread", { count: unread }) : t("room.chat")} onClick={() => setPanel(panel === "chat" ? null : "chat")} data-testid="chat-toggle">
          <Icon name="chat" />
          {unread > 0 && <span class="unread" data-testid="unread">{unread}</span>}
        </button>
        {onSettings && (
          <button class="round" title={t("settings.title")} onClick={onSettings} data-testid="settings-toggle">
            <Icon name="settings" />
          </button>
        )}
        <button class="round leave" title={t("room.leave")} onClick={onEndMeeting ? () => setLeaving(true) : onLeave} data-testid="leave">
          <Icon name="leave" />
        </button>
      </nav>
      {copied && <div class="toast" role="status">{t("room.copied")}</div>}
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
