// Who connects to whom, and who sends: everyone in a meeting; on a stage, speakers with everyone
// and viewers with speakers only, receive-only.

import { describe, expect, it } from "vitest";
import type { Mode, Seat } from "../../protocol/protocol";
import { linkWanted, publishes, tiered } from "../../web/src/engine/mesh/link-policy";

const rows: Array<[mode: Mode, self: Seat, peer: Seat, wanted: boolean, publish: boolean, tiered: boolean]> = [
  ["meeting", "speaker", "speaker", true, true, false],
  // A seat other than "speaker" in a meeting (a mode switch half-way through): still a meeting.
  ["meeting", "viewer", "viewer", true, true, false],
  ["stage", "speaker", "speaker", true, true, false],
  ["stage", "speaker", "viewer", true, true, true],
  ["stage", "viewer", "speaker", true, false, false],
  ["stage", "viewer", "viewer", false, false, false],
];

describe("link policy", () => {
  it.each(rows)("%s, we are a %s, they are a %s: link %s, publish %s, tiered %s", (mode, self, peer, wanted, publish, tier) => {
    expect(linkWanted({ mode, seat: self }, peer)).toBe(wanted);
    expect(publishes({ mode, seat: self })).toBe(publish);
    expect(tiered({ mode, seat: self }, peer)).toBe(tier);
  });

  it("treats a peer of unknown seat as a viewer", () => {
    expect(linkWanted({ mode: "stage", seat: "viewer" }, undefined)).toBe(false);
    expect(linkWanted({ mode: "stage", seat: "speaker" }, undefined)).toBe(true);
  });
});
