import { describe, expect, it } from "vitest";
import { ACTIVE_HOLD_MS, ActiveSpeaker } from "../../web/src/engine/presence/active-speaker";

const starts = (entries: Record<string, number>) => new Map(Object.entries(entries));

describe("ActiveSpeaker", () => {
  it("takes the first speaker at once", () => {
    const active = new ActiveSpeaker();
    expect(active.update(starts({}), 0)).toBe(false);
    expect(active.value).toBeNull();
    expect(active.update(starts({ a: 100 }), 100)).toBe(true);
    expect(active.value).toBe("a");
  });

  it("holds a speaker 1.5 s before moving to whoever started speaking after them", () => {
    const active = new ActiveSpeaker();
    active.update(starts({ a: 0 }), 0);
    // "b" starts while "a" goes on: "a" has had the floor for 500 ms only.
    expect(active.update(starts({ a: 0, b: 500 }), 500)).toBe(false);
    expect(active.update(starts({ a: 0, b: 500 }), ACTIVE_HOLD_MS - 1)).toBe(false);
    expect(active.value).toBe("a");
    expect(active.update(starts({ a: 0, b: 500 }), ACTIVE_HOLD_MS)).toBe(true);
    expect(active.value).toBe("b");
  });

  it("does not move for an interjection that is over before the hold is", () => {
    const active = new ActiveSpeaker();
    active.update(starts({ a: 0 }), 0);
    active.update(starts({ a: 0, b: 400 }), 400);
    // "b" stopped by 1.4 s; at 1.5 s only "a" speaks.
    expect(active.update(starts({ a: 0 }), 1500)).toBe(false);
    expect(active.value).toBe("a");
  });

  it("stays on the last speaker when everyone is quiet, and moves to the next one to speak after the hold", () => {
    const active = new ActiveSpeaker();
    active.update(starts({ a: 0 }), 0);
    expect(active.update(starts({}), 5000)).toBe(false);
    expect(active.value).toBe("a");
    expect(active.update(starts({ b: 6000 }), 6000)).toBe(true);
    expect(active.value).toBe("b");
  });

  it("keeps the current speaker on a tie, and agrees on the smallest id otherwise", () => {
    const active = new ActiveSpeaker();
    active.update(starts({ c: 0, b: 0 }), 0);
    expect(active.value).toBe("b");
    expect(active.update(starts({ a: 0, b: 0 }), 10_000)).toBe(false);
    expect(active.value).toBe("b");
  });

  it("clears when the active speaker leaves; the next speaker takes it at once", () => {
    const active = new ActiveSpeaker();
    active.update(starts({ a: 0 }), 0);
    expect(active.remove("b")).toBe(false);
    expect(active.remove("a")).toBe(true);
    expect(active.value).toBeNull();
    expect(active.update(starts({ b: 100 }), 100)).toBe(true);
    expect(active.value).toBe("b");
  });
});
