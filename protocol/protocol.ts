// The roomlink wire protocol: every frame the room socket carries, in both directions.
//
// This module is shared by the Worker (worker/) and the web app (web/) and imports nothing,
// so that both sides compile against one contract. Frames are JSON text; the only exception
// is the heartbeat, the bare strings HEARTBEAT_PING / HEARTBEAT_PONG, which the runtime answers
// by itself (setWebSocketAutoResponse) without waking the room. docs/protocol.md documents it
// for authors of other clients; keep the two in step.

export const PROTOCOL_VERSION = 1;

/** A room id: 128 random bits in base64url, as in `/api/rooms/<id>/ws` and the `/r/<id>` links. */
export const ROOM_ID_PATTERN = /^[A-Za-z0-9_-]{22}$/;

export const HEARTBEAT_PING = "ping";
export const HEARTBEAT_PONG = "pong";
/** The heartbeat interval until `welcome.settings.heartbeatMs` says otherwise (a socket not yet joined). */
export const DEFAULT_HEARTBEAT_MS = 5_000;

/** Hard limits enforced by the room. The room may announce tighter ones in `welcome.settings`. */
export const LIMITS = {
  nameMaxChars: 64,
  chatMaxChars: 4000,
  /** Client message ids (`cid`) make chat sends idempotent across reconnects. */
  cidMaxChars: 64,
  peerIdMaxChars: 32,
  /** Messages per `history` reply (and in the `welcome` tail). */
  historyPage: 100,
  defaultMaxFrameBytes: 64 * 1024,
} as const;

// ---------------------------------------------------------------------------------------------
// Shared values

export interface MediaState {
  mic: boolean;
  cam: boolean;
  screen: boolean;
}

export interface PeerInfo {
  id: string;
  name: string;
  media: MediaState;
  /** Join order (server time, ms). Between two peers, the later joiner makes the first offer. */
  joined: number;
  /** Lost its socket and may come back (resume) within the room's grace period. */
  away: boolean;
}

export interface ChatMessage {
  /** Per-room, strictly increasing, never reused. */
  seq: number;
  /** Author's peer id. */
  from: string;
  /** Author's display name at the time of sending. */
  name: string;
  text: string;
  /** Server time, milliseconds since the Unix epoch. */
  ts: number;
  /** The author's client message id, echoed so the author can match its own sends. */
  cid: string;
}

/** What a peer connection needs to exchange; the room forwards it without looking inside. */
export type SignalData =
  | { kind: "description"; description: { type: "offer" | "answer" | "pranswer" | "rollback"; sdp: string } }
  | {
      kind: "candidate";
      /** null marks the end of candidates. */
      candidate: {
        candidate: string;
        sdpMid?: string | null;
        sdpMLineIndex?: number | null;
        usernameFragment?: string | null;
      } | null;
    }
  | {
      kind: "streams";
      /** Which of the sender's MediaStream ids carries its camera and mic, and which its screen. */
      camera: string | null;
      screen: string | null;
    };

export interface IceServer {
  urls: string[];
  username?: string;
  credential?: string;
}

/** How to reach the other members: STUN/TURN servers with short-lived credentials. */
export interface IceConfig {
  iceServers: IceServer[];
  /** When the TURN credentials stop working (ms since the epoch), or null when there are none. */
  expiresAt: number | null;
  /**
   * "available": TURN credentials are included; "none": this deployment has no TURN (STUN only);
   * "unavailable": TURN is configured but could not be reached, so STUN only for now.
   */
  relay: "available" | "none" | "unavailable";
}

export interface RoomSettings {
  capacity: number;
  maxFrameBytes: number;
  nameMaxChars: number;
  chatMaxChars: number;
  /** How often the client should send HEARTBEAT_PING, in milliseconds. */
  heartbeatMs: number;
  /** What each member's whole upload (every copy of its media in the mesh) should stay under. */
  uploadBudgetKbps: number;
}

// ---------------------------------------------------------------------------------------------
// Client → server

export type ClientMessage =
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
    }
  | { type: "signal"; to: string; data: SignalData }
  | { type: "media"; media: MediaState }
  | { type: "chat"; text: string; cid: string }
  | { type: "history"; after: number }
  /** Fresh ICE credentials (before the current ones expire). Members only, rate limited. */
  | { type: "ice" }
  | { type: "leave" };

// ---------------------------------------------------------------------------------------------
// Server → client

export type ServerMessage =
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
    }
  | { type: "peer-joined"; peer: PeerInfo }
  | { type: "peer-left"; id: string }
  /** A peer lost its socket (away) or came back (not away) within the grace period. */
  | { type: "peer-presence"; id: string; away: boolean }
  | { type: "peer-media"; id: string; media: MediaState }
  | { type: "signal"; from: string; data: SignalData }
  | { type: "chat"; message: ChatMessage }
  | { type: "history"; after: number; messages: ChatMessage[]; more: boolean }
  | { type: "ice"; ice: IceConfig }
  | { type: "error"; code: ErrorCode; message: string };

export type ErrorCode =
  | "bad-json"
  | "bad-message"
  | "unknown-type"
  | "too-large"
  | "bad-version"
  | "name-too-long"
  | "text-too-long"
  | "rate-limited"
  | "not-joined"
  | "already-joined"
  | "unknown-peer"
  | "room-full";

/**
 * Close codes the room uses (4000–4999 are application codes; 1005/1006/1015 are never sent
 * because RFC 6455 §7.4.1 reserves them for the endpoint's own use).
 */
export const CloseCode = {
  /** The client said `leave`. */
  Left: 1000,
  /** Too many invalid frames; the reason names the last one. */
  ProtocolViolation: 4400,
  /** No heartbeat for too long: the socket is presumed dead. */
  HeartbeatTimeout: 4408,
  /** The same peer resumed on a newer socket. */
  Replaced: 4410,
  /** The room is at capacity. An error frame with code "room-full" precedes it. */
  RoomFull: 4409,
  /** The client speaks another protocol version. */
  BadVersion: 4426,
  /** The client kept sending after being throttled. */
  RateLimited: 4429,
} as const;
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];

// ---------------------------------------------------------------------------------------------
// Validation: unknown → typed message or typed error. The sender's identity never comes from a
// frame: the room stamps `from` itself.

export interface ProtocolError {
  code: ErrorCode;
  message: string;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: ProtocolError };

const fail = (code: ErrorCode, message: string): { ok: false; error: ProtocolError } => ({
  ok: false,
  error: { code, message },
});

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const isBool = (v: unknown): v is boolean => typeof v === "boolean";
const isSeq = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v) && v >= 0;
const PEER_ID = /^[A-Za-z0-9_-]{1,32}$/;

/** UTF-8 length of a string, computed only when a cheap bound does not settle the question. */
export function exceedsBytes(text: string, maxBytes: number): boolean {
  if (text.length * 3 <= maxBytes) return false; // a UTF-16 unit never takes more than 3 UTF-8 bytes
  if (text.length > maxBytes) return true;
  return new TextEncoder().encode(text).byteLength > maxBytes;
}

/** Code points, so that an emoji counts as one character, as a person would count it. */
export function charCount(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

function mediaState(v: unknown): MediaState | null {
  if (!isObj(v) || !isBool(v.mic) || !isBool(v.cam) || !isBool(v.screen)) return null;
  return { mic: v.mic, cam: v.cam, screen: v.screen };
}

/** A display name: trimmed, control characters removed, non-empty. */
export function cleanName(raw: string): string {
  return raw.replace(/[\u0000-\u001f\u007f\u2028\u2029]/g, "").trim();
}

const DESCRIPTION_TYPES = new Set(["offer", "answer", "pranswer", "rollback"]);

function signalData(v: unknown): SignalData | null {
  if (!isObj(v)) return null;
  if (v.kind === "description") {
    const d = v.description;
    if (!isObj(d) || typeof d.type !== "string" || !DESCRIPTION_TYPES.has(d.type) || typeof d.sdp !== "string") {
      return null;
    }
    return { kind: "description", description: { type: d.type as "offer", sdp: d.sdp } };
  }
  if (v.kind === "candidate") {
    const c = v.candidate;
    if (c === null) return { kind: "candidate", candidate: null };
    if (!isObj(c) || typeof c.candidate !== "string") return null;
    const optStr = (x: unknown) => x === undefined || x === null || typeof x === "string";
    const optIdx = (x: unknown) => x === undefined || x === null || (typeof x === "number" && Number.isInteger(x) && x >= 0);
    if (!optStr(c.sdpMid) || !optIdx(c.sdpMLineIndex) || !optStr(c.usernameFragment)) return null;
    return {
      kind: "candidate",
      candidate: {
        candidate: c.candidate,
        sdpMid: (c.sdpMid as string | null | undefined) ?? null,
        sdpMLineIndex: (c.sdpMLineIndex as number | null | undefined) ?? null,
        usernameFragment: (c.usernameFragment as string | null | undefined) ?? null,
      },
    };
  }
  if (v.kind === "streams") {
    const id = (x: unknown) => x === null || (typeof x === "string" && x.length > 0 && x.length <= 128);
    if (!id(v.camera) || !id(v.screen)) return null;
    return { kind: "streams", camera: v.camera as string | null, screen: v.screen as string | null };
  }
  return null;
}

/** Parses one frame from a client. `maxBytes` is the room's frame cap. */
export function parseClientMessage(frame: unknown, maxBytes: number = LIMITS.defaultMaxFrameBytes): Parsed<ClientMessage> {
  if (typeof frame !== "string") return fail("bad-message", "frames must be JSON text");
  if (exceedsBytes(frame, maxBytes)) return fail("too-large", `frame exceeds ${maxBytes} bytes`);
  let v: unknown;
  try {
    v = JSON.parse(frame);
  } catch {
    return fail("bad-json", "frame is not valid JSON");
  }
  if (!isObj(v) || typeof v.type !== "string") return fail("bad-message", "frame must be an object with a string `type`");
  const bad = (what: string) => fail("bad-message", `${v.type}: ${what}`);
  switch (v.type) {
    case "join": {
      if (typeof v.v !== "number") return bad("`v` must be a number");
      if (v.v !== PROTOCOL_VERSION) return fail("bad-version", `protocol version ${PROTOCOL_VERSION} is required`);
      if (typeof v.name !== "string") return bad("`name` must be a string");
      const name = cleanName(v.name);
      if (name.length === 0) return bad("`name` must not be empty");
      if (charCount(name) > LIMITS.nameMaxChars) return fail("name-too-long", `name is longer than ${LIMITS.nameMaxChars} characters`);
      const media = mediaState(v.media);
      if (!media) return bad("`media` must be {mic, cam, screen} booleans");
      if (v.since !== undefined && !isSeq(v.since)) return bad("`since` must be a non-negative integer");
      let resume: { id: string; token: string } | undefined;
      if (v.resume !== undefined) {
        const r = v.resume;
        if (!isObj(r) || typeof r.id !== "string" || !PEER_ID.test(r.id) || typeof r.token !== "string" || r.token.length > 64) {
          return bad("`resume` must be {id, token}");
        }
        resume = { id: r.id, token: r.token };
      }
      return {
        ok: true,
        value: { type: "join", v: v.v, name, media, ...(v.since !== undefined ? { since: v.since as number } : {}), ...(resume ? { resume } : {}) },
      };
    }
    case "signal": {
      if (typeof v.to !== "string" || v.to.length === 0 || v.to.length > LIMITS.peerIdMaxChars) return bad("`to` must be a peer id");
      const data = signalData(v.data);
      if (!data) return bad("`data` must be a description or a candidate");
      return { ok: true, value: { type: "signal", to: v.to, data } };
    }
    case "media": {
      const media = mediaState(v.media);
      if (!media) return bad("`media` must be {mic, cam, screen} booleans");
      return { ok: true, value: { type: "media", media } };
    }
    case "chat": {
      if (typeof v.text !== "string") return bad("`text` must be a string");
      if (typeof v.cid !== "string" || v.cid.length === 0 || v.cid.length > LIMITS.cidMaxChars) {
        return bad(`\`cid\` must be a string of 1–${LIMITS.cidMaxChars} characters`);
      }
      if (v.text.trim().length === 0) return bad("`text` must not be empty");
      if (charCount(v.text) > LIMITS.chatMaxChars) return fail("text-too-long", `text is longer than ${LIMITS.chatMaxChars} characters`);
      return { ok: true, value: { type: "chat", text: v.text, cid: v.cid } };
    }
    case "history": {
      if (!isSeq(v.after)) return bad("`after` must be a non-negative integer");
      return { ok: true, value: { type: "history", after: v.after } };
    }
    case "ice":
      return { ok: true, value: { type: "ice" } };
    case "leave":
      return { ok: true, value: { type: "leave" } };
    default:
      return fail("unknown-type", `unknown message type "${String(v.type).slice(0, 40)}"`);
  }
}

// ---------------------------------------------------------------------------------------------
// Server frames, validated on the client with the same care: a client must not crash on a
// frame from a newer or broken server.

function peerInfo(v: unknown): PeerInfo | null {
  if (!isObj(v) || typeof v.id !== "string" || typeof v.name !== "string" || typeof v.joined !== "number" || !isBool(v.away)) return null;
  const media = mediaState(v.media);
  return media ? { id: v.id, name: v.name, media, joined: v.joined, away: v.away } : null;
}

function chatMessage(v: unknown): ChatMessage | null {
  if (!isObj(v) || !isSeq(v.seq) || typeof v.from !== "string" || typeof v.name !== "string") return null;
  if (typeof v.text !== "string" || typeof v.ts !== "number" || typeof v.cid !== "string") return null;
  return { seq: v.seq, from: v.from, name: v.name, text: v.text, ts: v.ts, cid: v.cid };
}

function listOf<T>(v: unknown, item: (x: unknown) => T | null): T[] | null {
  if (!Array.isArray(v)) return null;
  const out: T[] = [];
  for (const x of v) {
    const t = item(x);
    if (!t) return null;
    out.push(t);
  }
  return out;
}

function roomSettings(v: unknown): RoomSettings | null {
  if (!isObj(v)) return null;
  const keys = ["capacity", "maxFrameBytes", "nameMaxChars", "chatMaxChars", "heartbeatMs", "uploadBudgetKbps"] as const;
  for (const k of keys) if (typeof v[k] !== "number") return null;
  return {
    capacity: v.capacity as number,
    maxFrameBytes: v.maxFrameBytes as number,
    nameMaxChars: v.nameMaxChars as number,
    chatMaxChars: v.chatMaxChars as number,
    heartbeatMs: v.heartbeatMs as number,
    uploadBudgetKbps: v.uploadBudgetKbps as number,
  };
}

function iceConfig(v: unknown): IceConfig | null {
  if (!isObj(v) || !Array.isArray(v.iceServers)) return null;
  if (v.relay !== "available" && v.relay !== "none" && v.relay !== "unavailable") return null;
  if (v.expiresAt !== null && typeof v.expiresAt !== "number") return null;
  const servers: IceServer[] = [];
  for (const s of v.iceServers) {
    if (!isObj(s) || !Array.isArray(s.urls) || !s.urls.every((u) => typeof u === "string")) return null;
    if (s.username !== undefined && typeof s.username !== "string") return null;
    if (s.credential !== undefined && typeof s.credential !== "string") return null;
    servers.push({
      urls: s.urls as string[],
      ...(typeof s.username === "string" ? { username: s.username } : {}),
      ...(typeof s.credential === "string" ? { credential: s.credential } : {}),
    });
  }
  return { iceServers: servers, expiresAt: v.expiresAt as number | null, relay: v.relay };
}

const ERROR_CODES = new Set<string>([
  "bad-json", "bad-message", "unknown-type", "too-large", "bad-version", "name-too-long",
  "text-too-long", "rate-limited", "not-joined", "already-joined", "unknown-peer", "room-full",
] satisfies ErrorCode[]);

export function parseServerMessage(frame: unknown): ServerMessage | null {
  if (typeof frame !== "string") return null;
  let v: unknown;
  try {
    v = JSON.parse(frame);
  } catch {
    return null;
  }
  if (!isObj(v)) return null;
  switch (v.type) {
    case "welcome": {
      const you = peerInfo(v.you);
      const peers = listOf(v.peers, peerInfo);
      const chat = listOf(v.chat, chatMessage);
      const settings = roomSettings(v.settings);
      const ice = iceConfig(v.ice);
      if (!you || !peers || !chat || !settings || !ice || typeof v.v !== "number" || !isSeq(v.lastSeq)) return null;
      if (typeof v.resumeToken !== "string" || !isBool(v.resumed)) return null;
      return { type: "welcome", v: v.v, you, peers, chat, lastSeq: v.lastSeq, settings, ice, resumeToken: v.resumeToken, resumed: v.resumed };
    }
    case "peer-joined": {
      const peer = peerInfo(v.peer);
      return peer ? { type: "peer-joined", peer } : null;
    }
    case "peer-left":
      return typeof v.id === "string" ? { type: "peer-left", id: v.id } : null;
    case "peer-presence":
      return typeof v.id === "string" && isBool(v.away) ? { type: "peer-presence", id: v.id, away: v.away } : null;
    case "peer-media": {
      const media = mediaState(v.media);
      return media && typeof v.id === "string" ? { type: "peer-media", id: v.id, media } : null;
    }
    case "signal": {
      const data = signalData(v.data);
      return data && typeof v.from === "string" ? { type: "signal", from: v.from, data } : null;
    }
    case "chat": {
      const message = chatMessage(v.message);
      return message ? { type: "chat", message } : null;
    }
    case "history": {
      const messages = listOf(v.messages, chatMessage);
      if (!messages || !isSeq(v.after) || !isBool(v.more)) return null;
      return { type: "history", after: v.after, messages, more: v.more };
    }
    case "ice": {
      const ice = iceConfig(v.ice);
      return ice ? { type: "ice", ice } : null;
    }
    case "error":
      if (typeof v.code !== "string" || !ERROR_CODES.has(v.code) || typeof v.message !== "string") return null;
      return { type: "error", code: v.code as ErrorCode, message: v.message };
    default:
      return null;
  }
}

/** For exhaustive switches over the unions above. */
export function assertNever(x: never): never {
  throw new Error(`unexpected value: ${JSON.stringify(x)}`);
}
