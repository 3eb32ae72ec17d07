// A member's mic, camera and screen state: kept in the roster (a later joiner sees it in the
// welcome) and announced to the others. A viewer on a stage publishes nothing: its frame that
// turns anything on is refused (all off is accepted, so that a client can always say so).

import { refuse, sendTo } from "../effects";
import type { MemberHandler, MessageOf } from "../handler";

export const media: MemberHandler<MessageOf<"media">> = {
  who: "member",
  run(room, from, msg) {
    const { mic, cam, screen } = msg.media;
    if (from.seat === "viewer" && (mic || cam || screen)) return refuse("not-on-stage", "a viewer publishes nothing: a host must move you onto the stage first");
    room.save({ ...from, media: msg.media });
    return [sendTo(room.others(from.id), { type: "peer-media", id: from.id, media: msg.media })];
  },
};
