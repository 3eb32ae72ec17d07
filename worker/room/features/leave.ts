// Leaving on purpose: the member goes at once (no grace period), and its socket is closed.

import { CloseCode } from "../../../protocol/protocol";
import { SCHEDULE, UNBIND } from "../effects";
import type { Handler, MessageOf } from "../handler";

export const leave: Handler<MessageOf<"leave">> = {
  who: "member",
  // The room may now be empty: the chat retention clock starts, hence the alarm.
  run: (room, from) => [...room.remove(from.id), UNBIND, { kind: "close", code: CloseCode.Left, reason: "left" }, SCHEDULE],
};
