// Fresh ICE credentials for a member, on request (before the current ones expire, or for an ICE
// restart). Minting may call a remote API, so it is rationed: enough for refreshes and restarts,
// not for harvesting TURN credentials.

import type { IceConfig } from "../../../protocol/protocol";
import { error, sendSelf, type Effect } from "../effects";
import type { MemberHandler, MessageOf } from "../handler";
import type { StoredMember } from "../ports";

export const ICE_REQUEST_RATE = { perSecond: 1 / 30, burst: 5 };

export const ice: MemberHandler<MessageOf<"ice">> = {
  who: "member",
  run(room, from) {
    if (!room.takeIceRequest(from.id, ICE_REQUEST_RATE)) return [error("ice-throttled", "too many ICE credential requests")];
    return [{ kind: "mint-ice", peerId: from.id, then: "ice" }];
  },
};

/** The credentials are ready; the socket still carries the member they were minted for, or it has moved on. */
export function iceMinted(from: StoredMember | null, peerId: string, config: IceConfig): Effect[] {
  return from?.id === peerId ? [sendSelf({ type: "ice", ice: config })] : [];
}
