import { useEffect, useMemo, useState } from "preact/hooks";
import { MAX_SPEAKERS } from "../../../protocol/protocol";
import { can } from "../engine/features/powers";
import { LocalMedia } from "../engine/media/local-media";
import { startRecorder } from "../engine/recording/index";
import { RoomSession } from "../engine/session/room-session";
import { SignalingClient } from "../engine/signaling/signaling-client";
import { dtlsCertificate } from "../engine/safety/certificate-store";
import { browserRecorderDeps } from "../engine/voice/browser-recorder";
import { VoiceRecorder } from "../engine/voice/recorder";
import { playbackUrl } from "../engine/voice/urls";
import { type ChatVoice, ChatPanel } from "./chat-panel";
import { DropOverlay, useFileDrop } from "./files/drop-zone";
import { FileTray } from "./files/file-tray";
import { reachable } from "./files/reachable";
import { useEngineState, useI18n } from "./hooks";
import { PeoplePanel } from "./people-panel";
import { useReplayOnReturn } from "./phone/replay";
import { restoreSpeaker } from "./phone/speaker";
import { Announcer } from "./presence/announcer";
import { withPresence } from "./presence/context";
import { withVideoSize } from "./video-size";
import { UntiledReactions } from "./presence/floating-reactions";
import { sessionPresence } from "./presence/session-presence";
import { PreJoin, type JoinChoice } from "./prejoin";
import { offeredRecordings } from "./recording/offered";
import { SavedSheet } from "./recording/saved-sheet";
import { useRecording } from "./recording/use-recording";
import { deviceId, storedHostKey } from "../stored";
import { Controls, type Panel } from "./room/controls";
import { roomLabels } from "./room/distinct-names";
import { LobbyScreen, PasscodeScreen } from "./room/entry-screens";
import { Stage } from "./room/layout/stage";
import { useLayoutChoice } from "./room/layout/use-layout-choice";
import { KnockPrompt } from "./room/knock-prompt";
import { Refused, RoomGone, RoomNotices } from "./room/notices";
import { SettingsDialog } from "./room/settings-dialog";
import { StageBar } from "./room/stage-bar";
import { unlistedCrowd } from "../engine/features/crowd-count";
import { StageInvitation } from "./room/stage-invitation";
import { StageNotices } from "./room/stage-notices";
import { holdCallForShell } from "../shell/register";
import { InviteButton, useInviteSheet } from "./invite/invite-sheet";
import { API_ORIGIN, hostLink, navigate, rememberRoom, roomInfo, roomSocketUrl, type RoomInfo } from "./routes";
import { withSafety } from "./safety/context";
import { TapToListen } from "./tap-to-listen";
import { ViewerPreJoin } from "./viewer-prejoin";

/** /r/<id>: the pre-join screen, then the room; after leaving, a notice with a way back in. */
export function RoomPage({ roomId }: { roomId: string }) {
  const { t } = useI18n();
  const [left, setLeft] = useState(false);
  const [gone, setGone] = useState(false);
  // Each visit is a new one: a rejoin gets fresh camera, mic and socket.
  const [visit, setVisit] = useState(0);
  const rejoin = () => {
    setLeft(false);
    setVisit((v) => v + 1);
  };
  if (gone) return <RoomGone />;
  if (left) {
    return (
      <>
        <main class="notice" data-testid="left">
          <h1 class="notice-text">{t("status.left")}</h1>
          <div class="notice-actions">
            <button class="primary" onClick={rejoin} data-testid="rejoin">{t("status.rejoin")}</button>
            <button onClick={() => navigate("/")}>{t("status.home")}</button>
          </div>
        </main>
        {/* Leaving stops a recording: its file is offered here too. */}
        <SavedSheet />
      </>
    );
  }
  return (
    <>
      <Visit key={visit} roomId={roomId} onLeave={() => setLeft(true)} onRejoin={rejoin} onGone={() => setGone(true)} />
      <SavedSheet />
    </>
  );
}

interface VisitProps {
  roomId: string;
  onLeave: () => void;
  onRejoin: () => void;
}

/**
 * One visit to the room: its camera and mic, its socket, the pre-join screen and the call. All of
 * it is released when the visit ends (leaving, or navigating away); rejoining is a new visit.
 *
 * Whether the camera and mic start with the pre-join screen depends on the room: in a meeting they
 * do, at once; a stage's viewer is never asked for them (it publishes nothing until a host invites
 * it up). A host key holder is a speaker in either, so its devices start without waiting to ask.
 */
function Visit({ roomId, onLeave, onRejoin, onGone }: VisitProps & { onGone: () => void }) {
  const [media] = useState(() => {
    const media = new LocalMedia();
    // The speaker chosen last time (ui/phone/speaker.ts), for the pre-join screen and the call alike.
    restoreSpeaker(media);
    return media;
  });
  // The room socket opens with the pre-join screen (see SignalingClient) and joins on Join.
  const [signaling] = useState(() => new SignalingClient({ url: roomSocketUrl(roomId) }));
  const [host] = useState(() => storedHostKey(roomId) !== null);
  // undefined: still asking (usually answered already: app.tsx asks while this code loads).
  const [info, setInfo] = useState<RoomInfo | undefined>(undefined);
  const [choice, setChoice] = useState<JoinChoice | null>(null);
  // This browser's DTLS certificate, before the first peer connection (its loading started with
  // the app, app.tsx, and storing a new one is not waited for): nearly always done before Join is
  // pressed. undefined: still loading.
  const [certificates, setCertificates] = useState<RTCCertificate[] | undefined>(undefined);
  useEffect(() => {
    let current = true;
    void dtlsCertificate().then((c) => current && setCertificates(c ? [c] : []));
    return () => {
      current = false;
    };
  }, []);
  useEffect(() => {
    // Asked alongside the socket's opening, so a live room's join is not delayed: a socket to a
    // room that does not exist can only fail, and the browser does not say why.
    let current = true;
    void roomInfo(roomId).then((answer) => {
      if (!current) return;
      if (answer) setInfo(answer);
      else onGone();
    });
    return () => {
      current = false;
      media.destroy();
      signaling.destroy();
    };
  }, []);
  // A room whose mode could not be learned (the server unreachable) starts nothing either: the
  // pre-join screen's buttons turn the camera and mic on, and a stage's viewer is not surprised.
  const publishes = host || info?.mode === "meeting";
  useEffect(() => {
    // Started here, not by the pre-join screen: Join may be pressed before that screen's effects
    // have run, and the camera and mic must come on all the same. A failure is already recorded
    // per device in the media state (and shown); nothing is left to handle here.
    if (publishes) media.start({ mic: true, cam: true }).catch(() => {});
  }, [publishes]);
  // Join pressed while the certificate still loads (a slow IndexedDB: at most STORAGE_WAIT_MS).
  if (choice && !certificates) return <Preparing />;
  if (!choice || !certificates) {
    if (host || info?.mode === "meeting" || info?.mode === null) return <PreJoin media={media} onJoin={setChoice} />;
    if (info?.mode === "stage") return <ViewerPreJoin onJoin={setChoice} />;
    // One round trip at most: not long enough for a spinner, and a pre-join screen now might be the wrong one.
    return <main class="prejoin" aria-busy="true" data-testid="prejoin-pending" />;
  }
  return <Room roomId={roomId} choice={choice} certificates={certificates} media={media} signaling={signaling} watching={!publishes && info?.mode === "stage"} onLeave={onLeave} onRejoin={onRejoin} />;
}

function Preparing() {
  const { t } = useI18n();
  return (
    <main class="prejoin" aria-busy="true" data-testid="prejoin-preparing">
      <p role="status">{t("safety.preparing")}</p>
    </main>
  );
}

interface RoomProps extends VisitProps {
  choice: JoinChoice;
  certificates: RTCCertificate[];
  media: LocalMedia;
  signaling: SignalingClient;
  /** Joined from the viewer's pre-join screen: nothing to preview in the lobby. */
  watching: boolean;
}

type TestHook = (handle: { session: RoomSession; media: LocalMedia } | null) => void;

function Room({ roomId, choice, certificates, media, signaling, watching, onLeave, onRejoin }: RoomProps) {
  const { t } = useI18n();
  const { name, relayOnly } = choice;
  const hostKey = storedHostKey(roomId);
  const session = useMemo(
    () =>
      new RoomSession({
        signaling,
        name,
        media,
        relayOnly,
        mobile: matchMedia("(pointer: coarse)").matches,
        device: deviceId(),
        apiOrigin: API_ORIGIN,
        roomId,
        certificates,
        ...(hostKey ? { hostKey } : {}),
        // Recording (ui/recording/): a stopped recording is offered by the page, which outlives the session.
        startRecorder,
        onRecordingSaved: (saved, reason) => offeredRecordings.offer(saved, reason),
        // A few characters only: the whole id is the way into the room, and a file travels.
        roomLabel: roomId.slice(0, 6),
      }),
    [signaling, choice, media],
  );
  // Voice messages record the call's microphone when it has one open (engine/voice/recorder.ts).
  const [recorder] = useState(() => new VoiceRecorder(browserRecorderDeps(() => media.tracks.audio)));
  useEffect(() => () => recorder.destroy(), [recorder]);
  const state = useEngineState(session)!;
  const local = useEngineState(media)!;
  // Back from the background, media the browser paused plays again (the session restarts the rest).
  useReplayOnReturn();
  const [panel, setPanel] = useState<Panel>(() => (matchMedia("(min-width: 900px)").matches ? "chat" : null));
  const [readCount, setReadCount] = useState(0);
  const [settingsOpen, setSettingsOpen] = useState(false);
  // Whether anyone (us too) shares a screen: a share that starts shows large (layout/choose-layout.ts).
  const layout = useLayoutChoice(local.screen || state.participants.some((p) => p.screen !== null));
  const { actions } = session;
  const { stage } = state;
  // Until the welcome says otherwise, one who came in by the viewer's pre-join screen is a viewer:
  // no self-view, and no mic or camera button that would ask for a device it will not use.
  const welcomed = state.selfId !== null;
  const onStage = welcomed ? stage.mode === "stage" : watching;
  const speaks = welcomed ? stage.seat === "speaker" : !watching;

  // In a call (or waiting to be let in): no app update takes over until it ends (shell/).
  useEffect(() => holdCallForShell(), []);
  useEffect(() => {
    rememberRoom(roomId);
    // A handle for the browser tests (peer connections, stats), only if a test installed the hook
    // (test/browser/test-hook.ts): production pages expose nothing.
    const testHook = (globalThis as { __roomlinkTestHook?: TestHook }).__roomlinkTestHook;
    testHook?.({ session, media });
    return () => {
      testHook?.(null);
      session.destroy();
    };
  }, [session]);

  const fromOthers = state.chat.filter((i) => i.kind === "chat" && i.message.from !== state.selfId).length;
  useEffect(() => {
    if (panel === "chat") setReadCount(fromOthers);
  }, [panel, fromOthers]);
  const unread = panel === "chat" ? 0 : Math.max(0, fromOthers - readCount);

  // On a big stage a plain viewer's roster leaves the crowd out: the room's count makes up the rest.
  const unlisted = onStage ? unlistedCrowd(stage.mode, stage.audience, { role: state.role, seat: stage.seat, recording: state.recording.self }, state.participants) : 0;
  const count = state.participants.length + 1 + unlisted;
  const knocks = can(state.role, "admit") ? state.knocks : [];
  // The room as one line: also the page's (hidden) heading.
  const heading = t("title.room", { count: t("title.count", { count }) });
  useEffect(() => {
    // Someone waiting to be let in comes first: the tab says it while the host looks elsewhere.
    const waiting = knocks.length > 0 ? `(${t("title.knocks", { count: knocks.length })}) ` : "";
    const prefix = waiting + (unread > 0 ? `(${unread}) ` : "");
    const status = state.status === "reconnecting" ? `${t("conn.reconnecting")} ` : "";
    // A viewer has no mic to be muted: the mark would only puzzle.
    const muted = speaks && !local.mic;
    document.title = `${prefix}${status}${muted ? "🔇 " : ""}${heading}`;
    return () => {
      document.title = "roomlink";
    };
  }, [heading, unread, knocks.length, state.status, local.mic, speaks, t]);

  const { mediaToken } = state;
  const voice: ChatVoice = {
    recorder,
    canRecord: API_ORIGIN === location.origin,
    send: actions.sendVoice,
    retry: actions.retryVoice,
    discard: actions.discardVoice,
    urlOf: (key) => (mediaToken ? playbackUrl(API_ORIGIN, roomId, key, mediaToken) : null),
  };
  const labels = roomLabels({ id: state.selfId, name, joined: state.selfJoined }, state.participants);
  // Presence (ui/presence/): what tiles read from the context, by peer id, and the bar's actions.
  const presence = useMemo(() => sessionPresence(session), [session]);
  const handUp = state.selfId !== null && state.stage.hands.includes(state.selfId);
  // Files go to everyone we have a connection with; with nobody, there is no way to send one.
  const sendAll = reachable(state.participants, state.transport.kind).length > 0 ? (files: readonly File[]) => void actions.sendFiles(files, null) : null;
  const drop = useFileDrop(sendAll);
  const recording = useRecording(session, media, state, labels, name);
  // Opened from the "alone" notice, kept here: the notice goes when someone joins, the sheet stays.
  const invite = useInviteSheet(`${location.origin}/r/${roomId}`);

  if (state.status === "refused" && state.refusal) return <Refused refusal={state.refusal} onRejoin={onRejoin} />;
  const { entry } = state;
  if (entry.stage === "passcode" || entry.stage === "passcode-locked") return <PasscodeScreen entry={entry} onSubmit={actions.submitPasscode} onCancel={onLeave} />;
  if (entry.stage === "waiting" || entry.stage === "denied" || entry.stage === "blocked" || entry.stage === "expired") {
    return <LobbyScreen entry={entry} name={name} media={media} onCancel={onLeave} onKnockAgain={actions.knockAgain} preview={!watching} />;
  }
  const runsRoom = state.role !== "member";
  const seesHands = onStage && can(state.role, "set-seat");
  const speakers = state.participants.filter((p) => p.seat === "speaker").length + (speaks ? 1 : 0);
  const viewers = state.participants.filter((p) => p.seat === "viewer").length + (speaks ? 0 : 1) + unlisted;
  // Nobody to look at: on a stage with no speaker yet, or alone in a meeting.
  let alone: string | null = null;
  if (state.status === "joined" && onStage && speakers === 0) alone = t("stage.empty");
  else if (state.status === "joined" && state.participants.length === 0) alone = t("room.alone");

  // Reactions float over the sender's tile; those of people with no tile (a stage's viewers) over the call's corner.
  const hasTile = (id: string) => (id === state.selfId ? speaks : state.participants.some((p) => p.id === id && p.seat === "speaker"));
  // The tiles, wherever the layout puts them, read presence by peer id (presence/context.ts).
  // Remote camera tiles report their size: on the SFU the layer pulled follows it (video-size.ts).
  return withVideoSize(session.actions.videoSize, withPresence(
    { presence: state.presence, reactions: state.reactions, levels: presence.levels, hands: stage.hands, selfId: state.selfId, labels },
    <main class={`room${panel ? " with-panel" : ""}${onStage ? " on-stage" : ""}`} data-testid="room" data-status={state.status} data-role={state.role} data-mode={onStage ? "stage" : "meeting"} data-seat={speaks ? "speaker" : "viewer"} {...drop.handlers}>
      <h1 class="sr-only" ref={invite.returnTo} tabIndex={-1}>{heading}</h1>
      <RoomNotices state={state} local={local} labels={labels} onDismiss={actions.dismissNotices} />
      {onStage && (
        <StageBar
          liveSince={stage.liveSince}
          viewers={viewers}
          videoOff={stage.videoOffFrom.length > 0}
          onLeaveStage={speaks ? actions.leaveStage : undefined}
          onJoinStage={!speaks && seesHands && state.selfId ? () => actions.setSeat(state.selfId!, "speaker") : undefined}
          speakersFull={speakers >= MAX_SPEAKERS}
        />
      )}
      {withSafety(state.safety, <Stage name={name} state={state} local={local} media={media} labels={labels} selfTile={speaks} layout={layout} />)}
      <UntiledReactions items={state.reactions.filter((r) => !hasTile(r.from))} labels={labels} />
      {alone && (
        <div class="alone">
          {alone}
          {alone === t("room.alone") && <InviteButton label={t("invite.alone")} testid="alone-invite" onOpen={invite.open} />}
        </div>
      )}
      {invite.sheet}
      {recording.layer}
      {/* The chat is as much a speaker's as anyone's: beside its own video on a wide screen (open by default), behind the chat button with its unread count on a phone. */}
      {panel === "chat" && <ChatPanel items={state.chat} selfId={state.selfId} labels={labels} onSend={(text) => session.sendChat(text)} voice={voice} onSendFiles={sendAll} />}
      {panel === "people" && (
        <PeoplePanel
          self={labels.get(state.selfId ?? "") ?? name}
          selfId={state.selfId}
          selfMedia={{ mic: local.mic, cam: local.cam, screen: local.screen }}
          selfRole={state.role}
          participants={state.participants}
          labels={labels}
          actions={actions}
          stage={stage}
          hands={{ onLowerAll: can(state.role, "lower-hands") ? presence.actions.lowerAllHands : undefined, onLowerOwn: () => presence.actions.raiseHand(false) }}
          safety={state.safety}
          transport={state.transport}
          capacity={state.settings?.capacity ?? null}
          unlisted={unlisted}
        />
      )}
      <FileTray files={state.files} labels={labels} actions={actions} />
      {drop.dragging && <DropOverlay />}
      <Controls
        media={media}
        local={local}
        inviteUrl={`${location.origin}/r/${roomId}`}
        panel={panel}
        setPanel={setPanel}
        count={count}
        unread={unread}
        onLeave={onLeave}
        onSettings={runsRoom && state.access ? () => setSettingsOpen(true) : undefined}
        onEndMeeting={can(state.role, "end-meeting") ? actions.endMeeting : undefined}
        viewer={onStage && !speaks}
        hands={seesHands || !onStage ? stage.hands.length : 0}
        presence={{ handUp, onHand: presence.actions.raiseHand, onReact: presence.actions.react, own: state.presence.own }}
        layout={layout}
        record={recording.action}
      />
      <StageNotices state={state} labels={labels} seesHands={seesHands} />
      <Announcer activeSpeaker={state.presence.activeSpeaker} chat={state.chat} hands={stage.hands} meeting={!onStage} selfId={state.selfId} joinedAt={state.selfJoined} labels={labels} count={count} />
      {stage.invited && <StageInvitation onAccept={actions.acceptStage} onDecline={actions.leaveStage} />}
      <TapToListen />
      <KnockPrompt knocks={knocks} onAdmit={actions.admit} onDeny={actions.deny} onAdmitAll={actions.admitAll} />
      {settingsOpen && runsRoom && state.access && (
        <SettingsDialog
          role={state.role}
          access={state.access}
          hostLink={hostKey && state.role === "host" ? hostLink(roomId, hostKey) : null}
          setAccess={actions.setAccess}
          mode={stage.mode}
          setMode={actions.setMode}
          onClose={() => setSettingsOpen(false)}
        />
      )}
    </main>,
  ));
}
