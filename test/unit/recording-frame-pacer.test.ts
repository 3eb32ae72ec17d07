// The frame clock's back-pressure (web/src/engine/recording/frame-pacer.ts): a page that draws
// slower than the clock never has more than one tick waiting, and gets the owed tick at once.

import { describe, expect, it } from "vitest";
import { FramePacer } from "../../web/src/engine/recording/frame-pacer";

describe("frame pacer", () => {
  it("sends one tick at a time and coalesces the ones that fall due before the ack", () => {
    const sent: number[] = [];
    const pacer = new FramePacer((n) => sent.push(n));
    pacer.due();
    expect(sent).toEqual([0]);
    // The page is busy for a second: 30 timer firings, nothing more goes out.
    for (let i = 0; i < 30; i++) pacer.due();
    expect(sent).toEqual([0]);
    // It draws tick 0: the owed tick goes out at once, one for all 30.
    pacer.ack();
    expect(sent).toEqual([0, 1]);
    pacer.ack();
    expect(sent).toEqual([0, 1]);
    // Keeping up, every firing is a tick.
    for (let i = 0; i < 3; i++) {
      pacer.due();
      pacer.ack();
    }
    expect(sent).toEqual([0, 1, 2, 3, 4]);
  });
});
