// What the room core needs from the outside world, as ports: SQLite behind them in the Durable
// Object, arrays and maps in unit tests. All synchronous: SQL on a Durable Object is local, so
// the core never awaits.

import type { ChatMessage, MediaState, Mode, PeerInfo, RecordingInfo, RelayEnd, Role, Seat, SfuPublication, TransportKind, VoiceType } from "../../protocol/protocol";

/**
 * The chat history. Sizes are what a message costs in a frame (chatBytes in
 * features/chat-quota.ts); a page holds its first message whatever its size, so that paging
 * always moves on.
 */
export interface ChatLog {
  /** Stores a message under the next sequence number and returns it. */
  append(message: Omit<ChatMessage, "seq">): ChatMessage;
  /** The message an author already sent under this client id, if any (still stored). */
  findByClientId(from: string, cid: string): ChatMessage | null;
  /** The newest `n` messages, oldest first, as many of them as fit in `maxBytes`. */
  tail(n: number, maxBytes?: number): ChatMessage[];
  /** Up to `limit` messages with seq > `after`, oldest first, as many as fit in `maxBytes`. */
  after(after: number, limit: number, maxBytes?: number): ChatMessage[];
  lastSeq(): number;
  /**
   * Forgets the oldest messages until at most `cap.messages` remain, of at most `cap.bytes` in
   * all; sequence numbers are never reused. Returns the voice keys of the messages it forgot
   * (their recordings go too).
   */
  trim(cap: { messages: number; bytes: number }): string[];
  /** Forgets every message; sequence numbers are never reused. */
  clear(): void;
}

/** A member as the room remembers it across hibernation and eviction. */
export interface StoredMember {
  id: string;
  name: string;
  media: PeerInfo["media"];
  joined: number;
  token: string;
  /**
   * The token before the latest resume, still accepted until the member shows it received the
   * new one (its first frame after that welcome): a welcome lost with its socket must not cost
   * the seat. Null once confirmed.
   */
  prevToken: string | null;
  role: Role;
  /** When its socket was lost; null while connected. */
  awaySince: number | null;
  /** The browser's lobby id its join carried, if any: what a removal bars, with the address. */
  device: string | null;
  /** The address its socket came from (CF-Connecting-IP), if known. */
  addr: string | null;
  /** On a stage, whether it publishes; always "speaker" in a meeting (features/stage.ts). Kept across resumes. */
  seat: Seat;
  /** When it raised its hand (ms since the epoch), or null: the hands' order. Kept across resumes. */
  hand: number | null;
  /**
   * Its capability for the room's voice recordings (`?m=` on their URLs, features/voice.ts): kept
   * across resumes, gone with the member. Null only for a member stored before voice messages,
   * which gets one when it resumes.
   */
  mediaToken: string | null;
  /**
   * What it records on its device, since when by the room's clock, or null (features/recording.ts).
   * Kept across resumes and while it is away (its recorder may well be running), gone with the member.
   */
  recording: RecordingInfo | null;
  /**
   * The SFU tracks it announced (features/transport.ts), or null. Kept across resumes and while it
   * is away, gone with the member.
   */
  sfu: SfuPublication | null;
}

/** The durable roster. */
export interface MemberStore {
  all(): StoredMember[];
  put(member: StoredMember): void;
  delete(id: string): void;
  /** When the room last became empty (for chat retention), or null. */
  emptySince(): number | null;
  setEmptySince(at: number | null): void;
}

export interface RoomDeps {
  /** The room's id, as its links and URLs name it. */
  readonly room: string;
  now(): number;
  /** A resume token: the secret that lets a member take its seat back. */
  newToken(): string;
  /** A peer id; the core retries on the (unlikely) clash with a member's. */
  newPeerId(): string;
  /** 128 random bits, base64url (22 characters): a voice key, an upload capability, a media token. */
  newKey(): string;
}

/**
 * What the room knows about a socket besides the member it carries: the knock it waits as (in
 * the lobby), and its address. Kept by the adapter per socket, so that no frame allocates one.
 */
export interface Via {
  knock: string | null;
  addr: string | null;
}

export const NO_VIA: Via = Object.freeze({ knock: null, addr: null });

/** How the room is entered, as stored: the secrets' hash and PBKDF2 record, never the secrets. */
export interface RoomAccess {
  lobby: boolean;
  locked: boolean;
  /** `pbkdf2-sha256$<iterations>$<salt>$<hash>` (access/secrets.ts), or null for none. */
  passcode: string | null;
  /** SHA-256 of the host key, hex; null for a room made before host keys (nobody holds one). */
  hostKey: string | null;
  /** Members may record (features/recording.ts); a host or cohost may turn it off. */
  recording: boolean;
}

/**
 * A room made before access settings: open to anyone with the link, nobody holds a host key, and
 * recording is allowed (as it was before the room had a say in it).
 */
export const DEFAULT_ACCESS: RoomAccess = Object.freeze({ lobby: false, locked: false, passcode: null, hostKey: null, recording: true });

/** A newcomer waiting in the lobby, with what its join said (replayed when it is admitted). */
export interface StoredKnock {
  id: string;
  name: string;
  media: MediaState;
  device: string | null;
  addr: string | null;
  /** When it knocked (ms since the epoch). */
  at: number;
  /** The join's `since` (the chat its welcome should carry). */
  since: number | null;
}

/**
 * The room's access in durable storage: its settings, the lobby's queue, and what the room
 * remembers against devices and addresses (denials, removals, wrong passcodes). The last three are
 * read only when someone knocks or joins, and forgotten by time (`forgetBefore`) and by count, so
 * that they cannot grow without bound.
 */
export interface AccessStore {
  access(): RoomAccess;
  setAccess(access: RoomAccess): void;
  /** Since when no host or cohost has been present while others were (null: one is, or nobody is). */
  hostAbsentSince(): number | null;
  setHostAbsentSince(at: number | null): void;
  knocks(): StoredKnock[];
  putKnock(knock: StoredKnock): void;
  deleteKnock(id: string): void;
  clearKnocks(): void;
  /** How often this device (or address, see lobby.ts) was denied, and when last; null if never (or forgotten). */
  denials(key: string, forgetBefore: number): { count: number; last: number } | null;
  /** One more denial; returns the count. */
  addDenial(key: string, now: number, forgetBefore: number): number;
  /** Whether a member with this device or address was removed by a host (and not yet forgotten). */
  wasRemoved(device: string | null, addr: string | null, forgetBefore: number): boolean;
  markRemoved(device: string | null, addr: string | null, now: number, forgetBefore: number): void;
  /** When this address gave a wrong passcode since `since`, oldest first. */
  passcodeFailures(addr: string, since: number): number[];
  addPasscodeFailure(addr: string, now: number, forgetBefore: number): void;
  clearPasscodeFailures(addr: string): void;
}

/** How the room runs, as stored: a meeting, or a stage live since `liveSince` (null in a meeting). */
export interface RoomMode {
  mode: Mode;
  liveSince: number | null;
}

/** A room made before stages, or created without a mode: a meeting. */
export const DEFAULT_MODE: RoomMode = Object.freeze({ mode: "meeting", liveSince: null });

/** The room's transport, as stored: in force now, and when it last switched (null: never). */
export interface RoomTransport {
  kind: TransportKind;
  switched: number | null;
}

/** A room made before the SFU, or new: the mesh, never switched. */
export const DEFAULT_TRANSPORT: RoomTransport = Object.freeze({ kind: "mesh", switched: null });

/** The room's transport in durable storage (one value, read on every roster change: stores keep it in memory). */
export interface TransportStore {
  transport(): RoomTransport;
  setTransport(t: RoomTransport): void;
}

/** The room's mode in durable storage (one value, read on every join: stores keep it in memory). */
export interface ModeStore {
  mode(): RoomMode;
  setMode(mode: RoomMode): void;
}

/**
 * A voice recording the room let a member upload (features/voice.ts), from the capability it
 * issued to the chat message that carries it.
 */
export interface VoiceUpload {
  key: string;
  /** The member it was issued to: only that member may upload it, and send it. */
  member: string;
  type: VoiceType;
  /** Declared when asked for; once uploaded, what was stored. */
  bytes: number;
  durationMs: number;
  /** When the capability ends (ms since the epoch). */
  expires: number;
  /** The upload capability: good for one PUT, before `expires`. */
  cap: string;
  /** Issued; presented by a PUT (spent, whatever came of it); stored in the bucket. */
  state: "issued" | "uploading" | "done";
  /** The chat message that carries it, once sent; null before. */
  seq: number | null;
}

/**
 * The room's voice uploads in durable storage. Rows not yet sent in a message are few (a handful
 * per member, forgotten soon after their capability ends); sent ones live as long as their message.
 */
export interface VoiceStore {
  get(key: string): VoiceUpload | null;
  put(upload: VoiceUpload): void;
  delete(keys: readonly string[]): void;
  /** Every upload not yet sent in a message (the room's sweep reads them). */
  unsent(): VoiceUpload[];
  /** The bytes of every upload the room holds or has promised (issued, stored or sent). */
  totalBytes(): number;
}

/**
 * A file the room relays through its bucket (features/file-relay.ts), from the offer to the
 * recipient's download. `expires` ends the current step: the offer's answer, the upload's start
 * (accepted) or end (uploading), or the download (stored).
 */
export interface FileRelay {
  transfer: string;
  from: string;
  to: string;
  name: string;
  size: number;
  mime: string;
  /** The file id (hex SHA-256 of its block hashes) the recipient checks. */
  id: string;
  state: "offered" | "accepted" | "uploading" | "stored";
  /** The object's key, from the recipient's yes on; null before. */
  key: string | null;
  /** The one-time upload capability, from the yes until a PUT presents it; null otherwise. */
  cap: string | null;
  expires: number;
}

/** An ended transfer, as kept for a member's next resume. */
export interface FileRelayEnded {
  transfer: string;
  reason: RelayEnd;
}

/**
 * The room's relayed files in durable storage: a few per member, each gone when its transfer
 * ends; and each member's latest ends (at most FILE_RELAY_ENDS_KEPT), for its next resume.
 */
export interface FileRelayStore {
  get(transfer: string): FileRelay | null;
  byKey(key: string): FileRelay | null;
  put(relay: FileRelay): void;
  delete(transfer: string): void;
  all(): FileRelay[];
  /** `member` was told (or would have been, were its socket up) that `transfer` ended; only its newest FILE_RELAY_ENDS_KEPT stay. */
  ended(member: string, end: FileRelayEnded, at: number): void;
  /** The ends kept for `member`, oldest first. */
  endsFor(member: string): FileRelayEnded[];
  /** `member` left for good: its ends go. */
  forgetEnds(member: string): void;
}
