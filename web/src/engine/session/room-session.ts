// A joined room: the signaling client, a transport for the media (the mesh by default), and the
// features that make the room (entry, roster, chat, voice, media state, ICE, access, stage, recording), folded into one
// state snapshot that the UI renders. No DOM.
//
// Server frames reach the features through one typed table (server-handlers.ts): which feature
// handles which message type is written down in one place, and a type without a handler does
// not compile.

import type { SfuPublication, TransportServerMessage, TransportState } from "../../../../protocol/features/transport";
import { DEFAULT_UPLOAD_BUDGET_KBPS, type ClientMessage, type ErrorCode, type Mode, type ReactionCode, type Seat, type ServerMessage } from "../../../../protocol/protocol";
import { Emitter } from "../emitter";
import { AccessFeature } from "../features/access";
import { ChatFeature } from "../features/chat";
import { EntryFeature } from "../features/entry";
import { FilesFeature } from "../features/files";
import { IceFeature } from "../features/ice";
import { MediaStateFeature } from "../features/media-state";
import { PresenceFeature } from "../features/presence";
import type { LevelFeed } from "../features/presence-view";
import { ReactionsFeature } from "../features/reactions";
import { RecordingFeature, type StartRecorder } from "../features/recording";
import { SafetyFeature } from "../features/safety";
import { Roster } from "../features/roster";
import { StageFeature } from "../features/stage";
import { type SfuControls, TransportFeature } from "../features/transport";
import { VoiceFeature } from "../features/voice";
import { browserFileStorage } from "../files/browser-storage";
import { browserRelayHttp, type RelayHttp } from "../files/relay-http";
import type { FileStorage } from "../files/storage";
import { limitsFor } from "../files/wire";
import { log } from "../log";
import type { LocalMedia } from "../media/local-media";
import { Mesh } from "../mesh/mesh";
import { Comeback, type ComebackHost, pageHost } from "../phone/comeback";
import { ScreenWakeLock, type WakeLockHost } from "../phone/screen-wake-lock";
import { SfuProxy } from "../sfu/proxy-client";
import { type SfuDeps, SfuTransport } from "../sfu/sfu-transport";
import type { SignalingClient } from "../signaling/signaling-client";
import type { RecorderFailure, RecorderSources, RecordingKind, SavedRecording } from "../recording/contract";
import type { Recording } from "../voice/types";
import { dispatch, type ServerHandlers } from "./server-handlers";
import { initialState, type SessionState } from "./session-state";
import type { StageTiersView, Transport, TransportDeps } from "./transport";
import { TransportSwitch } from "./transport-switch";

export type { PendingVoice } from "../features/chat-state";
export type { Recording, VoiceFailure } from "../voice/types";
export type { FileEnd, FileProblem, FilesView, IncomingFile, OutgoingFile, OutgoingRecipient, Progress } from "../features/files-view";
export type { AccessNotice, ChatItem, Entry, MuteRequest, Participant, PeerSafety, PeerState, RecordingView, SafetyView, SessionState, SessionStatus, StageView } from "./session-state";
export type { OwnRecording, RecordingNotice } from "../features/recording";

export interface SessionOptions {
  /** The room socket, maybe opened before the person chose to join; the session owns it from now on. */
  signaling: Pick<SignalingClient, "on" | "send" | "join" | "rejoin" | "destroy"> & Partial<Pick<SignalingClient, "resume">>;
  name: string;
  /** This device's media: the session announces it, hands it to the transport, and turns it off (or on) with a stage seat. */
  media: Pick<LocalMedia, "state" | "tracks" | "on" | "setMic" | "setCam" | "stopScreen" | "start"> & Partial<Pick<LocalMedia, "restartEnded">>;
  /** The room's host key, if this browser holds it: the join makes us a host. */
  hostKey?: string;
  /** This browser's lobby id (stored.ts): what a host's denials count against. */
  device?: string;
  /** Connect through the TURN relay only, so that peers never learn this device's IP address. */
  relayOnly?: boolean;
  /** A phone or tablet: a smaller upload budget (uplink and CPU), 60 % of the room's. */
  mobile?: boolean;
  /** The mesh transport; a test may hand in another. */
  transport?: (deps: TransportDeps) => Transport;
  /** The SFU transport, when the room switches to it (features/transport.ts); sfu/sfu-transport.ts unless a test says otherwise. */
  sfuTransport?: (deps: SfuDeps) => Transport & SfuControls;
  /** Where the Worker is, for voice uploads: this page's origin unless the app is deployed apart from it (routes.ts). */
  apiOrigin?: string;
  /** The uploads' fetch, and the blob URLs of our own recordings; tests hand in fakes. */
  fetch?: typeof fetch;
  objectUrls?: { create(blob: Blob): string; revoke(url: string): void };
  /** Where received files are written; the browser's OPFS (or memory) unless a test hands in another. */
  fileStorage?: FileStorage;
  /** The HTTP calls of files relayed on the SFU (files/relay-http.ts); XMLHttpRequest and fetch unless a test hands in others. */
  relayHttp?: RelayHttp;
  /** The largest file we send or take peer to peer: 2 GiB unless configured (at most 3.5 GiB, files/wire.ts). */
  maxFileBytes?: number;
  /** Records the call on this device (engine/recording/); without it the room cannot be recorded from here. */
  startRecorder?: StartRecorder;
  /** A recording of ours is on disk: offer it (also after the session is gone: leaving stops the recorder). */
  onRecordingSaved?: (saved: SavedRecording, reason: RecorderFailure | null) => void;
  /** For recordings' file names: the room's id. */
  roomLabel?: string;
  /** The room's id: the safety codes hash it (features/safety.ts). */
  roomId?: string;
  /** This browser's DTLS certificate, loaded before the session (safety/certificate-store.ts); without it each connection makes one. */
  certificates?: RTCCertificate[];
  /** Where the safety codes' fingerprints are remembered: sessionStorage unless a test says otherwise (null: this page only). */
  safetyStorage?: Pick<Storage, "getItem" | "setItem"> | null;
  /**
   * The page's screen wake lock and the events a call picks itself up on (engine/phone/): the
   * browser's own in a page; null for none (the unit tests run without a document).
   */
  page?: { wakeLock: WakeLockHost; comeback: ComebackHost } | null;
}

type Events = { change: SessionState };

/** This tab's sessionStorage, or null where it is blocked (or absent, as in the unit tests). */
function sessionStore(): Pick<Storage, "getItem" | "setItem"> | null {
  try {
    return typeof sessionStorage === "undefined" ? null : sessionStorage;
  } catch {
    return null;
  }
}

export class RoomSession extends Emitter<Events> {
  private readonly signaling: SessionOptions["signaling"];
  /** The transport in force, mesh or SFU, swapped without a reload (transport-switch.ts). */
  private readonly transport: TransportSwitch;
  private readonly transportFeature: TransportFeature;
  private readonly roster: Roster;
  private readonly chat: ChatFeature;
  private readonly voice: VoiceFeature;
  private readonly mediaState: MediaStateFeature;
  private readonly ice: IceFeature;
  private readonly entry: EntryFeature;
  private readonly accessFeature: AccessFeature;
  private readonly stage: StageFeature;
  private readonly files: FilesFeature;
  private readonly presence: PresenceFeature;
  /** Everyone's audio level (ours under our id) every LEVEL_INTERVAL_MS while subscribed, for a mic icon (features/presence.ts). */
  readonly levels: LevelFeed;
  private readonly reactions: ReactionsFeature;
  private readonly recording: RecordingFeature;
  private readonly safety: SafetyFeature;
  /** Holds the screen on for the whole call (and for file transfers, through the same lock). */
  private readonly wakeLock: ScreenWakeLock | null;
  private readonly comeback: Comeback | null;
  private readonly handlers: ServerHandlers;
  private readonly unsubscribe: Array<() => void>;
  private self: { id: string; joined: number; token: string } | null = null;
  /** The last frame's code if it was an error: a refusal's close comes right after its error frame ("stage-full", then 4409). */
  private lastError: { code: ErrorCode; limit: number | null } | null = null;
  private stateValue: SessionState;
  private destroyed = false;
  private released = false;

  constructor(private readonly options: SessionOptions) {
    super();
    this.stateValue = initialState(options.relayOnly ?? false);
    // Only in a page: the session's unit tests run it without a document.
    const page = options.page !== undefined ? options.page : typeof document === "undefined" ? null : { wakeLock: { navigator, document }, comeback: pageHost() };
    this.wakeLock = page ? new ScreenWakeLock(page.wakeLock) : null;
    // A call is the time the screen must not dim and lock: that suspends the page and the call.
    this.wakeLock?.hold("call", true);
    const signaling = (this.signaling = options.signaling);
    const send = signaling.send.bind(signaling);
    const update = (patch: Partial<SessionState>) => this.update(patch);
    const deps: TransportDeps = {
      sendSignal: (to, data) => send({ type: "signal", to, data }),
      localTracks: () => options.media.tracks,
      relayOnly: this.stateValue.relayOnly,
      requestFreshCredentials: () => this.ice.requestFresh(),
      uploadBudgetBps: () => (this.stateValue.settings?.uploadBudgetKbps ?? DEFAULT_UPLOAD_BUDGET_KBPS) * 1000 * (options.mobile ? 0.6 : 1),
      sharingScreen: () => options.media.state.screen,
      ...(options.certificates ? { certificates: options.certificates } : {}),
    };
    const mesh = () => (options.transport ?? ((d) => new Mesh(d)))(deps);
    const sfuDeps: SfuDeps = {
      ...deps,
      proxy: new SfuProxy({
        roomId: options.roomId ?? "",
        apiOrigin: options.apiOrigin ?? "",
        token: () => this.stateValue.mediaToken,
        // Bound, as for voice uploads: a bare window.fetch called as a method of another object throws.
        fetch: options.fetch ?? ((input, init) => fetch(input, init)),
      }),
      announce: (msg) => send(msg),
    };
    this.transport = new TransportSwitch(mesh());
    this.transportFeature = new TransportFeature({
      switcher: this.transport,
      mesh,
      sfu: () => (options.sfuTransport ?? ((d) => new SfuTransport(d)))(sfuDeps),
      selfId: () => this.self?.id ?? null,
      update,
    });
    this.roster = new Roster(this.transport, update);
    this.chat = new ChatFeature(send, update, undefined, (cids) => this.voice.confirmed(cids));
    this.voice = new VoiceFeature({
      send,
      chat: this.chat,
      update,
      apiOrigin: options.apiOrigin ?? "",
      // Bound: a bare window.fetch called as a method of another object throws "Illegal invocation".
      fetch: options.fetch ?? ((input, init) => fetch(input, init)),
      objectUrls: options.objectUrls ?? { create: (blob) => URL.createObjectURL(blob), revoke: (url) => URL.revokeObjectURL(url) },
    });
    this.mediaState = new MediaStateFeature(options.media, this.transport, this.roster, send);
    this.ice = new IceFeature(this.transport, send, update);
    const { hostKey, device } = options;
    this.entry = new EntryFeature({ ...(hostKey ? { hostKey } : {}), ...(device ? { device } : {}) }, () => signaling.rejoin(), update);
    this.accessFeature = new AccessFeature(send, this.roster, options.media, () => this.self?.id ?? null, update);
    const self = () => (this.self ? { id: this.self.id, role: this.stateValue.role } : null);
    this.stage = new StageFeature(send, this.transport, this.roster, options.media, self, update);
    this.files = new FilesFeature({
      send,
      transport: this.transport,
      roster: this.roster,
      selfId: () => this.self?.id ?? null,
      update,
      storage: options.fileStorage ?? browserFileStorage(),
      // On the SFU, files go through the room's bucket (features/files.ts filePath).
      transportKind: () => this.transport.kind,
      relay: {
        // Bound, as for voice uploads: a bare window.fetch called as a method of another object throws.
        http: options.relayHttp ?? browserRelayHttp(options.fetch ?? ((input, init) => fetch(input, init))),
        apiOrigin: options.apiOrigin ?? "",
        token: () => this.stateValue.mediaToken,
      },
      ...(options.maxFileBytes !== undefined ? { limits: limitsFor(options.maxFileBytes) } : {}),
      ...(this.wakeLock ? { wakeLock: this.wakeLock.handle("files") } : {}),
    });
    this.reactions = new ReactionsFeature({ send, selfId: () => this.self?.id ?? null, update });
    const sends = (id: string) => {
      const m = this.stateValue.participants.find((p) => p.id === id)?.media;
      return m === undefined || m.mic || m.cam || m.screen;
    };
    this.presence = new PresenceFeature({ transport: this.transport, media: options.media, update, sends });
    this.recording = new RecordingFeature({
      send,
      roster: this.roster,
      chat: this.chat,
      selfId: () => this.self?.id ?? null,
      selfName: () => options.name,
      update,
      start: options.startRecorder,
      onSaved: options.onRecordingSaved,
      label: options.roomLabel,
    });
    this.levels = this.presence.levels;
    this.safety = new SafetyFeature({
      roomId: options.roomId ?? "",
      transport: this.transport,
      update,
      participants: () => this.stateValue.participants,
      mode: () => this.stateValue.stage.mode,
      storage: options.safetyStorage !== undefined ? options.safetyStorage : sessionStore(),
    });
    this.comeback = page ? new Comeback({ returned: () => this.pickUp(), network: (moved) => this.networkChanged(moved) }, page.comeback) : null;
    this.handlers = this.serverHandlers();
    this.unsubscribe = [
      signaling.on("message", (m) => {
        this.lastError = m.type === "error" ? { code: m.code, limit: m.limit ?? null } : null;
        dispatch(this.handlers, m);
      }),
      signaling.on("status", (status) => this.update({ status })),
      signaling.on("refused", (refusal) => {
        // Final (removed, meeting ended, room full…): every peer connection closes now, not when
        // the person leaves the refusal screen; the others have dropped theirs to us.
        this.release();
        // "stage-full" and "room-full" share a close code (4409); the error frame tells them apart.
        this.update({ status: "refused", refusal: { ...refusal, error: this.lastError?.code ?? null, limit: this.lastError?.limit ?? null } });
      }),
      signaling.on("lost", ({ code }) => this.entry.lost(code)),
      // Someone came, left or went away, or the room became a stage: the room code follows.
      this.on("change", () => this.safety.refresh()),
    ];
    signaling.join(() => {
      const credentials = this.entry.credentials();
      if (!credentials) return null;
      return {
        name: options.name,
        media: this.mediaState.state,
        ...credentials,
        ...(this.chat.lastSeq > 0 ? { since: this.chat.lastSeq } : {}),
        ...(this.self ? { resume: { id: this.self.id, token: this.self.token } } : {}),
      };
    });
  }

  get state(): SessionState {
    return this.stateValue;
  }

  /** The live peer connections, for diagnostics and tests. */
  get peerConnections(): RTCPeerConnection[] {
    return this.transport.peerConnections;
  }

  /** As a speaker on a stage, which viewers get our camera video and which audio only; for benchmarks and tests. */
  get stageTiers(): StageTiersView {
    return this.transport.stageTiers();
  }

  /** Benchmarks only: pauses the shared stats poll (bitrate control and connection quality keep their last reading). */
  pauseStats(paused: boolean): void {
    this.transport.pauseStats?.(paused);
  }

  /** Sends now if connected; otherwise it waits in the outbox and goes out after the rejoin. */
  sendChat(text: string): void {
    this.assertAlive();
    this.chat.post(text);
  }

  /** Host actions and the way in (features/access.ts, features/entry.ts); each returns whether it went out. */
  readonly actions = {
    admit: (knocks: readonly string[]) => this.alive() && this.accessFeature.admit(knocks),
    admitAll: () => this.alive() && this.accessFeature.admitAll(),
    deny: (knock: string) => this.alive() && this.accessFeature.deny(knock),
    setAccess: (patch: { lobby?: boolean; locked?: boolean; passcode?: string | null; recording?: boolean }) => this.alive() && this.accessFeature.setAccess(patch),
    setRole: (id: string, role: "cohost" | "member") => this.alive() && this.accessFeature.setRole(id, role),
    remove: (id: string) => this.alive() && this.accessFeature.remove(id),
    askMute: (id: string) => this.alive() && this.accessFeature.askMute(id),
    endMeeting: () => this.alive() && this.accessFeature.endMeeting(),
    dismissNotices: () => this.alive() && (this.accessFeature.dismissNotices(), true),
    submitPasscode: (passcode: string) => this.alive() && this.entry.submitPasscode(passcode),
    knockAgain: () => this.alive() && this.entry.knockAgain(),
    /** Leaves the lobby: the same as leaving the room (the room forgets a knock whose socket closed). */
    cancelKnock: () => this.alive() && (this.destroy(), true),
    /** Host or cohost: make the room a meeting or a stage (features/stage.ts). */
    setMode: (mode: Mode) => this.alive() && this.stage.setMode(mode),
    /** Host or cohost, on a stage: invite a member onto it ("speaker") or move one back ("viewer"). */
    setSeat: (id: string, seat: Seat) => this.alive() && this.stage.setSeat(id, seat),
    /** A speaker steps down to the audience. */
    leaveStage: () => this.alive() && this.stage.leaveStage(),
    /** Says yes to a host's invitation onto the stage: mic and camera start. */
    acceptStage: () => this.alive() && this.stage.acceptStage(),
    raiseHand: (up: boolean) => this.alive() && this.stage.raiseHand(up),
    /** Host or cohost: lowers every raised hand (false when none is up). */
    lowerAllHands: () => this.alive() && this.stage.lowerAllHands(),
    /** Shows a reaction at once and sends it with this half-second's others (features/reactions.ts); false if dropped. */
    react: (code: ReactionCode) => this.alive() && this.reactions.react(code),
    /** Sends a voice message: shown at once, then uploaded and posted (features/voice.ts). */
    sendVoice: (recording: Recording) => this.alive() && (this.voice.send(recording), true),
    /** Sends a failed voice message again, if what failed was not the recording itself. */
    retryVoice: (cid: string) => this.alive() && this.voice.retry(cid),
    /** Removes a failed voice message from the chat. */
    discardVoice: (cid: string) => this.alive() && this.voice.discard(cid),
    /** Offers files peer to peer to one person, or (null) to everyone we have a connection with (features/files.ts). */
    sendFiles: (files: readonly File[], to: string | null) => this.alive() && this.files.sendFiles(files, to),
    /** Says yes to a file offered to us (IncomingFile.transfer): it is received and stored. */
    acceptFile: (transfer: string) => this.alive() && this.files.accept(transfer),
    declineFile: (transfer: string) => this.alive() && this.files.decline(transfer),
    /** Stops a file: one we send (OutgoingFile.id: to everyone, or to `peerId` only) or one we receive (its transfer). */
    cancelFile: (id: string, peerId?: string) => this.alive() && this.files.cancel(id, peerId),
    /** Removes a file that has ended from the list, and frees what it stored. */
    dismissFile: (id: string) => this.alive() && this.files.dismiss(id),
    /** Announces a recording to everyone, then records on this device (features/recording.ts); call it from the click's handler. */
    startRecording: (kind: RecordingKind, sources: RecorderSources, options?: { pickFile?: boolean }) => this.alive() && this.recording.start(kind, sources, options),
    /** Stops our recording: its file is offered through onRecordingSaved. */
    stopRecording: () => this.alive() && this.recording.stop(),
    dismissRecordingNotice: () => this.alive() && (this.recording.dismissNotice(), true),
    /** A participant's tile is drawn this big (device pixels): on the SFU, the layer pulled of its camera follows. */
    // Not refused after leaving: a tile that unmounts after the session is gone still reports.
    videoSize: (peerId: string, width: number, height: number) => !this.destroyed && (this.transportFeature.videoSize(peerId, width, height), true),
    /** The person compared a changed safety code with this peer again: the warning goes (features/safety.ts). */
    dismissSafety: (peerId: string) => this.alive() && this.safety.dismiss(peerId),
  };

  /** What this page publishes on the SFU, as last announced (null on the mesh): for tests and diagnostics. */
  get sfuPublication(): SfuPublication | null {
    return this.transportFeature.ownPublication;
  }

  /** Leaves the room: every connection, listener and timer is closed. Media stays with its owner. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    for (const off of this.unsubscribe) off();
    this.release();
    this.signaling.destroy();
    this.update({ status: "closed", participants: [] });
    this.removeAllListeners();
  }

  /** Stops every feature and closes the transport (each of them only once). */
  private release() {
    if (this.released) return;
    this.released = true;
    this.comeback?.dispose();
    this.wakeLock?.dispose();
    this.ice.dispose();
    this.chat.dispose();
    this.voice.dispose();
    this.mediaState.dispose();
    this.stage.dispose();
    this.files.dispose();
    this.presence.dispose();
    this.reactions.dispose();
    // Before the socket closes: the room hears our recording stop (its file is still offered).
    this.recording.dispose();
    this.safety.dispose();
    this.transportFeature.dispose();
    this.roster.dispose();
    this.transport.close();
  }

  /**
   * Back in front (phone/comeback.ts): tracks the phone ended in the background open again, a
   * socket waiting out its backoff connects now, and connections that dropped meanwhile restart.
   */
  private pickUp() {
    if (this.released) return;
    this.options.media.restartEnded?.().catch(() => {});
    this.signaling.resume?.();
    this.ice.networkChanged(false);
  }

  /** The network came back, or is another one (`moved`): the socket and the connections follow at once. */
  private networkChanged(moved: boolean) {
    if (this.released) return;
    this.signaling.resume?.(moved);
    this.ice.networkChanged(moved);
  }

  /** Which feature handles which server frame. */
  private serverHandlers(): ServerHandlers {
    const { roster, chat, voice, mediaState, ice, entry, accessFeature: access, stage, files, reactions, recording, transportFeature: transport } = this;
    const handlers: ServerHandlers = {
      welcome: (msg) => this.onWelcome(msg),
      "peer-joined": (msg) => {
        roster.add(msg.peer);
        // Out of the crowd (protocol/features/crowd.ts): it was here all along.
        if (!msg.crowd) chat.note("joined", msg.peer.name);
      },
      "peer-left": (msg) => {
        const gone = roster.remove(msg.id);
        stage.peerLeft(msg.id);
        files.peerLeft(msg.id);
        this.presence.peerLeft(msg.id);
        this.transportFeature.peerLeft(msg.id);
        // Into the crowd: out of sight, still here.
        if (gone && !msg.crowd) chat.note("left", gone.name);
      },
      "peer-presence": (msg) => roster.presence(msg.id, msg.away),
      "peer-renamed": (msg) => roster.patch(msg.id, { name: msg.name }),
      "peer-media": (msg) => mediaState.peerMedia(msg),
      // A file's channel is the files feature's; everything else is the peer connection's.
      signal: ({ from, data }) => (data.kind === "file" ? files.signal(from, data) : roster.signal(from, data)),
      // Files through the room's bucket, on the SFU.
      "file-offer": (msg) => files.relayOffer(msg),
      "file-upload": (msg) => files.relayUpload(msg),
      "file-ready": (msg) => files.relayReady(msg),
      "file-end": (msg) => files.relayEnded(msg),
      chat: (msg) => chat.receive([msg.message]),
      history: (msg) => chat.history(msg),
      "voice-upload": (msg) => voice.reply(msg),
      ice: (msg) => ice.apply(msg.ice),
      lobby: (msg) => entry.lobby(msg),
      denied: (msg) => entry.denied(msg),
      knock: (msg) => access.knock(msg),
      "knock-gone": (msg) => access.knockGone(msg),
      access: (msg) => {
        access.access(msg);
        recording.access(msg.access);
      },
      "peer-role": (msg) => access.peerRole(msg),
      "mute-request": (msg) => access.muteRequest(msg),
      stage: (msg) => stage.stage(msg),
      "peer-seat": (msg) => stage.peerSeat(msg),
      audience: (msg) => stage.audienceCount(msg),
      reaction: (msg) => reactions.receive(msg),
      "peer-recording": (msg) => recording.peerRecording(msg),
      transport: (msg) => transport.transport(msg),
      "peer-sfu": (msg) => transport.peerSfu(msg),
      // A large room's batch of roster changes: each as if it had come alone, in order.
      roster: (msg) => {
        for (const frame of msg.frames) (handlers[frame.type] as (m: typeof frame) => void)(frame);
      },
      error: (msg) => {
        // Errors about our own frames: each feature acts on its own codes; the rest are diagnostics.
        log({ event: "signaling", status: "error", detail: `${msg.code}: ${msg.message}` });
        ice.error(msg.code);
        chat.error(msg.code);
        voice.error(msg.code);
        entry.error(msg.code, msg.message);
        access.error(msg.code);
        reactions.error(msg.code);
        recording.error(msg.code);
      },
    };
    return handlers;
  }

  private onWelcome(msg: Extract<ServerMessage, { type: "welcome" }>) {
    const rejoin = this.self !== null;
    if (!msg.resumed) {
      // A new identity: to the others we left, and every transfer with them is over.
      if (rejoin) this.files.reset();
      this.roster.clear();
    }
    this.self = { id: msg.you.id, joined: msg.you.joined, token: msg.resumeToken };
    this.roster.setSelf({ id: msg.you.id, joined: msg.you.joined });
    // Our seat before any peer: the links made for them follow it from their first offer.
    this.stage.welcome(msg);
    // The transport in force before any peer too, so that an SFU room's peers go to the SFU
    // transport and are not first connected to on the mesh.
    this.transportFeature.welcome(msg);
    this.update({ selfId: msg.you.id, selfJoined: msg.you.joined, settings: msg.settings, reconnects: this.stateValue.reconnects + (rejoin ? 1 : 0) });
    this.ice.apply(msg.ice);
    this.entry.welcome();
    this.accessFeature.welcome(msg);
    // Whoever left while we were away is dropped without a peer-left of its own.
    const present = new Set(msg.peers.map((p) => p.id));
    for (const p of this.roster.participants) if (!present.has(p.id)) this.files.peerLeft(p.id);
    this.roster.welcome(msg.peers);
    // After the roster: an offer we missed needs its sender there.
    if (msg.resumed) this.files.relayResumed(msg.files);
    this.chat.welcome(msg);
    this.voice.welcome(msg);
    this.presence.welcome(msg.you.id, msg.peers.map((p) => p.id));
    this.reactions.welcome(msg);
    // After the roster: it patches the participants' recordings, and reconciles ours with the room's word.
    this.recording.welcome(msg);
    // A resume's first frame tells the room we hold the new token, so the one we presented
    // stops working at once (docs/protocol.md, Reconnecting); our media state is a harmless one.
    if (msg.resumed) this.mediaState.announce();
  }

  private update(patch: Partial<SessionState>) {
    if (this.destroyed && patch.status !== "closed") return;
    this.stateValue = { ...this.stateValue, ...patch };
    this.emit("change", this.stateValue);
  }

  private assertAlive() {
    if (this.destroyed) throw new Error("RoomSession used after destroy");
  }

  private alive(): true {
    this.assertAlive();
    return true;
  }
}
