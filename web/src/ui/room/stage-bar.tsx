// The line over a stage, for everyone on it: "Live" with the time since the room became a stage,
// how many are watching, and for a speaker the way off the stage (for a host or co-host who
// watches, the way back on: the room lets them seat themselves, nobody else). Under it, the note a viewer
// gets when a speaker's upload has no room for another copy of its video.

import { useState } from "preact/hooks";
import { MAX_SPEAKERS } from "../../../../protocol/protocol";
import { Confirm } from "../dialog";
import { useI18n, useNow } from "../hooks";
import { Icon } from "../icons";

/** "12:34" below an hour, "1:02:03" from one: a stream's running time, as players show it. */
export function formatElapsed(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const two = (n: number) => String(n).padStart(2, "0");
  const hours = Math.floor(total / 3600);
  const rest = `${two(Math.floor(total / 60) % 60)}:${two(total % 60)}`;
  return hours > 0 ? `${hours}:${rest}` : rest;
}

interface StageBarProps {
  /** When the room became a stage, by the room's clock (a skewed local clock never shows a negative time). */
  liveSince: number | null;
  /** Everyone watching, us included if we watch. */
  viewers: number;
  /** Some speaker sends us its audio and screen but no camera video: its stage is full. */
  videoOff: boolean;
  /** Ours when we are a speaker: step down to the audience. */
  onLeaveStage?: (() => void) | undefined;
  /** Ours when we watch and may seat people: step up; disabled while the stage has MAX_SPEAKERS. */
  onJoinStage?: (() => void) | undefined;
  speakersFull?: boolean;
}

export function StageBar({ liveSince, viewers, videoOff, onLeaveStage, onJoinStage, speakersFull = false }: StageBarProps) {
  const { t } = useI18n();
  const now = useNow(1000, liveSince !== null);
  const [confirming, setConfirming] = useState(false);
  return (
    <div class="stage-bar" data-testid="stage-bar">
      <div class="stage-line">
        <span class="live" data-testid="stage-live">
          <span class="dot" aria-hidden="true" />
          {t("stage.live")}
        </span>
        {/* Not a live region: a clock read out every second would drown everything else. */}
        {liveSince !== null && <span class="elapsed" data-testid="stage-elapsed">{formatElapsed(now - liveSince)}</span>}
        <span class="viewers" data-testid="stage-viewers" data-count={viewers}>
          <Icon name="people" />
          {t("stage.watching", { count: viewers })}
        </span>
        {onLeaveStage && (
          <button class="stage-action" onClick={() => setConfirming(true)} data-testid="leave-stage">{t("stage.leave")}</button>
        )}
        {onJoinStage && (
          <button class="stage-action" onClick={onJoinStage} disabled={speakersFull} title={speakersFull ? t("stage.speakersFull", { count: MAX_SPEAKERS }) : undefined} data-testid="join-stage">
            {t("stage.join")}
          </button>
        )}
      </div>
      {/* Always there, so that the note is announced when it appears (a live region must exist first). */}
      <div class="stage-note-region" role="status">
        {videoOff && <p class="stage-note" data-testid="video-off-note">{t("stage.videoOff")}</p>}
      </div>
      {confirming && onLeaveStage && (
        <Confirm
          title={t("stage.leave")}
          text={t("stage.leaveConfirm")}
          action={t("stage.leave")}
          cancel={t("dialog.cancel")}
          onConfirm={() => {
            setConfirming(false);
            onLeaveStage();
          }}
          onCancel={() => setConfirming(false)}
          testid="confirm-leave-stage"
        />
      )}
    </div>
  );
}
