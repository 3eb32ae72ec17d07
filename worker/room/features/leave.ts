// Leaving on purpose: the member goes at once (no grace period), and its socket is closed. A
// knocker's leave cancels its knock.

import { CloseCode } from "../../../protocol/protocol";
import { refuse, SCHEDULE, UNBIND } from "../effects";
import type { AnyHandler, MessageOf } from "../handler";
import { reviewHosts } from "./hosts";
import { knockGone } from "./lobby";

const LEFT = { code: CloseCode.Left, reason: "left" } as const;

export const leave: AnyHandler<MessageOf<"leave">> = {
  // Any socket: a knocker is no member, and may cancel. Anyone else must have joined.
  who: "any",
  run(room, from, _msg, via) {
    // The room may now be empty: the chat retention clock starts, hence the alarm.
    if (from !== null) return [...room.remove(from.id), ...reviewHosts(room), UNBIND, { kind: "close", ...LEFT }, SCHEDULE];
    if (via.knock !== null) return [...knockGone(room, via.knock), { kind: "end-knock", knock: via.knock, close: LEFT }, SCHEDULE];
    return refuse("not-joined", 'send "join" before "leave"');
  },
};
