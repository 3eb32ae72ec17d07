// Which simulcast layer to pull of a camera, from the tile's size, the downlink's loss and the
// layer pulled now; and the loss figure from two stats readings.

import { describe, expect, it } from "vitest";
import { chooseRid, intervalLoss } from "../../web/src/engine/sfu/layer-choice";

const RIDS = ["h", "m", "l"];
const pick = (tileHeight: number | null, loss: number | null = null, current: string | null = null) => chooseRid({ rids: RIDS, tileHeight, loss, current });

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
    expect(chooseRid({ rids: ["a", "b"], tileHeight: null, loss: null, current: null })).toBe("b");
    expect(chooseRid({ rids: [], tileHeight: 720, loss: null, current: null })).toBeNull();
  });

  it("goes one layer down while the downlink loses 5 % or more, never below the lowest", () => {
    expect(pick(720, 0.06)).toBe("m");
    expect(pick(720, 0.04)).toBe("h");
    expect(pick(100, 0.5)).toBe("l");
  });

  it("does not go up for a tile that grew only a little past the current layer (no re-pull at every step of a resize)", () => {
    // 250 px wants "m" from scratch, but "l" (180) still covers it within the margin.
    expect(pick(250, null, null)).toBe("m");
    expect(pick(250, null, "l")).toBe("l");
    expect(pick(400, null, "l")).toBe("m");
    // Going down is never held back.
    expect(pick(100, null, "h")).toBe("l");
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
