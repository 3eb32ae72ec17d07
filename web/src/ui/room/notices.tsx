// What the room says above the call: the connection to the room, media that could not start,
// and the relay that a relay-only call depends on. And the screen shown instead of the call when
// the room closed our socket for good.

import { useState } from "preact/hooks";
import { CloseCode } from "../../../../protocol/protocol";
import type { LocalMediaState } from "../../engine/media/local-media";
import type { SessionState } from "../../engine/session/room-session";
import { useI18n } from "../hooks";
import { MediaErrors } from "../media-errors";
import { createRoom, navigate } from "../routes";
import { canRejoinAfter, refusalText } from "./refusal-text";

export function RoomNotices({ state, local }: { state: SessionState; local: LocalMediaState }) {
  const { t } = useI18n();
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
    </>
  );
}

/** The room closed our socket and the engine will not reconnect: say why, and where to go. */
export function Refused({ refusal, onRejoin }: { refusal: { code: number; reason: string }; onRejoin: () => void }) {
  const { t } = useI18n();
  if (refusal.code === CloseCode.RoomGone) return <RoomGone />;
  const key = refusalText(refusal.code);
  return (
    <main class="notice" data-testid="refused" data-code={refusal.code}>
      <p>{key === "status.refused" ? t(key, { reason: refusal.reason }) : t(key)}</p>
      <div class="notice-actions">
        {canRejoinAfter(refusal.code) && <button class="primary" onClick={onRejoin} data-testid="rejoin">{t("status.rejoin")}</button>}
        <button class={canRejoinAfter(refusal.code) ? "" : "primary"} onClick={() => navigate("/")}>{t("status.home")}</button>
      </div>
    </main>
  );
}

/** A link to a room that was never created here, or was deleted after standing empty. */
export function RoomGone() {
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
    <main class="notice" data-testid="gone">
      <p>{t("status.gone")}</p>
      {failed && <p role="alert">{t("landing.createFailed")}</p>}
      <div class="notice-actions">
        <button class="primary" onClick={() => void startNew()} disabled={creating} data-testid="new-room">{creating ? t("landing.creating") : t("status.newRoom")}</button>
        <button onClick={() => navigate("/")}>{t("status.home")}</button>
      </div>
    </main>
  );
}
