// The room's choice of transport (worker/room/features/transport-choice.ts): the thresholds and
// the hysteresis of protocol/features/transport.ts, and the switch ration.

import { describe, expect, it } from "vitest";
import { neededTransport, switchAt, type TransportInputs } from "../../worker/room/features/transport-choice";

const meeting = (members: number, current: TransportInputs["current"], sfu = true): TransportInputs => ({
  current, sfu, mode: "meeting", members, viewers: 0, meshMax: 6, meshViewers: 25,
});
const stage = (viewers: number, current: TransportInputs["current"], meshViewers = 25): TransportInputs => ({
  current, sfu: true, mode: "stage", members: viewers + 2, viewers, meshMax: 6, meshViewers,
});

describe("the transport choice", () => {
  it("takes a meeting to the SFU past meshMax, and back only at meshMax − 2", () => {
    const up = Array.from({ length: 10 }, (_, n) => neededTransport(meeting(n, "mesh")));
    expect(up).toEqual(["mesh", "mesh", "mesh", "mesh", "mesh", "mesh", "mesh", "sfu", "sfu", "sfu"]);
    const down = Array.from({ length: 10 }, (_, n) => neededTransport(meeting(n, "sfu")));
    // 7 in, 5 and 6 stay (the band), 4 goes back.
    expect(down).toEqual(["mesh", "mesh", "mesh", "mesh", "mesh", "sfu", "sfu", "sfu", "sfu", "sfu"]);
  });

  it("does not flip when one person comes and goes at the line", () => {
    let current = neededTransport(meeting(7, "mesh"));
    for (const n of [6, 7, 6, 7, 6, 5, 6, 7]) current = neededTransport(meeting(n, current));
    expect(current).toBe("sfu");
    current = neededTransport(meeting(4, current));
    expect(current).toBe("mesh");
    for (const n of [5, 6, 5, 6]) current = neededTransport(meeting(n, current));
    expect(current).toBe("mesh");
  });

  it("takes a stage to the SFU past meshViewers viewers, and back at meshViewers − 5", () => {
    expect(neededTransport(stage(25, "mesh"))).toBe("mesh");
    expect(neededTransport(stage(26, "mesh"))).toBe("sfu");
    expect(neededTransport(stage(21, "sfu"))).toBe("sfu");
    expect(neededTransport(stage(20, "sfu"))).toBe("mesh");
    // A stage counts viewers, not members: a large meeting's count does not matter to it.
    expect(neededTransport({ ...stage(3, "mesh"), members: 40 })).toBe("mesh");
  });

  it("goes back when nobody is left, even where the lower line would be below zero", () => {
    expect(neededTransport(stage(4, "mesh", 3))).toBe("sfu");
    expect(neededTransport(stage(1, "sfu", 3))).toBe("sfu");
    expect(neededTransport(stage(0, "sfu", 3))).toBe("mesh");
    expect(neededTransport({ ...meeting(0, "sfu"), meshMax: 2 })).toBe("mesh");
    expect(neededTransport({ ...meeting(1, "sfu"), meshMax: 2 })).toBe("sfu");
  });

  it("never chooses the SFU without one", () => {
    for (const n of [0, 7, 50, 1000]) expect(neededTransport(meeting(n, "mesh", false))).toBe("mesh");
    // Even a room stored as on the SFU (the deployment lost its credentials) goes back.
    expect(neededTransport(meeting(40, "sfu", false))).toBe("mesh");
    expect(neededTransport({ ...stage(900, "sfu"), sfu: false })).toBe("mesh");
  });

  it("switches at once the first time, then at most once per the ration", () => {
    expect(switchAt(null, 5_000, 10_000)).toBe(5_000);
    expect(switchAt(5_000, 6_000, 10_000)).toBe(15_000);
    expect(switchAt(5_000, 15_000, 10_000)).toBe(15_000);
    expect(switchAt(5_000, 40_000, 10_000)).toBe(40_000);
  });
});
