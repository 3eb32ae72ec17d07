// Which simulcast layer to pull of a camera, from the tile's size, the downlink's loss and the
// layer pulled now; and the loss figure from two stats readings.

import { describe, expect, it } from "vitest";
import { chooseRid, GOOD_INTERVALS_TO_RECOVER, intervalLoss, LINK_GOOD, type LinkVerdict, nextVerdict } from "../../web/src/engine/sfu/layer-choice";

const RIDS = ["h", "m", "l"];
const pick = (tileHeight: number | null, poor = false, current: string | null = null) => chooseRid({ rids: RIDS, topHeight: null, tileHeight, poor, current });

describe("chooseRid", () => {
  it("takes the smallest layer that fills the tile (720, 360, 180 pixels high)", () => {
    expect(pick(720)).toBe("h");
    expect(pick(600)).toBe("h");
    expect(pick(400)).toBe("m");
    expect(pick(300)).toBe("m");
    expect(pick(200)).toBe("l");
    expect(pick(90)).toBe("l");
  });

  it("sizes the layers from the height the publisher announced: a 360p camera's top layer for a 300 px tile, not its 180p one", () => {
    const two = (tileHeight: number) => chooseRid({ rids: ["h", "m"], topHeight: 360, tileHeight, poor: false, current: null });
    expect(two(300)).toBe("h");
    expect(two(200)).toBe("m");
    expect(two(120)).toBe("m");
    // Unannounced, the same tile takes "m", guessed 360p but really 180p.
    expect(chooseRid({ rids: ["h", "m"], topHeight: null, tileHeight: 300, poor: false, current: null })).toBe("m");
  });

  it("takes the middle layer while the tile's size is unknown, and nothing without simulcast", () => {
    expect(pick(null)).toBe("m");
    expect(chooseRid({ rids: ["a", "b"], topHeight: null, tileHeight: null, poor: false, current: null })).toBe("b");
    expect(chooseRid({ rids: [], topHeight: null, tileHeight: 720, poor: false, current: null })).toBeNull();
  });

  it("goes one layer down while the downlink is poor, never below the lowest", () => {
    expect(pick(720, true)).toBe("m");
    expect(pick(720, false)).toBe("h");
    expect(pick(100, true)).toBe("l");
  });

  it("does not go up for a tile that grew only a little past the current layer (no re-pull at every step of a resize)", () => {
    // 250 px wants "m" from scratch, but "l" (180) still covers it within the margin.
    expect(pick(250, false, null)).toBe("m");
    expect(pick(250, false, "l")).toBe("l");
    expect(pick(400, false, "l")).toBe("m");
    // Going down is never held back.
    expect(pick(100, false, "h")).toBe("l");
  });
});

describe("nextVerdict", () => {
  const run = (losses: Array<number | null>, from: LinkVerdict = LINK_GOOD) => losses.reduce<LinkVerdict>((v, loss) => nextVerdict(v, loss), from).poor;

  it("turns poor at 5 % loss at once, and not below it", () => {
    expect(run([0.06])).toBe(true);
    expect(run([0.04])).toBe(false);
    expect(run([0.01, 0.01, 0.05])).toBe(true);
  });

  it("turns good again only after enough good intervals in a row below 2 %", () => {
    const good = Array.from({ length: GOOD_INTERVALS_TO_RECOVER }, () => 0.01);
    expect(run([0.06, ...good.slice(1)])).toBe(true);
    expect(run([0.06, ...good])).toBe(false);
    // A reading between the lines, or a poor one, starts the run again.
    expect(run([0.06, ...good.slice(1), 0.03, ...good.slice(1)])).toBe(true);
    expect(run([0.06, ...good.slice(1), 0.08, ...good])).toBe(false);
    // Good stays good through readings between the lines.
    expect(run([0.03, 0.04, 0.03])).toBe(false);
  });

  it("keeps its verdict and its run while the loss is unknown (a re-pulled layer resets the counters)", () => {
    expect(run([0.06, null])).toBe(true);
    expect(run([null])).toBe(false);
    const good = Array.from({ length: GOOD_INTERVALS_TO_RECOVER - 1 }, () => 0.01);
    expect(run([0.06, ...good, null])).toBe(true);
    expect(run([0.06, ...good, null, 0.01])).toBe(false);
  });
});

describe("intervalLoss", () => {
  it("is lost / (received + lost) over the interval; unknown on the first reading or when nothing came", () => {
    expect(intervalLoss(null, { received: 100, lost: 0 })).toBeNull();
    expect(intervalLoss({ received: 100, lost: 0 }, { received: 190, lost: 10 })).toBeCloseTo(0.1);
    expect(intervalLoss({ received: 100, lost: 5 }, { received: 100, lost: 5 })).toBeNull();
    // A pull closed between readings makes the sums fall: no figure rather than a wrong one.
    expect(intervalLoss({ received: 500, lost: 5 }, { received: 100, lost: 0 })).toBeNull();
  });
});
