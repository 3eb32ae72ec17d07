// Chat: messages get the room's sequence number and time, and are kept (chat-log) for late
// joiners and for members catching up after a dropped socket (`history`, by sequence number).
// What a member may cost the room, in messages, pages and unread replies, is in chat-quota.ts. A
// voice message is a chat message that carries a recording its author uploaded (voice.ts).

import { assertNever, LIMITS, type ChatMessage, type VoiceRef } from "../../../protocol/protocol";
import { error, refuse, sendSelf, sendTo } from "../effects";
import type { MemberHandler, MessageOf } from "../handler";
import type { RoomState } from "../state";
import { dropVoice, voiceFor, voiceSent } from "./voice";

export const chat: MemberHandler<MessageOf<"chat">> = {
  who: "member",
  run(room, from, msg) {
    // A resend of a message that already landed (the author reconnected before seeing its echo)
    // is answered to the author alone, so nobody sees it twice. It costs no ration: it stores
    // nothing, and a client resending its outbox after chat-throttled must not be refused again
    // for what did land.
    const existing = room.log.findByClientId(from.id, msg.cid);
    if (existing) return [sendSelf({ type: "chat", message: existing })];
    let voice: VoiceRef | null = null;
    if (msg.voice) {
      voice = voiceFor(room, from, msg.voice.key);
      if (!voice) return refuse("bad-voice", "no recording of yours under this key is waiting to be sent: upload it first (voice-upload), and send it once");
    }
    if (!room.chatOf(from.id).takeMessage(room.deps.now())) {
      return [error("chat-throttled", "too many chat messages: this one was not stored; send it again in a moment")];
    }
    const message = room.log.append({ from: from.id, name: from.name, text: msg.text, ts: room.deps.now(), cid: msg.cid, ...(voice ? { voice } : {}) });
    if (voice) voiceSent(room, voice.key, message.seq);
    // Recordings go with the messages the cap drops.
    const dropped = dropVoice(room, room.log.trim(room.config.chatCap));
    return [sendTo([...room.members.keys()], { type: "chat", message }), ...dropped];
  },
};

export const history: MemberHandler<MessageOf<"history">> = {
  who: "member",
  run(room, from, msg) {
    const allowance = room.chatOf(from.id);
    const admission = allowance.admitPage(msg.ack, room.deps.now());
    switch (admission) {
      case "ok":
        break;
      case "unread":
        return [error("history-unacked", "the last history reply has not been acknowledged: send its `ack` with the next request")];
      case "throttled":
        return [error("history-throttled", "too many history requests: ask again in a moment")];
      default:
        return assertNever(admission);
    }
    const messages = room.log.after(msg.after, LIMITS.historyPage, room.config.historyPageBytes);
    // Stored messages are a run of consecutive sequence numbers up to lastSeq (only the oldest
    // are ever dropped), so a page that ends before lastSeq has more after it.
    const last = messages.at(-1);
    const more = last !== undefined && last.seq < room.log.lastSeq();
    const ack = room.deps.newToken();
    allowance.pageSent(ack);
    return [sendSelf({ type: "history", after: msg.after, messages, more, ack })];
  },
};

/**
 * The chat a welcome carries: the tail, or what came after `since`, a page's worth in messages
 * and in bytes. The welcome starts the member's new socket, on which no history reply is unread.
 */
export function chatTail(room: RoomState, peerId: string, since: number | undefined): ChatMessage[] {
  room.chatOf(peerId).newSocket();
  const { historyTail, historyPageBytes } = room.config;
  return since === undefined ? room.log.tail(historyTail, historyPageBytes) : room.log.after(since, LIMITS.historyPage, historyPageBytes);
}
