// Chat: messages get the room's sequence number and time, and are kept (chat-log) for late
// joiners and for members catching up after a dropped socket (`history`, by sequence number).

import { LIMITS } from "../../../protocol/protocol";
import { sendSelf, sendTo } from "../effects";
import type { Handler, MessageOf } from "../handler";

export const chat: Handler<MessageOf<"chat">> = {
  who: "member",
  run(room, from, msg) {
    // A resend of a message that already landed (the author reconnected before seeing its echo)
    // is answered to the author alone, so nobody sees it twice.
    const existing = room.log.findByClientId(from.id, msg.cid);
    if (existing) return [sendSelf({ type: "chat", message: existing })];
    const message = room.log.append({ from: from.id, name: from.name, text: msg.text, ts: room.deps.now(), cid: msg.cid });
    return [sendTo([...room.members.keys()], { type: "chat", message })];
  },
};

export const history: Handler<MessageOf<"history">> = {
  who: "member",
  run(room, _from, msg) {
    const page = room.log.after(msg.after, LIMITS.historyPage + 1);
    const more = page.length > LIMITS.historyPage;
    const messages = more ? page.slice(0, LIMITS.historyPage) : page;
    return [sendSelf({ type: "history", after: msg.after, messages, more })];
  },
};
