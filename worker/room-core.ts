// The room's behaviour, free of sockets and storage: given who sent what, it answers with the
// frames to deliver and what the adapter must do to the sender's socket. The Durable Object
// (room-do.ts) only translates between this and the runtime. The room relays signaling; it
// never looks inside it.

import {
  LIMITS,
  CloseCode,
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
}

/** Where a frame goes: back to the sender, or to these peers. */
export interface Outbound {
  to: "self" | readonly string[];
  msg: ServerMessage;
}

export interface Step {
  out: Outbound[];
  /** The sender's identity changed (joined, or new media state): store it with the socket. */
  member?: PeerInfo;
  /** The sender is no longer a member (it said `leave`). */
  departed?: true;
  /** Close the sender's socket after delivering `out`. */
  close?: { code: number; reason: string };
  /** A member asked for fresh ICE credentials: mint them and answer with an `ice` frame. */
  iceRequested?: true;
}

export interface RoomDeps {
  now(): number;
}

/** What the adapter prepares before a join: the new member's id and its ICE credentials (minted for that id). */
export interface JoinContext {
  id: string;
  ice: IceConfig;
}

const error = (code: Extract<ServerMessage, { type: "error" }>["code"], message: string): Outbound => ({
  to: "self",
  msg: { type: "error", code, message },
});

export class RoomCore {
  private readonly members = new Map<string, PeerInfo>();

  constructor(
    private readonly config: RoomConfig,
    private readonly log: ChatLog,
    private readonly deps: RoomDeps,
  ) {}

  /** Re-admits a member known from a surviving socket (after the object woke from hibernation). */
  restore(member: PeerInfo): void {
    this.members.set(member.id, member);
  }

  get size(): number {
    return this.members.size;
  }

  roster(): PeerInfo[] {
    return [...this.members.values()];
  }

  settings(): RoomSettings {
    return {
      capacity: this.config.capacity,
      maxFrameBytes: this.config.maxFrameBytes,
      nameMaxChars: LIMITS.nameMaxChars,
      chatMaxChars: LIMITS.chatMaxChars,
      heartbeatMs: this.config.heartbeatMs,
    };
  }

  has(peerId: string): boolean {
    return this.members.has(peerId);
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
        return { out: [{ to: [msg.to], msg: { type: "signal", from: sender, data: msg.data } }] };
      case "media": {
        const member = { ...this.members.get(sender)!, media: msg.media };
        this.members.set(sender, member);
        return { out: [{ to: this.others(sender), msg: { type: "peer-media", id: sender, media: msg.media } }], member };
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
        return { ...this.disconnect(sender), departed: true, close: { code: CloseCode.Left, reason: "left" } };
      default:
        return assertNever(msg);
    }
  }

  /** The sender's socket is gone. Idempotent: a socket may report both an error and a close. */
  disconnect(peerId: string): Step {
    if (!this.members.delete(peerId)) return { out: [] };
    return { out: [{ to: this.others(peerId), msg: { type: "peer-left", id: peerId } }] };
  }

  private join(sender: string | null, msg: Extract<ClientMessage, { type: "join" }>, context: JoinContext | undefined): Step {
    if (sender !== null) return { out: [error("already-joined", "this socket has already joined")] };
    if (!context) throw new Error("a join needs its JoinContext");
    const { id, ice } = context;
    if (this.members.size >= this.config.capacity) {
      return {
        out: [error("room-full", `the room is full (${this.config.capacity} people)`)],
        close: { code: CloseCode.RoomFull, reason: "room full" },
      };
    }
    if (this.members.has(id)) throw new Error(`peer id ${id} is taken`);
    const you: PeerInfo = { id, name: msg.name, media: msg.media };
    const peers = this.roster();
    this.members.set(id, you);
    const chat = msg.since === undefined ? this.log.tail(this.config.historyTail) : this.log.after(msg.since, LIMITS.historyPage);
    return {
      member: you,
      out: [
        {
          to: "self",
          msg: { type: "welcome", v: PROTOCOL_VERSION, you, peers, chat, lastSeq: this.log.lastSeq(), settings: this.settings(), ice },
        },
        { to: peers.map((p) => p.id), msg: { type: "peer-joined", peer: you } },
      ],
    };
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

  private others(peerId: string): string[] {
    const ids: string[] = [];
    for (const id of this.members.keys()) if (id !== peerId) ids.push(id);
    return ids;
  }
}
