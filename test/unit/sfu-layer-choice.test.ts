// Which simulcast layer to pull of a camera, from the tile's size, the downlink's loss and the
// layer pulled now; and the loss figure from two stats readings.

import { describe, expect, it } from "vitest";
import { chooseRid, intervalLoss, linkPoor } from "../../web/src/engine/sfu/layer-choice";

const RIDS = ["h", "m", "l"];
const pick = (tileHeight: number | null, poor = false, current: string | null = null) => chooseRid({ rids: RIDS, tileHeight, poor, current });

describe("chooseRid", () => {
  it("takes the smallest layer that fills the tile (720, 360, 180 pixels high)", () => {
    expect(pick(720)).toBe("h");
    expect(pick(600)).toBe("h");
    expect(pick(400)).toBe("m");
    expect(pick(300)).toBe("m");
    expect(pick(200)).toBe("l");
    expect(pick(90)).toBe("l");
  });

  it("takes the middle layer while the tile's size is unknown, and nothing without simulcast", () => {
    expect(pick(null)).toBe("m");
    expect(chooseRid({ rids: ["a", "b"], tileHeight: null, poor: false, current: null })).toBe("b");
    expect(chooseRid({ rids: [], tileHeight: 720, poor: false, current: null })).toBeNull();
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

describe("linkPoor", () => {
  it("turns poor at 5 % loss, good again only below 2 %, and keeps its verdict while the loss is unknown", () => {
    expect(linkPoor(false, 0.06)).toBe(true);
    expect(linkPoor(false, 0.04)).toBe(false);
    expect(linkPoor(true, 0.03)).toBe(true);
    expect(linkPoor(true, 0.01)).toBe(false);
    // A layer pulled again resets the counters: no figure, no change (no flapping between layers).
    expect(linkPoor(true, null)).toBe(true);
    expect(linkPoor(false, null)).toBe(false);
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
