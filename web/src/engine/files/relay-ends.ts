// How the room's word on a relayed file's end (protocol/features/file-relay.ts RELAY_ENDS) reads
// on a card: the same FileEnd a peer-to-peer transfer ends with, so the UI says it in one place.

import type { RelayEnd } from "../../../../protocol/protocol";
import type { FileEnd } from "../features/files-view";

/** The end the room reported (never "done": that is a success, not an end). */
export function relayEnd(reason: Exclude<RelayEnd, "done">): FileEnd {
  switch (reason) {
    case "cancelled":
      return { problem: "cancelled", by: "remote" };
    case "declined":
      return { problem: "declined", by: "remote" };
    case "failed":
      return { problem: "interrupted", by: "link" };
    case "expired":
      return { problem: "expired", by: "link" };
    case "left":
      return { problem: "left", by: "remote" };
    case "busy":
      return { problem: "busy", by: "remote" };
    case "refused":
      return { problem: "unreachable", by: "link" };
  }
}
