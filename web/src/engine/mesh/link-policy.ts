// Which participants we keep a peer connection with, and whether we send on it. In a meeting,
// everyone with everyone, both ways. On a stage, speakers form a mesh among themselves and each
// speaker has a link to every viewer; viewers never connect to each other (the room would refuse
// their signals anyway) and send nothing. Who offers first on a wanted link is not decided here
// (the later joiner, mesh.ts). Pure.

import type { Seat } from "../../../../protocol/protocol";
import type { StageSeat } from "../session/transport";

/** Whether a link to a participant in `peerSeat` is wanted; an unknown seat counts as a viewer's. */
export function linkWanted(self: StageSeat, peerSeat: Seat | undefined): boolean {
  return self.mode === "meeting" || self.seat === "speaker" || peerSeat === "speaker";
}

/** Whether we publish (camera, mic, screen) on our links: everyone in a meeting, speakers on a stage. */
export function publishes(self: StageSeat): boolean {
  return self.mode === "meeting" || self.seat === "speaker";
}

/**
 * Whether the link to a participant in `peerSeat` is subject to our stage tiers (stage-tiers.ts):
 * we are a speaker on a stage and it is a viewer, one of many copies our uplink must afford.
 */
export function tiered(self: StageSeat, peerSeat: Seat | undefined): boolean {
  return self.mode === "stage" && self.seat === "speaker" && peerSeat !== "speaker";
}
