// What the room core needs from the outside world, as ports: SQLite behind them in the Durable
// Object, arrays and maps in unit tests. All synchronous: SQL on a Durable Object is local, so
// the core never awaits.

import type { ChatMessage, PeerInfo } from "../../protocol/protocol";

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
   * all; sequence numbers are never reused.
   */
  trim(cap: { messages: number; bytes: number }): void;
  /** Forgets every message; sequence numbers are never reused. */
  clear(): void;
}

/** What a member may do beyond sending frames that any member may send. */
export const ROLES = ["member", "host"] as const;
export type Role = (typeof ROLES)[number];
export const isRole = (v: unknown): v is Role => ROLES.some((r) => r === v);

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
  now(): number;
  /** A resume token: the secret that lets a member take its seat back. */
  newToken(): string;
  /** A peer id; the core retries on the (unlikely) clash with a member's. */
  newPeerId(): string;
}
