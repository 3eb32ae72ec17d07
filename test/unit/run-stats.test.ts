import { describe, expect, it } from "vitest";
import { countConstruction } from "../../worker/durable/run-stats";

describe("run stats for the idle-cost benchmark", () => {
  it("count every construction but keep only the latest times", () => {
    let counts = countConstruction("room-a", 0);
    for (let t = 1; t < 100; t++) counts = countConstruction("room-a", t);
    expect(counts.constructions).toBe(100);
    expect(counts.constructedAt).toHaveLength(64);
    expect(counts.constructedAt.at(0)).toBe(36);
    expect(counts.constructedAt.at(-1)).toBe(99);
  });

  it("forget the oldest room past a bound", () => {
    const first = countConstruction("room-first", 0);
    for (let i = 0; i < 300; i++) countConstruction(`room-${i}`, 0);
    // A room forgotten is counted afresh: a new record, not the old one.
    expect(countConstruction("room-first", 1)).not.toBe(first);
  });
});
