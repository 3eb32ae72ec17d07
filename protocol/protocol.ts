// The roomlink wire protocol: every frame the room socket carries, in both directions.
//
// This module is shared by the Worker (worker/) and the web app (web/) and imports nothing from
// outside protocol/, so that both sides compile against one contract. Each feature declares its
// frames, value types, error codes and validators in its own file under features/; this file
// only assembles them. Adding a frame type means editing that feature's file; the tables below
// then refuse to compile until it has a validator, and the room and the client refuse to compile
// until they have a handler for it.
//
// Frames are JSON text; the only exception is the heartbeat, the bare strings HEARTBEAT_PING /
// HEARTBEAT_PONG, which the runtime answers by itself (setWebSocketAutoResponse) without waking
// the room. docs/protocol.md documents it for authors of other clients; keep the two in step.

import { ACCESS_ERRORS, type AccessClientMessage, type AccessServerMessage, accessClient, accessServer } from "./features/access";
import { CHAT_ERRORS, type ChatClientMessage, type ChatServerMessage, chatClient, chatServer } from "./features/chat";
import { ICE_ERRORS, type IceClientMessage, type IceServerMessage, iceClient, iceServer } from "./features/ice";
import { MEDIA_ERRORS, type MediaClientMessage, type MediaServerMessage, mediaClient, mediaServer } from "./features/media";
import {
  MEMBERSHIP_ERRORS,
  type MembershipClientMessage,
  type MembershipServerMessage,
  membershipClient,
  membershipServer,
} from "./features/membership";
import {
  FILE_RELAY_ERRORS,
  type FileRelayClientMessage,
  type FileRelayServerMessage,
  fileRelayClient,
  fileRelayServer,
} from "./features/file-relay";
import { VOICE_ERRORS, type VoiceClientMessage, type VoiceServerMessage, voiceClient, voiceServer } from "./features/voice";
import {
  REACTION_ERRORS,
  type ReactionsClientMessage,
  type ReactionsServerMessage,
  reactionsClient,
  reactionsServer,
} from "./features/reactions";
import {
  RECORDING_ERRORS,
  type RecordingClientMessage,
  type RecordingServerMessage,
  recordingClient,
  recordingServer,
} from "./features/recording";
import { type RosterBatchServerMessage, rosterBatchServer } from "./features/roster-batch";
import { type CrowdServerMessage, crowdServer } from "./features/crowd";
import {
  TRANSPORT_ERRORS,
  type TransportClientMessage,
  type TransportServerMessage,
  transportClient,
  transportServer,
} from "./features/transport";
import { STAGE_ERRORS, type StageClientMessage, type StageServerMessage, stageClient, stageServer } from "./features/stage";
import { SIGNAL_ERRORS, type SignalClientMessage, type SignalServerMessage, signalClient, signalServer } from "./features/signal";
import { LIMITS } from "./limits";
import {
  type ClientValidators,
  exceedsBytes,
  FRAME_ERRORS,
  fail,
  isIntIn,
  isObj,
  isOneOf,
  isString,
  type Parsed as ParsedOf,
  type ProtocolError as ProtocolErrorOf,
  type ServerValidators,
} from "./wire";

export type { AccessState, Knock, Role } from "./features/access";
export type { PowerLevel } from "./features/access";
export { DEVICE_ID, GRANTS, holds, HOST_KEY, isRole, PASSCODE_MAX_CHARS, ROLES } from "./features/access";
export type { ChatMessage } from "./features/chat";
export type { IceConfig, IceServer } from "./features/ice";
export { parseIceServer } from "./features/ice";
export type { MediaState } from "./features/media";
export type { PeerInfo, RoomSettings } from "./features/membership";
export { cleanName, DEFAULT_UPLOAD_BUDGET_KBPS, PROTOCOL_VERSION, SETTINGS_RANGES } from "./features/membership";
export type { DescriptionType, LinkSignal, SignalData } from "./features/signal";
export type { Mode, Seat, StageState } from "./features/stage";
export { isMode, isSeat, MAX_SPEAKERS, MODES, SEATS } from "./features/stage";
export type { ReactionBatch, ReactionCode } from "./features/reactions";
export {
  isReactionCode,
  MAX_REACTIONS_PER_FRAME,
  REACTION_BATCH_MS,
  REACTION_RATE,
  REACTION_RECENT_MAX,
  REACTION_RECENT_MS,
  REACTIONS,
} from "./features/reactions";
export type { RecordingInfo, RecordingKind } from "./features/recording";
export { isRecordingKind, RECORDING_KINDS } from "./features/recording";
export type { SfuPublication, SfuTrack, SfuTrackRole, TransportKind, TransportState } from "./features/transport";
export {
  isTransportKind,
  MESH_BACK_MEMBERS,
  MESH_BACK_VIEWERS,
  SFU_RIDS_MAX,
  SFU_TRACK_ROLES,
  SFU_TRACKS_MAX,
  sfuPublication,
  TRANSPORT_SWITCH_MIN_MS,
  TRANSPORTS,
} from "./features/transport";
export type { RosterBatchType, RosterFrame } from "./features/roster-batch";
export type { CrowdTraits } from "./features/crowd";
export { AUDIENCE_EVERY_MS, AUDIENCE_MAX, inCrowd } from "./features/crowd";
export { isRosterBatchType, ROSTER_BATCH_MAX, ROSTER_BATCH_MIN, ROSTER_BATCH_MS, ROSTER_BATCH_TYPES } from "./features/roster-batch";
export type { VoiceRef, VoiceType } from "./features/voice";
export { isVoiceType, VOICE_KEY, VOICE_MAX_BYTES, VOICE_MAX_MS, VOICE_TYPES, VOICE_UPLOAD_TTL_MS } from "./features/voice";
export { FILE_CHANNEL_MAX, TRANSFER_ID } from "./features/files";
export type { FileSignal } from "./features/files";
export type { RelayClientEnd, RelayEnd, RelayHeld, RelayOffer, RelaySnapshot } from "./features/file-relay";
export { FILE_ID, FILE_KEY, FILE_RELAY_ENDS_KEPT, FILE_RELAY_MAX_BYTES, FILE_RELAY_OPEN_FROM_ONE, FILE_RELAY_OPEN_TO_ONE, isFileName, isFileType, NO_RELAYS, RELAY_CLIENT_ENDS, RELAY_ENDS, relaySnapshot } from "./features/file-relay";
export { LIMITS } from "./limits";
export { charCount, exceedsBytes, wellFormed } from "./wire";

/** A room id: 128 random bits in base64url, as in `/api/rooms/<id>/ws` and the `/r/<id>` links. */
export const ROOM_ID_PATTERN = /^[A-Za-z0-9_-]{22}$/;

export const HEARTBEAT_PING = "ping";
export const HEARTBEAT_PONG = "pong";
/** The heartbeat interval until `welcome.settings.heartbeatMs` says otherwise (a socket not yet joined). */
export const DEFAULT_HEARTBEAT_MS = 5_000;

// ---------------------------------------------------------------------------------------------
// The unions, one member per feature.

export type ClientMessage =
  | MembershipClientMessage
  | SignalClientMessage
  | MediaClientMessage
  | ChatClientMessage
  | IceClientMessage
  | AccessClientMessage
  | StageClientMessage
  | VoiceClientMessage
  | ReactionsClientMessage
  | RecordingClientMessage
  | TransportClientMessage
  | FileRelayClientMessage;

export type ServerMessage =
  | MembershipServerMessage
  | SignalServerMessage
  | MediaServerMessage
  | ChatServerMessage
  | IceServerMessage
  | AccessServerMessage
  | StageServerMessage
  | VoiceServerMessage
  | ReactionsServerMessage
  | RecordingServerMessage
  | TransportServerMessage
  | RosterBatchServerMessage
  | CrowdServerMessage
  | FileRelayServerMessage
  | ErrorFrame;

/**
 * Why a frame was refused. `limit`: the cap that was reached, where one was (a full room's
 * people, a full stage's viewers), so that the refusal screen can say it in the reader's words.
 */
export interface ErrorFrame {
  type: "error";
  code: ErrorCode;
  message: string;
  limit?: number;
}

export type ClientType = ClientMessage["type"];
export type ServerType = ServerMessage["type"];
/** The client frame of one type, e.g. `ClientOf<"join">`. */
export type ClientOf<K extends ClientType> = Extract<ClientMessage, { type: K }>;
/** The server frame of one type, e.g. `ServerOf<"welcome">`. */
export type ServerOf<K extends ServerType> = Extract<ServerMessage, { type: K }>;

/** Every error code, each meaning one thing; the one list the type and the client's check come from. */
export const ERROR_CODES = [...FRAME_ERRORS, ...MEMBERSHIP_ERRORS, ...SIGNAL_ERRORS, ...MEDIA_ERRORS, ...CHAT_ERRORS, ...ICE_ERRORS, ...ACCESS_ERRORS, ...STAGE_ERRORS, ...VOICE_ERRORS, ...REACTION_ERRORS, ...RECORDING_ERRORS, ...TRANSPORT_ERRORS, ...FILE_RELAY_ERRORS] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export type ProtocolError = ProtocolErrorOf<ErrorCode>;
export type Parsed<T> = ParsedOf<T, ErrorCode>;

/**
 * Close codes the room uses (4000–4999 are application codes; 1005/1006/1015 are never sent
 * because RFC 6455 §7.4.1 reserves them for the endpoint's own use).
 */
export const CloseCode = {
  /** The client said `leave`. */
  Left: 1000,
  /** Too many invalid frames; the reason names the last one. */
  ProtocolViolation: 4400,
  /** This id names no room: never created here, or deleted after standing empty past retention. */
  RoomGone: 4404,
  /** No heartbeat for too long: the socket is presumed dead. */
  HeartbeatTimeout: 4408,
  /** A host removed this member. Final: it gets back in only through the lobby (or the host key). */
  Removed: 4403,
  /** A host ended the meeting for everyone. Final. */
  Ended: 4405,
  /** This browser was denied twice in this room's lobby. An error frame "knock-blocked" precedes it. Final. */
  KnockBlocked: 4406,
  /** The room is at capacity. An error frame with code "room-full" (or, on a stage, "stage-full") precedes it. */
  RoomFull: 4409,
  /** The same peer resumed on a newer socket (another tab took the seat). Final: do not reconnect. */
  Replaced: 4410,
  /** The socket did not join within the room's deadline for sockets that have not joined (15 min). */
  JoinTimeout: 4412,
  /**
   * Too many sockets have opened the room without joining; the oldest of them is closed to make
   * room. Reconnect (with backoff) when ready to join.
   */
  TooManyWaiting: 4413,
  /** The room is locked: nobody new gets in. An error frame "room-locked" precedes it. Final. */
  Locked: 4423,
  /** The client speaks another protocol version. */
  BadVersion: 4426,
  /** The client kept sending after being throttled. */
  RateLimited: 4429,
} as const;
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];

// ---------------------------------------------------------------------------------------------
// Validation: unknown → typed message or typed error. The sender's identity never comes from a
// frame: the room stamps `from` itself.

const clientValidators: ClientValidators<ClientMessage, ErrorCode> = {
  ...membershipClient,
  ...signalClient,
  ...mediaClient,
  ...chatClient,
  ...iceClient,
  ...accessClient,
  ...stageClient,
  ...voiceClient,
  ...reactionsClient,
  ...recordingClient,
  ...transportClient,
  ...fileRelayClient,
};

const CLIENT_TYPES = Object.keys(clientValidators) as ClientType[];
const isClientType = (t: unknown): t is ClientType => isOneOf(CLIENT_TYPES, t);

/** Parses one frame from a client. `maxBytes` is the room's frame cap. */
export function parseClientMessage(frame: unknown, maxBytes: number = LIMITS.defaultMaxFrameBytes): Parsed<ClientMessage> {
  if (!isString(frame)) return fail("bad-message", "frames must be JSON text");
  if (exceedsBytes(frame, maxBytes)) return fail("too-large", `frame exceeds ${maxBytes} bytes`);
  let v: unknown;
  try {
    v = JSON.parse(frame);
  } catch {
    return fail("bad-json", "frame is not valid JSON");
  }
  if (!isObj(v) || !isString(v.type)) return fail("bad-message", "frame must be an object with a string `type`");
  if (!isClientType(v.type)) return fail("unknown-type", `unknown message type "${v.type.slice(0, 40)}"`);
  return validate(clientValidators, v.type, v);
}

// A validator looked up by its type's key returns that type's frame; TypeScript cannot follow a
// lookup by a union key, so this one generic step says it once for both tables.
function validate<K extends ClientType>(table: ClientValidators<ClientMessage, ErrorCode>, type: K, v: Record<string, unknown>): Parsed<ClientMessage> {
  return table[type](v);
}

// ---------------------------------------------------------------------------------------------
// Server frames, validated on the client with the same care: a client must not crash, or ping
// in a tight loop, on a frame from a newer or broken server.

const serverValidators: ServerValidators<ServerMessage> = {
  ...membershipServer,
  ...signalServer,
  ...mediaServer,
  ...chatServer,
  ...iceServer,
  ...accessServer,
  ...stageServer,
  ...voiceServer,
  ...reactionsServer,
  ...recordingServer,
  ...transportServer,
  ...rosterBatchServer,
  ...crowdServer,
  ...fileRelayServer,
  error: (v) => {
    if (!isOneOf(ERROR_CODES, v.code) || !isString(v.message)) return null;
    const frame: ErrorFrame = { type: "error", code: v.code, message: v.message };
    // A limit that is not a count (or none) is dropped, not the frame: the code still says what happened.
    return isIntIn(v.limit, 0, 1_000_000) ? { ...frame, limit: v.limit } : frame;
  },
};

const SERVER_TYPES = Object.keys(serverValidators) as ServerType[];
const isServerType = (t: unknown): t is ServerType => isOneOf(SERVER_TYPES, t);

/** Parses one frame from the room; null for anything it cannot read (heartbeat replies included). */
export function parseServerMessage(frame: unknown): ServerMessage | null {
  if (!isString(frame)) return null;
  let v: unknown;
  try {
    v = JSON.parse(frame);
  } catch {
    return null;
  }
  if (!isObj(v) || !isServerType(v.type)) return null;
  return readServer(serverValidators, v.type, v);
}

function readServer<K extends ServerType>(table: ServerValidators<ServerMessage>, type: K, v: Record<string, unknown>): ServerMessage | null {
  return table[type](v);
}

/** For exhaustive switches over the unions above. */
export function assertNever(x: never): never {
  throw new Error(`unexpected value: ${JSON.stringify(x)}`);
}
