// Signaling: relayed to the one addressed member, stamped with the sender's id from its socket.
// The room never looks inside. This is the hot path: one lookup, one frame, no storage.
//
// On a stage, viewers connect to speakers only (features/stage.ts): a viewer's signal to another
// viewer is refused. No mode check is needed: in a meeting every seat is "speaker". That refusal
// is no strike against the socket: signals in flight when a seat changes (a meeting becoming a
// stage, a speaker moved back) meet it in the normal course, one per link, and a viewer who
// joined late in a big room would otherwise be expelled for them. A client that keeps sending them
// is still bounded by the socket's frame rate.

import { error, refuse, sendTo } from "../effects";
import type { MemberHandler, MessageOf } from "../handler";
import { hiddenFrom } from "./crowd";

export const signal: MemberHandler<MessageOf<"signal">> = {
  who: "member",
  run(room, from, msg) {
    const to = msg.to === from.id ? undefined : room.members.get(msg.to);
    if (!to) return refuse("unknown-peer", `no peer "${msg.to}" in this room`);
    // One crowd member is not there for another (features/crowd.ts): the same answer, but no strike (see above).
    if (hiddenFrom(room, from, to)) return [error("unknown-peer", `no peer "${msg.to}" in this room`)];
    if (from.seat === "viewer" && to.seat === "viewer") return [error("not-on-stage", "a viewer connects to speakers only, not to another viewer")];
    // To an away member it is dropped (it has no socket): the pair renegotiates when it is back.
    return [sendTo([msg.to], { type: "signal", from: from.id, data: msg.data })];
  },
};
