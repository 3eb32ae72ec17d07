// Chat: messages to everyone in the room, stored in order, fetched again by sequence number after
// a reconnect. A client id (`cid`) makes a resend after a reconnect land once.
//
// History is paged, and a page must be read before the next is served: every `history` reply
// carries a one-time `ack` token, and the next request on the socket presents it. A WebSocket
// delivers in order, so a client holding the token has read everything sent before it; a client
// that stops reading gets one page buffered at most, never a pile of them in the room's memory.

import { LIMITS } from "../limits";
import { type VoiceRef, VOICE_KEY, voiceRef } from "./voice";
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
  /** A voice message (features/voice.ts): the recording's reference; `text` is then usually empty. */
  voice?: VoiceRef;
}

/** An `ack` token is the room's own (base64url, 22 characters); anything longer is not one. */
export const ACK_MAX_CHARS = 64;

export type ChatClientMessage =
  /** `voice`: a recording this member uploaded (features/voice.ts); `text` may then be empty. */
  | { type: "chat"; text: string; cid: string; voice?: { key: string } }
  /**
   * The messages after this sequence number, a page at a time. `ack`: the token of the last
   * `history` reply this socket received; required once it has received one.
   */
  | { type: "history"; after: number; ack?: string };

export type ChatServerMessage =
  | { type: "chat"; message: ChatMessage }
  /** `ack`: present it in the next `history` request on this socket. */
  | { type: "history"; after: number; messages: ChatMessage[]; more: boolean; ack: string };

export const CHAT_ERRORS = [
  "text-too-long",
  /** Over the member's chat ration: the message was not stored; send it again later (same `cid`). */
  "chat-throttled",
  /**
   * A `history` request without the last reply's `ack` (missing or wrong): that reply has not
   * been read yet. Ask again with the `ack` of the last reply received.
   */
  "history-unacked",
  /** Over the member's history ration (10, then 2 a second): ask again in a moment. */
  "history-throttled",
] as const;

export function chatMessage(v: unknown): ChatMessage | null {
  if (!isObj(v)) return null;
  const { seq, from, name, text, ts, cid } = v;
  if (!isSeq(seq) || !isPeerId(from) || !isString(name) || !isString(text) || !isTime(ts) || !isString(cid)) return null;
  if (v.voice === undefined) return { seq, from, name, text, ts, cid };
  const voice = voiceRef(v.voice);
  return voice ? { seq, from, name, text, ts, cid, voice } : null;
}

const isAck = (v: unknown): v is string => isString(v) && v.length > 0 && v.length <= ACK_MAX_CHARS;

export const chatClient: ClientValidators<ChatClientMessage, (typeof CHAT_ERRORS)[number]> = {
  chat: (v) => {
    if (!isString(v.text)) return bad("chat", "`text` must be a string");
    if (!isString(v.cid) || v.cid.length === 0 || v.cid.length > LIMITS.cidMaxChars) {
      return bad("chat", `\`cid\` must be a string of 1–${LIMITS.cidMaxChars} characters`);
    }
    let voice: { key: string } | undefined;
    if (v.voice !== undefined) {
      if (!isObj(v.voice) || !isString(v.voice.key) || !VOICE_KEY.test(v.voice.key)) return bad("chat", "`voice` must be {key} with a voice key");
      voice = { key: v.voice.key };
    }
    if (!voice && v.text.trim().length === 0) return bad("chat", "`text` must not be empty");
    if (charCount(v.text) > LIMITS.chatMaxChars) return fail("text-too-long", `text is longer than ${LIMITS.chatMaxChars} characters`);
    // Made well-formed here, so that what the room echoes live and what it stores are the same.
    return ok({ type: "chat", text: wellFormed(v.text), cid: v.cid, ...(voice ? { voice } : {}) });
  },
  history: (v) => {
    if (!isSeq(v.after)) return bad("history", "`after` must be a non-negative integer");
    if (v.ack === undefined) return ok({ type: "history", after: v.after });
    if (!isAck(v.ack)) return bad("history", `\`ack\` must be a string of 1–${ACK_MAX_CHARS} characters`);
    return ok({ type: "history", after: v.after, ack: v.ack });
  },
};

export const chatServer: ServerValidators<ChatServerMessage> = {
  chat: (v) => {
    const message = chatMessage(v.message);
    return message ? { type: "chat", message } : null;
  },
  history: (v) => {
    const messages = listOf(v.messages, chatMessage);
    if (!messages || !isSeq(v.after) || typeof v.more !== "boolean" || !isAck(v.ack)) return null;
    return { type: "history", after: v.after, messages, more: v.more, ack: v.ack };
  },
};
