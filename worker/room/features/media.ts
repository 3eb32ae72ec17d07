// A member's mic, camera and screen state: kept in the roster (a later joiner sees it in the
// welcome) and announced to the others.

import { sendTo } from "../effects";
import type { MemberHandler, MessageOf } from "../handler";

export const media: MemberHandler<MessageOf<"media">> = {
  who: "member",
  run(room, from, msg) {
    room.save({ ...from, media: msg.media });
    return [sendTo(room.others(from.id), { type: "peer-media", id: from.id, media: msg.media })];
  },
};
