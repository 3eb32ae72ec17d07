import { useEffect, useMemo, useState } from "preact/hooks";
import { LocalMedia } from "../engine/local-media";
import { RoomSession } from "../engine/room-session";
import { SignalingClient } from "../engine/signaling";
import { ChatPanel } from "./chat-panel";
import { useEngineState, useI18n } from "./hooks";
import { Icon } from "./icons";
import { MediaErrors } from "./media-errors";
import { PeoplePanel } from "./people-panel";
import { PreJoin, type JoinChoice } from "./prejoin";
import { navigate, rememberRoom, roomSocketUrl } from "./routes";
import { Tile, type TileProps } from "./tile";

/** /r/<id>: the pre-join screen, then the room; after leaving, a notice with a way back in. */
export function RoomPage({ roomId }: { roomId: string }) {
  const { t } = useI18n();
  const [left, setLeft] = useState(false);
  if (left) {
    return (
      <main class="notice" data-testid="left">
        <p>{t("status.left")}</p>
        <div class="notice-actions">
          <button class="primary" onClick={() => setLeft(false)} data-testid="rejoin">{t("status.rejoin")}</button>
          <button onClick={() => navigate("/")}>{t("status.home")}</button>
        </div>
      </main>
    );
  }
  return <Visit roomId={roomId} onLeave={() => setLeft(true)} />;
}

/**
 * One visit to the room: its camera and mic, its socket, the pre-join screen and the call. All of
 * it is released when the visit ends (leaving, or navigating away); rejoining is a new visit.
 */
function Visit({ roomId, onLeave }: { roomId: string; onLeave: () => void }) {
  const [media] = useState(() => new LocalMedia());
  // The room socket opens with the pre-join screen (see SignalingClient) and joins on Join.
  const [signaling] = useState(() => new SignalingClient({ url: roomSocketUrl(roomId) }));
  const [choice, setChoice] = useState<JoinChoice | null>(null);
  useEffect(() => {
    // Started here, not by the pre-join screen: Join may be pressed before that screen's effects
    // have run, and the camera and mic must come on all the same.
    void media.start({ mic: true, cam: true });
    return () => {
      media.destroy();
      signaling.destroy();
    };
  }, []);
  if (!choice) return <PreJoin media={media} onJoin={setChoice} />;
  return <Room roomId={roomId} choice={choice} media={media} signaling={signaling} onLeave={onLeave} />;
}

type Panel = "chat" | "people" | null;

interface RoomProps {
  roomId: string;
  choice: JoinChoice;
  media: LocalMedia;
  signaling: SignalingClient;
  onLeave: () => void;
}

function Room({ roomId, choice, media, signaling, onLeave }: RoomProps) {
  const { t } = useI18n();
  const { name, relayOnly } = choice;
  const session = useMemo(
    () => new RoomSession({ signaling, name, media, relayOnly, mobile: matchMedia("(pointer: coarse)").matches }),
    [signaling, choice, media],
  );
  const state = useEngineState(session)!;
  const local = useEngineState(media)!;
  const [panel, setPanel] = useState<Panel>(() => (matchMedia("(min-width: 900px)").matches ? "chat" : null));
  const [readCount, setReadCount] = useState(0);
  const [copied, setCopied] = useState(false);

  useEffect(() => {
    rememberRoom(roomId);
    // A handle for diagnostics and the browser tests (peer connections, stats).
    (globalThis as { roomlink?: unknown }).roomlink = { session, media };
    return () => session.destroy();
  }, [session]);

  const fromOthers = state.chat.filter((i) => i.kind === "chat" && i.message.from !== state.selfId).length;
  useEffect(() => {
    if (panel === "chat") setReadCount(fromOthers);
  }, [panel, fromOthers]);
  const unread = panel === "chat" ? 0 : Math.max(0, fromOthers - readCount);

  const toggleMic = () => void media.setMic(!media.state.mic);
  const toggleCam = () => void media.setCam(!media.state.cam);

  useEffect(() => {
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
  }, [media]);

  const count = state.participants.length + 1;
  useEffect(() => {
    const people = t("title.count", { count });
    const prefix = unread > 0 ? `(${unread}) ` : "";
    const status = state.status === "reconnecting" ? `${t("conn.reconnecting")} ` : "";
    document.title = `${prefix}${status}${local.mic ? "" : "🔇 "}${t("title.room", { count: people })}`;
    return () => {
      document.title = "roomlink";
    };
  }, [count, unread, state.status, local.mic, t]);

  if (state.status === "refused") {
    const full = state.refusal?.code === 4409;
    return (
      <main class="notice" data-testid="refused">
        <p>{full ? t("status.full") : t("status.refused", { reason: state.refusal?.reason ?? "" })}</p>
        <button class="primary" onClick={() => navigate("/")}>{t("status.home")}</button>
      </main>
    );
  }

  const tiles: TileProps[] = [
    { id: "self", label: t("room.youSuffix", { name }), stream: media.cameraStream, media: { mic: local.mic, cam: local.cam, screen: local.screen }, kind: "camera", self: true },
  ];
  if (local.screen && media.tracks.screenStream) {
    tiles.push({ id: "self-screen", label: t("room.screenOf", { name: t("room.you") }), stream: media.tracks.screenStream, media: { mic: false, cam: true, screen: true }, kind: "screen", self: true });
  }
  for (const p of state.participants) {
    // Someone whose signaling dropped is shown as reconnecting, even while their media still flows.
    const connection = p.away ? "reconnecting" : p.connection;
    tiles.push({ id: p.id, label: p.name, stream: p.camera, media: p.media, kind: "camera", connection, sinkId: local.choice.audioOut });
    if (p.screen) tiles.push({ id: p.id, label: t("room.screenOf", { name: p.name }), stream: p.screen, media: p.media, kind: "screen", connection, sinkId: local.choice.audioOut });
  }
  const columns = Math.ceil(Math.sqrt(tiles.length));

  const copyInvite = async () => {
    try {
      await navigator.clipboard.writeText(location.origin + `/r/${roomId}`);
      setCopied(true);
      setTimeout(() => setCopied(false), 2000);
    } catch {
      prompt(t("room.invite"), location.origin + `/r/${roomId}`);
    }
  };

  return (
    <main class={`room${panel ? " with-panel" : ""}`} data-testid="room" data-status={state.status}>
      {state.status !== "joined" && (
        <div class="banner" role="status" data-testid="status-banner">{state.status === "reconnecting" ? t("status.reconnecting") : t("status.connecting")}</div>
      )}
      <MediaErrors state={local} />
      {state.relayOnly && state.turnRejected && <div class="alert" role="alert" data-testid="turn-rejected">{t("turn.rejected")}</div>}
      {state.relayOnly && !state.turnRejected && state.ice && state.ice.relay !== "available" && (
        <div class="alert" role="alert" data-testid="turn-unavailable">{t("turn.unavailable")}</div>
      )}
      <section class="grid" style={{ "--cols": String(columns), "--rows": String(Math.ceil(tiles.length / columns)) }} data-testid="grid">
        {tiles.map((tile) => <Tile key={`${tile.kind}-${tile.id}`} {...tile} />)}
      </section>
      {state.participants.length === 0 && state.status === "joined" && <p class="alone">{t("room.alone")}</p>}
      {panel === "chat" && <ChatPanel items={state.chat} selfId={state.selfId} onSend={(text) => session.sendChat(text)} />}
      {panel === "people" && <PeoplePanel self={name} selfMedia={{ mic: local.mic, cam: local.cam, screen: local.screen }} participants={state.participants} />}
      <nav class="controls" aria-label={t("room.controls")}>
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
        <button class="round" title={t("room.invite")} onClick={copyInvite} data-testid="invite"><Icon name={copied ? "check" : "link"} /></button>
        <button class={`round${panel === "people" ? " active" : ""}`} title={t("room.people")} onClick={() => setPanel(panel === "people" ? null : "people")} data-testid="people-toggle">
          <Icon name="people" />
          <span class="count">{count}</span>
        </button>
        <button class={`round${panel === "chat" ? " active" : ""}`} title={unread ? t("room.unread", { count: unread }) : t("room.chat")} onClick={() => setPanel(panel === "chat" ? null : "chat")} data-testid="chat-toggle">
          <Icon name="chat" />
          {unread > 0 && <span class="unread" data-testid="unread">{unread}</span>}
        </button>
        <button class="round leave" title={t("room.leave")} onClick={onLeave} data-testid="leave">
          <Icon name="leave" />
        </button>
      </nav>
      {copied && <div class="toast" role="status">{t("room.copied")}</div>}
    </main>
  );
}
