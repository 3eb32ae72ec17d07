// The one snapshot of a joined room that the UI renders. Each part is owned by one unit: the
// roster owns `participants`, the chat feature `chat`, the voice feature `mediaToken`, the ICE feature `ice` and `turnRejected`,
// the entry feature `entry`, the access feature `role`, `access`, `knocks`, `muteRequest` and
// `accessNotice`, the stage feature `stage`, the files feature `files`, the presence feature `presence`, the
// reactions feature `reactions`, the recording feature `recording` (and the participants' `recording`
// fields, through the roster), the safety feature `safety`, the transport feature `transport`, the session the rest.

import type { AccessState, ErrorCode, IceConfig, Knock, Mode, PeerInfo, Role, RoomSettings, Seat } from "../../../../protocol/protocol";
import type { AccessNotice, MuteRequest } from "../features/access";
import type { ChatItem } from "../features/chat-state";
import type { Entry } from "../features/entry";
import { type FilesView, NO_FILES } from "../features/files-view";
import { NO_PRESENCE, type PresenceView, type ReactionItem } from "../features/presence-view";
import { NO_RECORDING, type RecordingView } from "../features/recording";
import { NO_SAFETY, type PeerSafety, type SafetyView } from "../features/safety";
import { MESH_ONLY, type TransportView } from "../features/transport";
import type { SignalingStatus } from "../signaling/signaling-client";
import type { PeerState } from "./transport";

export type { AccessNotice, ChatItem, Entry, FilesView, MuteRequest, PeerSafety, PeerState, PresenceView, ReactionItem, RecordingView, SafetyView, TransportView };

export interface Participant extends PeerInfo {
  connection: PeerState;
  camera: MediaStream | null;
  screen: MediaStream | null;
}

export type SessionStatus = SignalingStatus | "refused";

/** The room's mode and this member's place on a stage (features/stage.ts owns it). */
export interface StageView {
  mode: Mode;
  /** Our seat: "speaker" publishes, "viewer" watches; always "speaker" in a meeting. */
  seat: Seat;
  /** Raised hands, oldest first (peer ids; ours included). */
  hands: readonly string[];
  /** When the room became a stage (ms since the epoch, on this device's clock); null in a meeting. */
  liveSince: number | null;
  /** Speakers that send us their audio and screen but no camera video: their stage is full (their `tier` signal). */
  videoOffFrom: readonly string[];
  /** A host moved us onto the stage: our camera and mic wait for our yes (acceptStage) or no (leaveStage). */
  invited: boolean;
  /**
   * How many are in the crowd (protocol/features/crowd.ts): on a big stage, viewers that a plain
   * viewer's roster does not list. engine/features/crowd-count.ts says how many are unlisted.
   */
  audience: number;
}

export interface SessionState {
  status: SessionStatus;
  /**
   * Why the room closed our socket for good: the close code and reason, and the error frame that
   * came right before it, if one did (4409 is "room-full" or, on a stage, "stage-full").
   */
  refusal: { code: number; reason: string; error: ErrorCode | null; limit: number | null } | null;
  selfId: string | null;
  /** When we joined (the room's clock): with the others' join times, it settles who is "Aigul (2)". */
  selfJoined: number | null;
  participants: Participant[];
  chat: readonly ChatItem[];
  /** This member's capability for playing the room's voice messages (voice/urls.ts); null before the welcome. */
  mediaToken: string | null;
  settings: RoomSettings | null;
  /** STUN/TURN servers from the room, and whether a relay is on offer. */
  ice: IceConfig | null;
  /** The TURN server refused our credentials and no relay candidate could be gathered. */
  turnRejected: boolean;
  /** Only relayed connections are allowed (the user chose to hide their IP address). */
  relayOnly: boolean;
  /** How many times the signaling socket came back (resumed or not). */
  reconnects: number;
  /** Where this device stands on its way in: joining, the passcode, the lobby, or in. */
  entry: Entry;
  /** This member's role (the others' are on their participants). */
  role: Role;
  /** Lobby, lock and passcode, as the room last said (null before the welcome). */
  access: AccessState | null;
  /** The lobby's queue, oldest first, for those who may admit (empty for the others). */
  knocks: readonly Knock[];
  /** The last host's request to mute, until dismissed. */
  muteRequest: MuteRequest | null;
  /** What a host action came back with, until dismissed. */
  accessNotice: AccessNotice | null;
  /** Meeting or stage, our seat, the hands. */
  stage: StageView;
  /** Files we send and files offered to us, peer to peer. */
  files: FilesView;
  /** Who is speaking, the active speaker, each connection's quality (features/presence.ts). */
  presence: PresenceView;
  /** Reactions on screen now, oldest first (features/reactions.ts). */
  reactions: readonly ReactionItem[];
  /** Our own recording: as the room knows it, our recorder, and why it stopped (features/recording.ts). */
  recording: RecordingView;
  /** Safety codes: each connected peer's, and the room's (features/safety.ts). */
  safety: SafetyView;
  /** How media travels now, mesh or SFU, and whether the deployment has an SFU (features/transport.ts). */
  transport: TransportView;
}

export function initialState(relayOnly: boolean): SessionState {
  return {
    status: "connecting",
    refusal: null,
    selfId: null,
    selfJoined: null,
    participants: [],
    chat: [],
    mediaToken: null,
    settings: null,
    ice: null,
    turnRejected: false,
    relayOnly,
    reconnects: 0,
    entry: { stage: "joining" },
    role: "member",
    access: null,
    knocks: [],
    muteRequest: null,
    accessNotice: null,
    stage: { mode: "meeting", seat: "speaker", hands: [], liveSince: null, videoOffFrom: [], invited: false, audience: 0 },
    files: NO_FILES,
    presence: NO_PRESENCE,
    reactions: [],
    recording: NO_RECORDING,
    safety: NO_SAFETY,
    transport: MESH_ONLY,
  };
}

/** How a feature changes the snapshot: only the parts it owns. */
export type StateUpdate<K extends keyof SessionState> = (patch: Partial<Pick<SessionState, K>>) => void;
