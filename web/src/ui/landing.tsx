import { useState } from "preact/hooks";
import { isMode, type Mode } from "../../../protocol/protocol";
import { readStored, writeStored } from "../stored";
import { useI18n } from "./hooks";
import { ModeChoice } from "./mode-choice";
import { askNotificationPermission } from "./notify-permission";
import { createRoom, navigate, recentRooms, roomIdFromInput } from "./routes";

const LOBBY_KEY = "roomlink.lobby";
const MODE_KEY = "roomlink.mode";

const storedMode = (): Mode => {
  const m = readStored(MODE_KEY);
  return isMode(m) ? m : "meeting";
};

export function Landing() {
  const { t } = useI18n();
  const [link, setLink] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  // "Ask to join" for the rooms this browser creates; the last choice is remembered.
  const [lobby, setLobby] = useState(() => readStored(LOBBY_KEY) === "1");
  // Meeting (everyone on camera) or stage (speakers broadcast, viewers watch); remembered as the lobby is.
  const [mode, setMode] = useState<Mode>(storedMode);
  const recent = recentRooms();

  const chooseMode = (m: Mode) => {
    setMode(m);
    writeStored(MODE_KEY, m);
  };

  const chooseLobby = (on: boolean) => {
    setLobby(on);
    writeStored(LOBBY_KEY, on ? "1" : "0");
    if (on) askNotificationPermission();
  };

  const create = async () => {
    setCreating(true);
    setError(null);
    try {
      navigate(`/r/${await createRoom({ lobby, mode })}`);
    } catch {
      setError(t("landing.createFailed"));
      setCreating(false);
    }
  };

  const join = (e: Event) => {
    e.preventDefault();
    const id = roomIdFromInput(link);
    if (id) navigate(`/r/${id}`);
    else setError(t("landing.badLink"));
  };

  return (
    <main class="landing">
      <h1 class="brand">roomlink</h1>
      <p class="tagline">{t("app.tagline")}</p>
      <button class="primary big" data-testid="new-room" onClick={create} disabled={creating}>
        {creating ? t("landing.creating") : t("landing.new")}
      </button>
      <label class="check">
        <input type="checkbox" checked={lobby} onChange={(e) => chooseLobby(e.currentTarget.checked)} data-testid="new-room-lobby" />
        <span>{t("landing.lobby")}</span>
      </label>
      <ModeChoice mode={mode} onChange={chooseMode} />
      <form class="join-form" onSubmit={join}>
        <label for="join-link">{t("landing.joinLabel")}</label>
        <div class="row">
          <input id="join-link" value={link} placeholder={t("landing.joinPlaceholder")} onInput={(e) => setLink(e.currentTarget.value)} />
          <button type="submit">{t("landing.join")}</button>
        </div>
      </form>
      {error && <p class="error" role="alert">{error}</p>}
      {recent.length > 0 && (
        <section class="recent">
          <h2>{t("landing.recent")}</h2>
          <ul>
            {recent.map((id) => (
              <li key={id}>
                <a href={`/r/${id}`} onClick={(e) => { e.preventDefault(); navigate(`/r/${id}`); }}>{id}</a>
              </li>
            ))}
          </ul>
        </section>
      )}
    </main>
  );
}
