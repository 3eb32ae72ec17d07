// What one member's chat may cost the room: a ration of messages, a ration of history pages, and
// at most one history reply unread at a time; and what a message costs, in bytes.
//
// Kept in memory only, per member: a resume keeps its member's allowance (reconnecting buys no
// fresh ration), and a room woken from hibernation starts everyone afresh, which gives nothing
// away: a room hibernates only after its sockets were quiet for a while, time in which the
// buckets would have refilled anyway.

import type { ChatMessage } from "../../../protocol/protocol";
import type { RoomConfig } from "../../config";
import { TokenBucket } from "../../socket-guard";

/** Whether a `history` request is served: "unread" when the last reply's token was not presented. */
export type PageAdmission = "ok" | "unread" | "throttled";

export class MemberChat {
  private readonly messages: TokenBucket;
  private readonly pages: TokenBucket;
  /**
   * The token the last history reply carried, until a request presents it. workerd has no
   * `bufferedAmount` (cloudflare/workerd#988), so the room cannot see whether a client reads;
   * a client that presents the token has read the reply, and everything sent before it.
   */
  private unread: string | null = null;

  constructor(config: Pick<RoomConfig, "chatRate" | "historyRate">, now: number) {
    this.messages = new TokenBucket(config.chatRate, now);
    this.pages = new TokenBucket(config.historyRate, now);
  }

  /** Takes one message from the ration; false when it is spent (the message is not stored). */
  takeMessage(now: number): boolean {
    return this.messages.take(now);
  }

  /**
   * A `history` request. The token check comes first and costs no ration, so that a refused
   * request can be retried with the same token. With no reply outstanding (the socket's first
   * request, or the room woke from hibernation) any token, or none, will do.
   */
  admitPage(ack: string | undefined, now: number): PageAdmission {
    // A plain comparison: timing could leak the token a character at a time only over thousands
    // of tries, and the page ration allows a few per second.
    if (this.unread !== null && ack !== this.unread) return "unread";
    return this.pages.take(now) ? "ok" : "throttled";
  }

  /** A reply went out carrying `ack`: the next request must present it. */
  pageSent(ack: string): void {
    this.unread = ack;
  }

  /** The member is on a new socket (a welcome went out on it): nothing is unread there. */
  newSocket(): void {
    this.unread = null;
  }
}

/**
 * What a message costs in a frame: its UTF-8 size as JSON, plus the comma between it and the
 * next. Pages and the room's cap count in these bytes.
 */
export function chatBytes(message: ChatMessage): number {
  return utf8Length(JSON.stringify(message)) + 1;
}

/** UTF-8 length without encoding. JSON.stringify escapes lone surrogates, so pairs are whole. */
function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      n += 4; // a surrogate pair: one 4-byte code point
      i++;
    } else n += 3;
  }
  return n;
}
