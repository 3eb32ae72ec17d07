// The screens on the way in, before the call: the passcode, and the lobby (waiting for a host,
// denied, blocked, expired). What each says comes from the engine's entry stage (features/entry.ts).

import { useState } from "preact/hooks";
import { PASSCODE_MAX_CHARS } from "../../../../protocol/protocol";
import type { LocalMedia } from "../../engine/media/local-media";
import type { Entry } from "../../engine/session/room-session";
import { useEngineState, useI18n, useNow } from "../hooks";
import { navigate } from "../routes";
import { Video } from "../video";

interface PasscodeProps {
  entry: Extract<Entry, { stage: "passcode" | "passcode-locked" }>;
  onSubmit: (passcode: string) => void;
  onCancel: () => void;
}

export function PasscodeScreen({ entry, onSubmit, onCancel }: PasscodeProps) {
  const { t } = useI18n();
  const [code, setCode] = useState("");
  const until = entry.stage === "passcode-locked" ? entry.until : null;
  const now = useNow(5_000, until !== null);
  const lockedFor = until === null ? 0 : Math.max(0, until - now);
  const locked = entry.stage === "passcode-locked" && (until === null || lockedFor > 0);
  let problem: string | null = null;
  if (entry.stage === "passcode" && entry.wrong) problem = entry.triesLeft === null ? t("passcode.wrongNoCount") : t("passcode.wrong", { count: entry.triesLeft });
  else if (locked) problem = until === null ? t("passcode.lockedNoTime") : t("passcode.locked", { count: Math.ceil(lockedFor / 60_000) });

  const submit = (e: Event) => {
    e.preventDefault();
    if (code && !locked) onSubmit(code);
  };
  return (
    <main class="notice entry" data-testid="passcode-screen" data-stage={entry.stage}>
      <h1>{t("passcode.title")}</h1>
      <form onSubmit={submit}>
        <label class="field">
          <span>{t("passcode.label")}</span>
          <input type="password" autocomplete="off" value={code} maxLength={PASSCODE_MAX_CHARS} onInput={(e) => setCode(e.currentTarget.value)} disabled={locked} data-testid="passcode-input" autofocus />
        </label>
        {problem && <p class="error" role="alert" data-testid="passcode-error">{problem}</p>}
        <div class="notice-actions">
          <button type="button" onClick={onCancel}>{t("dialog.cancel")}</button>
          <button type="submit" class="primary" disabled={!code || locked} data-testid="passcode-submit">{t("passcode.submit")}</button>
        </div>
      </form>
    </main>
  );
}

interface LobbyProps {
  entry: Extract<Entry, { stage: "waiting" | "denied" | "blocked" | "expired" }>;
  name: string;
  media: LocalMedia;
  onCancel: () => void;
  onKnockAgain: () => void;
  /** False for a stage's viewer: it will not be seen, so there is nothing to preview. */
  preview?: boolean;
}

/** The knocker's screen: themself as the host will let them in, and where the knock stands. */
export function LobbyScreen({ entry, name, media, onCancel, onKnockAgain, preview = true }: LobbyProps) {
  const { t } = useI18n();
  const local = useEngineState(media)!;
  const retryAt = entry.stage === "denied" ? entry.retryAt : 0;
  const now = useNow(1_000, entry.stage === "denied");
  const wait = Math.ceil(Math.max(0, retryAt - now) / 1000);

  let text: string;
  if (entry.stage === "waiting") text = t("lobby.waiting");
  else if (entry.stage === "denied") text = t("lobby.denied");
  else if (entry.stage === "expired") text = t("lobby.expired");
  else text = t("status.blocked");

  return (
    <main class="prejoin lobby" data-testid="lobby" data-stage={entry.stage}>
      {preview && (
        <section class="preview">
          {local.cam ? <Video stream={media.cameraStream} muted mirrored testid="lobby-preview" /> : <div class="video placeholder">{t("prejoin.noCamera")}</div>}
        </section>
      )}
      <section class="join-panel">
        <p class="as">{t("lobby.as", { name })}</p>
        <div role="status">
          <h1 data-testid="lobby-text">{text}</h1>
          {entry.stage === "waiting" && !entry.hostPresent && <p data-testid="lobby-no-host">{t("lobby.noHost")}</p>}
        </div>
        {entry.stage === "denied" && wait > 0 && <p data-testid="ask-again-wait">{t("lobby.askAgainIn", { count: wait })}</p>}
        <div class="notice-actions">
          {entry.stage === "waiting" && <button onClick={onCancel} data-testid="cancel-knock">{t("dialog.cancel")}</button>}
          {(entry.stage === "denied" || entry.stage === "expired") && (
            <button class="primary" onClick={onKnockAgain} disabled={wait > 0} data-testid="ask-again">{t("lobby.askAgain")}</button>
          )}
          {entry.stage !== "waiting" && <button onClick={() => navigate("/")}>{t("status.home")}</button>}
        </div>
      </section>
    </main>
  );
}
