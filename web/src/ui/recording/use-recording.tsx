// The room's recording, as the call screen shows it: the Record control for the bar (or its
// "More" menu on a phone), hidden where this browser cannot record; the start dialog; the REC
// sign with our own recording's Stop; and why ours stopped. room.tsx places the pieces.

import { useEffect, useState } from "preact/hooks";
import type { RecordingKind } from "../../../../protocol/protocol";
import type { LocalMedia } from "../../engine/media/local-media";
import { canRecord, listLeftovers } from "../../engine/recording/index";
import type { RoomSession, SessionState } from "../../engine/session/room-session";
import { useI18n } from "../hooks";
import type { BarAction } from "../room/bar-menu";
import { RecordingNotice } from "./notice";
import { offeredRecordings } from "./offered";
import { RecBanner } from "./rec-banner";
import { RecIcon } from "./rec-icon";
import { recorderSources } from "./sources";
import { StartDialog } from "./start-dialog";

interface RecordingUi {
  /** The bar's Record (or Stop recording) control; undefined where this browser cannot record. */
  action: BarAction | undefined;
  /** The REC sign, our own recording, its notice and the start dialog. */
  layer: preact.JSX.Element;
}

/** Who records now, in the order they started: the participants' (labels tell same names apart) and ours. */
export function recorderNames(state: SessionState, labels: ReadonlyMap<string, string>, selfLabel: string): string[] {
  const recorders = state.participants.flatMap((p) => (p.recording ? [{ since: p.recording.since, name: labels.get(p.id) ?? p.name }] : []));
  const own = state.recording.own;
  // The room's word about us; before it comes (or if this room does not echo), our running recorder.
  if (state.recording.self) recorders.push({ since: state.recording.self.since, name: selfLabel });
  else if (own?.phase === "recording") recorders.push({ since: own.startedAt, name: selfLabel });
  return recorders.sort((a, b) => a.since - b.since).map((r) => r.name);
}

export function useRecording(session: RoomSession, media: LocalMedia, state: SessionState, labels: ReadonlyMap<string, string>, name: string): RecordingUi {
  const { t } = useI18n();
  const [supported] = useState(canRecord);
  const [asking, setAsking] = useState(false);
  const selfName = () => (state.selfId !== null && labels.get(state.selfId)) || name;
  useEffect(() => {
    // What an earlier page left in this browser's storage: offered once, with ours (saved-sheet.tsx).
    if (supported) void offeredRecordings.findLeftovers(listLeftovers);
  }, [supported]);
  const { own, notice } = state.recording;
  const allowed = state.access?.recording ?? true;
  const start = (kind: RecordingKind, pickFile: boolean) => {
    setAsking(false);
    // Still inside the click: the file picker needs its user activation.
    session.actions.startRecording(kind, recorderSources(kind, media, session, selfName), { pickFile });
  };
  const action: BarAction | undefined = !supported
    ? undefined
    : own
      ? { testid: "record", icon: <RecIcon stop />, label: t("recording.stop"), onSelect: () => void session.actions.stopRecording(), active: true }
      : { testid: "record", icon: <RecIcon />, label: t("recording.record"), onSelect: () => setAsking(true) };
  const names = recorderNames(state, labels, t("room.youSuffix", { name: selfName() }));
  const layer = (
    <div class="rec-layer">
      <RecBanner names={names} own={own} onStop={() => void session.actions.stopRecording()} />
      {notice && <RecordingNotice notice={notice} onDismiss={() => void session.actions.dismissRecordingNotice()} />}
      {asking && !own && <StartDialog allowed={allowed} onStart={start} onClose={() => setAsking(false)} />}
    </div>
  );
  return { action, layer };
}
