// The room's behaviour, free of sockets and storage: given who sent what, it answers with the
// frames to deliver and what the adapter must do to the sender's socket. The Durable Object
// (room-do.ts) only translates between this and the runtime. The room relays signaling; it
// never looks inside it.
//
// Members outlive their sockets for a grace period: a dropped socket makes its member "away",
// and a join that presents the member's resume token within the grace period takes the same
// seat back, so the others see no leave and no join.

import {
  CloseCode,
  LIMITS,
  PROTOCOL_VERSION,
  type ChatMessage,
  type ClientMessage,
  type IceConfig,
  type PeerInfo,
  type RoomSettings,
  type ServerMessage,
  assertNever,
} from "../protocol/protocol";
import type { RoomConfig } from "./config";

/** The chat history port: SQLite in the Durable Object, an array in unit tests. */
export interface ChatLog {
  /** Stores a message under the next sequence number and returns it. */
  append(message: Omit<ChatMessage, "seq">): ChatMessage;
  /** The message an author already sent under this client id, if any. */
  findByClientId(from: string, cid: string): ChatMessage | null;
  /** The newest `n` messages, oldest first. */
  tail(n: number): ChatMessage[];
  /** Up to `limit` messages with seq > `after`, oldest first. */
  after(after: number, limit: number): ChatMessage[];
  lastSeq(): number;
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
  /** When its socket was lost; null while connected. */
  awaySince: number | null;
}

/** The durable roster port: SQLite in the Durable Object, a map in unit tests. */
export interface MemberStore {
  all(): StoredMember[];
  put(member: StoredMember): void;
  delete(id: string): void;
  /** When the room last became empty (for chat retention), or null. */
  emptySince(): number | null;
  setEmptySince(at: number | null): void;
}

/** Where a frame goes: back to the sender, or to these peers. */
export interface Outbound {
  to: "self" | readonly string[];
  msg: ServerMessage;
}

export interface Step {
  out: Outbound[];
  /** The sender is now this member: bind the socket to its id. */
  member?: PeerInfo;
  /** Another socket still holds this member (a resume overtook a half-dead socket): close it. */
  replaced?: string;
  /** The sender is no longer a member (it said `leave`). */
  departed?: true;
  /** Close the sender's socket after delivering `out`. */
  close?: { code: number; reason: string };
  /** A member asked for fresh ICE credentials: mint them and answer with an `ice` frame. */
  iceRequested?: true;
}

export interface RoomDeps {
  now(): number;
  newToken(): string;
}

/** What the adapter prepares before a join: the member's id and its ICE credentials (minted for that id). */
export interface JoinContext {
  id: string;
  ice: IceConfig;
}

const error = (code: Extract<ServerMessage, { type: "error" }>["code"], message: string): Outbound => ({
  to: "self",
  msg: { type: "error", code, message },
});

/** Constant-time comparison, so that a token cannot be guessed a character at a time. */
function sameToken(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

export class RoomCore {
  private readonly members = new Map<string, StoredMember>();

  constructor(
    private readonly config: RoomConfig,
    private readonly log: ChatLog,
    private readonly store: MemberStore,
    private readonly deps: RoomDeps,
  ) {}

  /**
   * Rebuilds the roster from storage after the object was constructed anew. Members whose socket
   * did not survive (eviction closed it) become away, so they can still resume.
   */
  restore(connected: ReadonlySet<string>): void {
    const now = this.deps.now();
    for (const m of this.store.all()) {
      let member = m;
      if (connected.has(m.id) && m.awaySince !== null) member = { ...m, awaySince: null };
      else if (!connected.has(m.id) && m.awaySince === null) member = { ...m, awaySince: now };
      if (member !== m) this.store.put(member);
      this.members.set(member.id, member);
    }
  }

  has(peerId: string): boolean {
    return this.members.has(peerId);
  }

  get size(): number {
    return this.members.size;
  }

  roster(): PeerInfo[] {
    return [...this.members.values()].map(info);
  }

  settings(): RoomSettings {
    return {
      capacity: this.config.capacity,
      maxFrameBytes: this.config.maxFrameBytes,
      nameMaxChars: LIMITS.nameMaxChars,
      chatMaxChars: LIMITS.chatMaxChars,
      heartbeatMs: this.config.heartbeatMs,
      uploadBudgetKbps: this.config.uploadBudgetKbps,
    };
  }

  /** The id a join will get: the resumed member's if its token is good, else none (a fresh one). */
  resumableId(msg: Extract<ClientMessage, { type: "join" }>): string | null {
    const r = msg.resume;
    if (!r) return null;
    const m = this.members.get(r.id);
    return m && sameToken(m.token, r.token) ? m.id : null;
  }

  /**
   * A validated frame from a socket; `sender` is its peer id, or null before it joined. A `join`
   * needs its JoinContext.
   */
  handle(sender: string | null, msg: ClientMessage, join?: JoinContext): Step {
    if (msg.type === "join") return this.join(sender, msg, join);
    if (sender === null || !this.members.has(sender)) {
      return { out: [error("not-joined", `send "join" before "${msg.type}"`)] };
    }
    switch (msg.type) {
      case "signal":
        if (msg.to === sender || !this.members.has(msg.to)) {
          return { out: [error("unknown-peer", `no peer "${msg.to}" in this room`)] };
        }
        // To an away member it is dropped: the pair renegotiates when it is back.
        return { out: [{ to: [msg.to], msg: { type: "signal", from: sender, data: msg.data } }] };
      case "media": {
        const member = { ...this.members.get(sender)!, media: msg.media };
        this.save(member);
        return { out: [{ to: this.others(sender), msg: { type: "peer-media", id: sender, media: msg.media } }], member: info(member) };
      }
      case "chat":
        return this.chat(sender, msg.text, msg.cid);
      case "history": {
        const page = this.log.after(msg.after, LIMITS.historyPage + 1);
        const more = page.length > LIMITS.historyPage;
        const messages = more ? page.slice(0, LIMITS.historyPage) : page;
        return { out: [{ to: "self", msg: { type: "history", after: msg.after, messages, more } }] };
      }
      case "ice":
        return { out: [], iceRequested: true };
      case "leave":
        return { ...this.remove(sender), departed: true, close: { code: CloseCode.Left, reason: "left" } };
      default:
        return assertNever(msg);
    }
  }

  /**
   * The member's socket is gone without a `leave`: it becomes away for the grace period.
   * Idempotent: a socket may report both an error and a close.
   */
  disconnect(peerId: string): Step {
    const m = this.members.get(peerId);
    if (!m || m.awaySince !== null) return { out: [] };
    if (this.config.graceMs <= 0) return this.remove(peerId);
    this.save({ ...m, awaySince: this.deps.now() });
    return { out: [{ to: this.others(peerId), msg: { type: "peer-presence", id: peerId, away: true } }] };
  }

  /** Removes a member at once, without a grace period (it broke the rules). */
  expel(peerId: string): Step {
    return this.remove(peerId);
  }

  /** Ends the grace period of members away for too long, and lets an empty room's chat expire. */
  expire(): Step {
    const now = this.deps.now();
    const out: Outbound[] = [];
    for (const m of [...this.members.values()]) {
      if (m.awaySince !== null && now - m.awaySince >= this.config.graceMs) out.push(...this.remove(m.id).out);
    }
    const emptySince = this.store.emptySince();
    if (emptySince !== null && now - emptySince >= this.config.retentionMs) {
      this.log.clear();
      this.store.setEmptySince(null);
    }
    return { out };
  }

  /** When `expire` has work to do next, or null. */
  nextDeadline(): number | null {
    let next: number | null = null;
    const consider = (t: number) => (next = next === null ? t : Math.min(next, t));
    for (const m of this.members.values()) if (m.awaySince !== null) consider(m.awaySince + this.config.graceMs);
    const emptySince = this.store.emptySince();
    if (emptySince !== null) consider(emptySince + this.config.retentionMs);
    return next;
  }

  private join(sender: string | null, msg: Extract<ClientMessage, { type: "join" }>, context: JoinContext | undefined): Step {
    if (sender !== null) return { out: [error("already-joined", "this socket has already joined")] };
    if (!context) throw new Error("a join needs its JoinContext");
    const resumed = this.resumableId(msg) === context.id ? this.members.get(context.id)! : null;
    const chat = msg.since === undefined ? this.log.tail(this.config.historyTail) : this.log.after(msg.since, LIMITS.historyPage);
    const welcome = (you: StoredMember): Outbound => ({
      to: "self",
      msg: {
        type: "welcome",
        v: PROTOCOL_VERSION,
        you: info(you),
        peers: this.roster().filter((p) => p.id !== you.id),
        chat,
        lastSeq: this.log.lastSeq(),
        settings: this.settings(),
        ice: context.ice,
        resumeToken: you.token,
        resumed: resumed !== null,
      },
    });

    if (resumed) {
      const you: StoredMember = { ...resumed, name: msg.name, media: msg.media, awaySince: null };
      this.save(you);
      const out = [welcome(you)];
      if (resumed.awaySince !== null) out.push({ to: this.others(you.id), msg: { type: "peer-presence", id: you.id, away: false } });
      if (!sameMedia(resumed.media, msg.media)) out.push({ to: this.others(you.id), msg: { type: "peer-media", id: you.id, media: msg.media } });
      return { out, member: info(you), ...(resumed.awaySince === null ? { replaced: you.id } : {}) };
    }

    if (this.members.size >= this.config.capacity) {
      return {
        out: [error("room-full", `the room is full (${this.config.capacity} people)`)],
        close: { code: CloseCode.RoomFull, reason: "room full" },
      };
    }
    if (this.members.has(context.id)) throw new Error(`peer id ${context.id} is taken`);
    const you: StoredMember = { id: context.id, name: msg.name, media: msg.media, joined: this.deps.now(), token: this.deps.newToken(), awaySince: null };
    const others = this.others(you.id);
    this.save(you);
    this.store.setEmptySince(null);
    return { member: info(you), out: [welcome(you), { to: others, msg: { type: "peer-joined", peer: info(you) } }] };
  }

  private chat(sender: string, text: string, cid: string): Step {
    // A resend of a message that already landed (the author reconnected before seeing its echo)
    // is answered to the author alone, so nobody sees it twice.
    const existing = this.log.findByClientId(sender, cid);
    if (existing) return { out: [{ to: "self", msg: { type: "chat", message: existing } }] };
    const member = this.members.get(sender)!;
    const message = this.log.append({ from: sender, name: member.name, text, ts: this.deps.now(), cid });
    return { out: [{ to: [...this.members.keys()], msg: { type: "chat", message } }] };
  }

  private remove(peerId: string): Step {
    if (!this.members.delete(peerId)) return { out: [] };
    this.store.delete(peerId);
    if (this.members.size === 0) this.store.setEmptySince(this.deps.now());
    return { out: [{ to: this.others(peerId), msg: { type: "peer-left", id: peerId } }] };
  }

  private save(member: StoredMember) {
    this.members.set(member.id, member);
    this.store.put(member);
  }

  private others(peerId: string): string[] {
    const ids: string[] = [];
    for (const m of this.members.values()) if (m.id !== peerId && m.awaySince === null) ids.push(m.id);
    return ids;
  }
}

const sameMedia = (a: PeerInfo["media"], b: PeerInfo["media"]) => a.mic === b.mic && a.cam === b.cam && a.screen === b.screen;

function info(m: StoredMember): PeerInfo {
  return { id: m.id, name: m.name, media: m.media, joined: m.joined, away: m.awaySince !== null };
}
