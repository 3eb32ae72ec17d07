// Chat: messages to everyone in the room, stored in order, fetched again by sequence number after
// a reconnect. A client id (`cid`) makes a resend after a reconnect land once.

import { LIMITS } from "../limits";
import { bad, charCount, type ClientValidators, fail, isObj, isPeerId, isSeq, isString, isTime, listOf, ok, type ServerValidators, wellFormed } from "../wire";

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

export type ChatClientMessage =
  | { type: "chat"; text: string; cid: string }
  /** The messages after this sequence number, a page at a time. */
  | { type: "history"; after: number };

export type ChatServerMessage =
  | { type: "chat"; message: ChatMessage }
  | { type: "history"; after: number; messages: ChatMessage[]; more: boolean };

export const CHAT_ERRORS = ["text-too-long"] as const;

export function chatMessage(v: unknown): ChatMessage | null {
  if (!isObj(v)) return null;
  const { seq, from, name, text, ts, cid } = v;
  if (!isSeq(seq) || !isPeerId(from) || !isString(name) || !isString(text) || !isTime(ts) || !isString(cid)) return null;
  return { seq, from, name, text, ts, cid };
}

export const chatClient: ClientValidators<ChatClientMessage, (typeof CHAT_ERRORS)[number]> = {
  chat: (v) => {
    if (!isString(v.text)) return bad("chat", "`text` must be a string");
    if (!isString(v.cid) || v.cid.length === 0 || v.cid.length > LIMITS.cidMaxChars) {
      return bad("chat", `\`cid\` must be a string of 1–${LIMITS.cidMaxChars} characters`);
    }
    if (v.text.trim().length === 0) return bad("chat", "`text` must not be empty");
    if (charCount(v.text) > LIMITS.chatMaxChars) return fail("text-too-long", `text is longer than ${LIMITS.chatMaxChars} characters`);
    // Made well-formed here, so that what the room echoes live and what it stores are the same.
    return ok({ type: "chat", text: wellFormed(v.text), cid: v.cid });
  },
  history: (v) => (isSeq(v.after) ? ok({ type: "history", after: v.after }) : bad("history", "`after` must be a non-negative integer")),
};

export const chatServer: ServerValidators<ChatServerMessage> = {
  chat: (v) => {
    const message = chatMessage(v.message);
    return message ? { type: "chat", message } : null;
  },
  history: (v) => {
    const messages = listOf(v.messages, chatMessage);
    if (!messages || !isSeq(v.after) || typeof v.more !== "boolean") return null;
    return { type: "history", after: v.after, messages, more: v.more };
  },
};
