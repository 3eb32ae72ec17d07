// What the room says above the call: the connection to the room, media that could not start,
// the relay that a relay-only call depends on, a host's request to mute, and what a host action
// came back with. And the screen shown instead of the call when the room closed our socket for
// good.

import { useEffect, useState } from "preact/hooks";
import { CloseCode, MAX_SPEAKERS } from "../../../../protocol/protocol";
import type { LocalMediaState } from "../../engine/media/local-media";
import type { AccessNotice, SessionState } from "../../engine/session/room-session";
import type { I18n } from "../hooks";
import { useI18n } from "../hooks";
import { MediaErrors } from "../media-errors";
import { createRoom, navigate } from "../routes";
import { byHost, canRejoinAfter, limitText, refusalText } from "./refusal-text";

/** How long a host action's notice stays (a mute request stays until dismissed: it changed something of ours). */
const NOTICE_MS = 5000;

interface NoticesProps {
  state: SessionState;
  local: LocalMediaState;
  /** Everyone's label, same names told apart. */
  labels: ReadonlyMap<string, string>;
  onDismiss: () => void;
}

export function RoomNotices({ state, local, labels, onDismiss }: NoticesProps) {
  const { t } = useI18n();
  const { muteRequest, accessNotice } = state;
  useEffect(() => {
    if (!accessNotice) return;
    const timer = setTimeout(onDismiss, NOTICE_MS);
    return () => clearTimeout(timer);
  }, [accessNotice]);
  const askedBy = muteRequest && (labels.get(muteRequest.by) ?? muteRequest.name);
  return (
    <>
      {state.status !== "joined" && (
        <div class="banner" role="status" data-testid="status-banner">{state.status === "reconnecting" ? t("status.reconnecting") : t("status.connecting")}</div>
      )}
      <MediaErrors state={local} />
      {state.relayOnly && state.turnRejected && <div class="alert" role="alert" data-testid="turn-rejected">{t("turn.rejected")}</div>}
      {state.relayOnly && !state.turnRejected && state.ice && state.ice.relay !== "available" && (
        <div class="alert" role="alert" data-testid="turn-unavailable">{t("turn.unavailable")}</div>
      )}
      {muteRequest && (
        <div class="alert info" role="status" data-testid="mute-request">
          <span>{askedBy ? t("mute.by", { name: askedBy }) : t("mute.byHost")}</span>
          <button onClick={onDismiss} data-testid="dismiss">{t("dialog.close")}</button>
        </div>
      )}
      {accessNotice && !muteRequest && (
        <div class="toast" role="status" data-testid="access-notice" data-notice={accessNotice}>{noticeText(accessNotice, t)}</div>
      )}
    </>
  );
}

/** What a host action came back with, in words. */
function noticeText(notice: AccessNotice, t: I18n["t"]): string {
  switch (notice) {
    case "forbidden":
      return t("access.forbidden");
    case "knock-gone":
      return t("knock.gone");
    case "speakers-full":
      return t("stage.speakersFull", { count: MAX_SPEAKERS });
    case "not-stage":
      return t("stage.notStage");
    default:
      return notice satisfies never;
  }
}

/** The room closed our socket and the engine will not reconnect: say why, and where to go. */
export function Refused({ refusal, onRejoin }: { refusal: NonNullable<SessionState["refusal"]>; onRejoin: () => void }) {
  const { t } = useI18n();
  const final = byHost(refusal.code);
  useEffect(() => {
    if (final) history.replaceState(null, "", "/");
  }, [final]);
  if (refusal.code === CloseCode.RoomGone) return <RoomGone />;
  if (final) return <RoomGone text={t(refusalText(refusal.code))} testid="refused" code={refusal.code} />;
  const key = refusalText(refusal.code, refusal.error);
  return (
    <main class="notice" data-testid="refused" data-code={refusal.code} data-error={refusal.error}>
      <h1 class="notice-text">{key === "status.refused" ? t(key, { reason: refusal.reason }) : t(key)}</h1>
      {refusal.limit !== null && limitText(key) && <p data-testid="refused-limit">{t(limitText(key)!, { count: refusal.limit })}</p>}
      <div class="notice-actions">
        {canRejoinAfter(refusal.code) && <button class="primary" onClick={onRejoin} data-testid="rejoin">{t("status.rejoin")}</button>}
        <button class={canRejoinAfter(refusal.code) ? "" : "primary"} onClick={() => navigate("/")}>{t("status.home")}</button>
      </div>
    </main>
  );
}

/**
 * A link to a room that was never created here, or was deleted after standing empty; and, with
 * their own text, the rooms a host's decision closed to us. Either way: a new room, or home.
 */
export function RoomGone({ text, testid = "gone", code }: { text?: string; testid?: string; code?: number } = {}) {
  const { t } = useI18n();
  const [failed, setFailed] = useState(false);
  const [creating, setCreating] = useState(false);
  const startNew = async () => {
    setCreating(true);
    try {
      navigate(`/r/${await createRoom()}`);
    } catch {
      setFailed(true);
      setCreating(false);
    }
  };
  return (
    <main class="notice" data-testid={testid} data-code={code}>
      <h1 class="notice-text">{text ?? t("status.gone")}</h1>
      {failed && <p role="alert">{t("landing.createFailed")}</p>}
      <div class="notice-actions">
        <button class="primary" onClick={() => void startNew()} disabled={creating} data-testid="new-room">{creating ? t("landing.creating") : t("status.newRoom")}</button>
        <button onClick={() => navigate("/")}>{t("status.home")}</button>
      </div>
    </main>
  );
}
