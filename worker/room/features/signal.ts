// Signaling: relayed to the one addressed member, stamped with the sender's id from its socket.
// The room never looks inside. This is the hot path: one lookup, one frame, no storage.

import { refuse, sendTo } from "../effects";
import type { MemberHandler, MessageOf } from "../handler";

export const signal: MemberHandler<MessageOf<"signal">> = {
  who: "member",
  run(room, from, msg) {
    if (msg.to === from.id || !room.members.has(msg.to)) return refuse("unknown-peer", `no peer "${msg.to}" in this room`);
    // To an away member it is dropped (it has no socket): the pair renegotiates when it is back.
    return [sendTo([msg.to], { type: "signal", from: from.id, data: msg.data })];
  },
};
