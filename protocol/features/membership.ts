// Membership: joining (or resuming a seat), the roster, presence and leaving. A join answers
// with a welcome that carries everything a member needs: who is here, the chat tail, the room's
// settings and ICE credentials.

import { LIMITS } from "../limits";
import {
  bad,
  wellFormed,
  charCount,
  type ClientValidators,
  fail,
  isBool,
  isIntIn,
  isObj,
  isPeerId,
  isSeq,
  isString,
  isTime,
  listOf,
  ok,
  type ServerValidators,
} from "../wire";
import { type AccessState, accessState, DEVICE_ID, HOST_KEY, type Knock, knock, PASSCODE_MAX_CHARS, type Role, isRole } from "./access";
import { type ChatMessage, chatMessage } from "./chat";
import { type IceConfig, iceConfig } from "./ice";
import { type RelaySnapshot, relaySnapshot } from "./file-relay";
import { type MediaState, mediaState } from "./media";
import { type ReactionBatch, recentBatches } from "./reactions";
import { isAudienceCount } from "./crowd";
import { type RecordingInfo, recordingField } from "./recording";
import { isSeat, type Seat, type StageState, stageState } from "./stage";
import { type SfuPublication, sfuField, type TransportState, transportState } from "./transport";

export const PROTOCOL_VERSION = 1;

export interface PeerInfo {
  id: string;
  name: string;
  media: MediaState;
  /** Join order (server time, ms). Between two peers, the later joiner makes the first offer. */
  joined: number;
  /** Lost its socket and may come back (resume) within the room's grace period. */
  away: boolean;
  /** What it may do beyond a member (features/access.ts). */
  role: Role;
  /** On a stage, whether it publishes ("speaker") or watches ("viewer"); always "speaker" in a meeting (features/stage.ts). */
  seat: Seat;
  /** Recording the call on its device right now, or null (features/recording.ts). Stays while it is away. */
  recording: RecordingInfo | null;
  /** Its published SFU tracks, or null (features/transport.ts). Stays while it is away. */
  sfu: SfuPublication | null;
}

/**
 * The room's settings, each with the range a client accepts: a broken or hostile server must
 * not be able to make a client ping in a tight loop (`heartbeatMs: 0`) or drop every frame. The
 * one table the type, the check and the list of keys come from.
 */
export const SETTINGS_RANGES = {
  /** The meeting's cap in force: with an SFU `sfuMeetingMax`, otherwise the mesh's (ROOM_CAPACITY). */
  capacity: [1, 1000],
  maxFrameBytes: [1024, 32 * 1024 * 1024],
  nameMaxChars: [1, LIMITS.nameMaxChars],
  chatMaxChars: [1, LIMITS.chatMaxChars],
  /** How often the client should send HEARTBEAT_PING, in milliseconds. */
  heartbeatMs: [1000, 10 * 60_000],
  /** What each member's whole upload (every copy of its media in the mesh) should stay under. */
  uploadBudgetKbps: [50, 100_000],
  /** How many viewers a stage takes (features/stage.ts); past it a join gets "stage-full". */
  stageViewers: [0, 1000],
  /** A meeting past this many members (present or away) goes to the SFU, where there is one (features/transport.ts). */
  meshMax: [2, 50],
  /** A stage past this many viewers goes to the SFU, where there is one: the mesh's viewer limit (STAGE_VIEWERS). */
  meshViewers: [0, 1000],
  /** The meeting's cap with an SFU (SFU_MEETING_MAX), whether or not this deployment has one. */
  sfuMeetingMax: [2, 1000],
} as const satisfies Record<string, readonly [number, number]>;

/** The upload budget a room announces unless its deployment sets another (UPLOAD_BUDGET_KBPS). */
export const DEFAULT_UPLOAD_BUDGET_KBPS = 2500;

export type RoomSettings = { -readonly [K in keyof typeof SETTINGS_RANGES]: number };
const SETTINGS_KEYS = Object.keys(SETTINGS_RANGES) as Array<keyof typeof SETTINGS_RANGES>;

export type MembershipClientMessage =
  | {
      type: "join";
      /** Must equal PROTOCOL_VERSION. */
      v: number;
      name: string;
      media: MediaState;
      /** If set, `welcome.chat` holds the messages after this sequence number instead of the tail. */
      since?: number;
      /** Come back as this peer (same id) after a dropped socket, with the token from its welcome. */
      resume?: { id: string; token: string };
      /** The room's host key (from `POST /api/rooms`, or a host link's `#host=`): joins as host, past lobby, lock and passcode. */
      hostKey?: string;
      /** The room's passcode, when it has one. */
      passcode?: string;
      /** This browser's lobby id (random, kept in localStorage): what a host's denials are counted against. */
      device?: string;
    }
  | { type: "leave" };

export type MembershipServerMessage =
  | {
      type: "welcome";
      v: number;
      you: PeerInfo;
      peers: PeerInfo[];
      /** The tail of the chat history, or the messages after `join.since`, oldest first. */
      chat: ChatMessage[];
      /** The newest sequence number in the room (0 when there is none). */
      lastSeq: number;
      settings: RoomSettings;
      ice: IceConfig;
      /** Present it in `join.resume` to come back as the same peer after a dropped socket. */
      resumeToken: string;
      /** This join resumed an earlier session: same id, and the others saw no leave. */
      resumed: boolean;
      access: AccessState;
      /** The lobby's queue, oldest first: to hosts, cohosts and temp-hosts only (empty for others). */
      knocks: Knock[];
      /** Meeting or stage, and the raised hands (features/stage.ts). */
      stage: StageState;
      /**
       * This member's capability for the room's voice messages (features/voice.ts): `?m=<it>` on
       * their URLs. Random; it stops working when the member leaves.
       */
      mediaToken: string;
      /**
       * The reactions of the last REACTION_RECENT_MS, oldest first (features/reactions.ts), so
       * that a late joiner sees the applause it walked into; at most REACTION_RECENT_MAX.
       */
      reactions: ReactionBatch[];
      /** Mesh or SFU, now, and whether the deployment has an SFU (features/transport.ts). */
      transport: TransportState;
      /**
       * This member's files relayed through the room (features/file-relay.ts): where each open
       * one stands and the ends it may have missed, so that a resume loses none of their frames.
       * Empty for a fresh join.
       */
      files: RelaySnapshot;
      /** How many are in the crowd (features/crowd.ts): the viewers `peers` leaves out, this member too if it is one. */
      audience: number;
    }
  /**
   * A peer joined; or, with `crowd: true`, came into this member's sight out of the crowd
   * (features/crowd.ts): it was there all along, so the client does not announce an arrival.
   */
  | { type: "peer-joined"; peer: PeerInfo; crowd?: true }
  /**
   * A peer left the room; or, with `crowd: true`, went out of this member's sight into the crowd
   * (features/crowd.ts): the client drops it without announcing a leave.
   */
  | { type: "peer-left"; id: string; crowd?: true }
  /** A peer lost its socket (away) or came back (not away) within the grace period. */
  | { type: "peer-presence"; id: string; away: boolean }
  /** A peer took its seat back under another name (a resume after a reload, say). */
  | { type: "peer-renamed"; id: string; name: string };

export const MEMBERSHIP_ERRORS = [
  "bad-version",
  "name-too-long",
  /** A frame that needs a member came from a socket that has not joined. */
  "not-joined",
  "already-joined",
  "room-full",
  /** A member sent a frame that only a host may send; nothing changed. */
  "forbidden",
] as const;

/**
 * Characters a name may not carry, because they hide or disguise what a person reads: C0 and C1
 * controls, line and paragraph separators, bidi embeddings, overrides and isolates (they can
 * reorder the text around a name), zero-width characters that make "G1\u200b" look like "G1",
 * and the blank "letters" that render as nothing (Hangul fillers, the blank Braille pattern).
 */
const HIDDEN = /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u115f\u1160\u180e\u200b\u200c\u200e\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\u2800\u3164\ufeff\uffa0]/g;
/** ZWJ (U+200D) joins emoji sequences (👩‍💻) and stays there; anywhere else it only hides. */
const STRAY_ZWJ = /\u200d(?!\p{Extended_Pictographic})/gu;

/** A display name as others will see it: well-formed, NFC, hidden characters removed, trimmed. */
export function cleanName(raw: string): string {
  return wellFormed(raw).normalize("NFC").replace(HIDDEN, "").replace(STRAY_ZWJ, "").trim();
}

const RESUME_TOKEN_MAX = 64;

function resume(v: unknown): { id: string; token: string } | null {
  if (!isObj(v) || !isPeerId(v.id) || !isString(v.token) || v.token.length > RESUME_TOKEN_MAX) return null;
  return { id: v.id, token: v.token };
}

export const membershipClient: ClientValidators<MembershipClientMessage, (typeof MEMBERSHIP_ERRORS)[number]> = {
  join: (v) => {
    if (typeof v.v !== "number") return bad("join", "`v` must be a number");
    if (v.v !== PROTOCOL_VERSION) return fail("bad-version", `protocol version ${PROTOCOL_VERSION} is required`);
    if (!isString(v.name)) return bad("join", "`name` must be a string");
    const name = cleanName(v.name);
    if (name.length === 0) return bad("join", "`name` must not be empty");
    if (charCount(name) > LIMITS.nameMaxChars) return fail("name-too-long", `name is longer than ${LIMITS.nameMaxChars} characters`);
    const media = mediaState(v.media);
    if (!media) return bad("join", "`media` must be {mic, cam, screen} booleans");
    const since = v.since;
    if (since !== undefined && !isSeq(since)) return bad("join", "`since` must be a non-negative integer");
    const r = v.resume === undefined ? undefined : resume(v.resume);
    if (r === null) return bad("join", "`resume` must be {id, token}");
    const { hostKey, passcode, device } = v;
    if (hostKey !== undefined && !(isString(hostKey) && HOST_KEY.test(hostKey))) return bad("join", "`hostKey` must be 22 base64url characters");
    if (passcode !== undefined && !(isString(passcode) && passcode.length > 0 && [...passcode].length <= PASSCODE_MAX_CHARS)) {
      return bad("join", `\`passcode\` must be 1–${PASSCODE_MAX_CHARS} characters`);
    }
    if (device !== undefined && !(isString(device) && DEVICE_ID.test(device))) return bad("join", "`device` must be 16–64 base64url characters");
    return ok({
      type: "join",
      v: v.v,
      name,
      media,
      ...(since !== undefined ? { since } : {}),
      ...(r ? { resume: r } : {}),
      ...(hostKey !== undefined ? { hostKey } : {}),
      ...(passcode !== undefined ? { passcode } : {}),
      ...(device !== undefined ? { device } : {}),
    });
  },
  leave: () => ok({ type: "leave" }),
};

export function peerInfo(v: unknown): PeerInfo | null {
  if (!isObj(v) || !isPeerId(v.id) || !isString(v.name) || !isTime(v.joined) || !isBool(v.away) || !isRole(v.role) || !isSeat(v.seat)) return null;
  const media = mediaState(v.media);
  const recording = recordingField(v.recording);
  const sfu = sfuField(v.sfu);
  if (!media || recording === undefined || sfu === undefined) return null;
  return { id: v.id, name: v.name, media, joined: v.joined, away: v.away, role: v.role, seat: v.seat, recording, sfu };
}

export function roomSettings(v: unknown): RoomSettings | null {
  if (!isObj(v)) return null;
  const out: Partial<RoomSettings> = {};
  for (const key of SETTINGS_KEYS) {
    const value = v[key];
    const [min, max] = SETTINGS_RANGES[key];
    if (!isIntIn(value, min, max)) return null;
    out[key] = value;
  }
  return isComplete(out) ? out : null;
}

const isComplete = (s: Partial<RoomSettings>): s is RoomSettings => SETTINGS_KEYS.every((k) => s[k] !== undefined);

export const membershipServer: ServerValidators<MembershipServerMessage> = {
  welcome: (v) => {
    const you = peerInfo(v.you);
    const peers = listOf(v.peers, peerInfo);
    const chat = listOf(v.chat, chatMessage);
    const settings = roomSettings(v.settings);
    const ice = iceConfig(v.ice);
    const access = accessState(v.access);
    const knocks = listOf(v.knocks, knock);
    const stage = stageState(v.stage);
    const reactions = recentBatches(v.reactions);
    const transport = transportState(v.transport);
    const files = relaySnapshot(v.files);
    if (!you || !peers || !chat || !settings || !ice || !access || !knocks || !stage || !reactions || !transport || !files || typeof v.v !== "number" || !isSeq(v.lastSeq)) return null;
    if (!isAudienceCount(v.audience)) return null;
    if (!isString(v.resumeToken) || !isBool(v.resumed) || !isString(v.mediaToken) || v.mediaToken.length > 64) return null;
    return {
      type: "welcome", v: v.v, you, peers, chat, lastSeq: v.lastSeq, settings, ice, resumeToken: v.resumeToken, resumed: v.resumed, access, knocks, stage,
      mediaToken: v.mediaToken, reactions, transport, files, audience: v.audience,
    };
  },
  "peer-joined": (v) => {
    const peer = peerInfo(v.peer);
    if (!peer || (v.crowd !== undefined && v.crowd !== true)) return null;
    return v.crowd ? { type: "peer-joined", peer, crowd: true } : { type: "peer-joined", peer };
  },
  "peer-left": (v) => {
    if (!isPeerId(v.id) || (v.crowd !== undefined && v.crowd !== true)) return null;
    return v.crowd ? { type: "peer-left", id: v.id, crowd: true } : { type: "peer-left", id: v.id };
  },
  "peer-presence": (v) => (isPeerId(v.id) && isBool(v.away) ? { type: "peer-presence", id: v.id, away: v.away } : null),
  "peer-renamed": (v) => (isPeerId(v.id) && isString(v.name) ? { type: "peer-renamed", id: v.id, name: v.name } : null),
};
