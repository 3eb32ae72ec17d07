// What changed on the stage, said once in a short notice (and by screen readers, through one
// polite live region): we were moved onto the stage or back, the room became a stage or a
// meeting, and, for those who can invite people up, a hand went up.

import { useEffect, useRef, useState } from "preact/hooks";
import type { MessageKey, Params } from "../../i18n/i18n";
import type { SessionState } from "../../engine/session/room-session";
import type { StageView } from "../../engine/session/session-state";
import { useI18n } from "../hooks";

/** How long a notice stays. */
const NOTICE_MS = 5000;

interface Notice {
  key: MessageKey;
  params?: Params;
}

/** The one thing worth saying about a change from `before` to `after`, if any; the biggest change wins. */
export function stageChange(before: StageView, after: StageView, selfId: string | null, labels: ReadonlyMap<string, string>, seesHands: boolean): Notice | null {
  if (before.mode !== after.mode) return { key: after.mode === "stage" ? "stage.nowStage" : "stage.nowMeeting" };
  if (after.mode !== "stage") return null;
  if (before.seat !== after.seat) return { key: after.seat === "speaker" ? "stage.nowSpeaker" : "stage.nowViewer" };
  if (!seesHands) return null;
  const raised = after.hands.filter((id) => id !== selfId && !before.hands.includes(id));
  const name = raised.length > 0 ? labels.get(raised[raised.length - 1]!) : undefined;
  return name ? { key: "stage.handBy", params: { name } } : null;
}

interface StageNoticesProps {
  state: SessionState;
  labels: ReadonlyMap<string, string>;
  /** Whether we may invite people onto the stage: only then is a raised hand news. */
  seesHands: boolean;
}

export function StageNotices({ state, labels, seesHands }: StageNoticesProps) {
  const { t } = useI18n();
  const [notice, setNotice] = useState<Notice | null>(null);
  // The stage as last seen while joined: the welcome itself is the starting point, not a change.
  const seen = useRef<StageView | null>(null);
  useEffect(() => {
    if (state.status !== "joined") return;
    const before = seen.current;
    seen.current = state.stage;
    const change = before && stageChange(before, state.stage, state.selfId, labels, seesHands);
    if (change) setNotice(change);
  }, [state.stage, state.status]);
  useEffect(() => {
    if (!notice) return;
    const timer = setTimeout(() => setNotice(null), NOTICE_MS);
    return () => clearTimeout(timer);
  }, [notice]);
  return (
    <div class="stage-announce" role="status">
      {notice && <div class="toast" data-testid="stage-notice">{t(notice.key, notice.params)}</div>}
    </div>
  );
}
