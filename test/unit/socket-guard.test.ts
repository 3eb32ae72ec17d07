import { describe, expect, it } from "vitest";
import { INVALID_FORGIVE_MS, SocketGuard, type GuardPolicy } from "../../worker/socket-guard";

const policy: GuardPolicy = { rate: { perSecond: 10, burst: 5 }, maxDropped: 20, maxInvalidFrames: 3 };

describe("SocketGuard", () => {
  it("admits a burst, then throttles once, then drops silently", () => {
    const g = new SocketGuard(policy, 0);
    const got = Array.from({ length: 8 }, () => g.admit(0));
    expect(got).toEqual(["ok", "ok", "ok", "ok", "ok", "throttled", "drop", "drop"]);
  });

  it("refills at the configured rate", () => {
    const g = new SocketGuard(policy, 0);
    for (let i = 0; i < 5; i++) g.admit(0);
    expect(g.admit(0)).toBe("throttled");
    expect(g.admit(100)).toBe("ok"); // 100 ms at 10/s = one token
    expect(g.admit(100)).toBe("drop");
  });

  it("lets an honest client that stays under the rate run forever", () => {
    const g = new SocketGuard(policy, 0);
    for (let t = 0; t < 60_000; t += 100) expect(g.admit(t)).toBe("ok");
  });

  it("closes a flooder that keeps the bucket empty, even if a token trickles in now and then", () => {
    const g = new SocketGuard(policy, 0);
    let t = 0;
    let result = "ok";
    let frames = 0;
    // 40 frames a second against a rate of 10: three of four are dropped.
    while (result !== "close" && frames < 10_000) {
      t += 25;
      result = g.admit(t);
      frames++;
    }
    expect(result).toBe("close");
    expect(frames).toBeLessThan(100);
  });

  it("forgives drops over time, and warns again after recovering", () => {
    const g = new SocketGuard(policy, 0);
    for (let i = 0; i < 5; i++) g.admit(0);
    expect(g.admit(0)).toBe("throttled");
    for (let i = 0; i < 10; i++) expect(g.admit(0)).toBe("drop");
    // 11 drops forgiven after 11 s; the bucket is full again too.
    const later = 11_000;
    for (let i = 0; i < 5; i++) expect(g.admit(later)).toBe("ok");
    expect(g.admit(later)).toBe("throttled");
  });

  it("counts invalid frames up to the allowance", () => {
    const g = new SocketGuard(policy, 0);
    expect([g.strike(0), g.strike(0), g.strike(0)]).toEqual([false, false, true]);
  });

  it("forgives invalid and refused frames slowly: one per INVALID_FORGIVE_MS", () => {
    const g = new SocketGuard(policy, 0);
    expect([g.strike(0), g.strike(0)]).toEqual([false, false]);
    // One forgiven: one more is tolerated, the next closes.
    expect(g.strike(INVALID_FORGIVE_MS)).toBe(false);
    expect(g.strike(INVALID_FORGIVE_MS)).toBe(true);
    // A correct client's rare refusals, spread over a long call, never add up.
    const h = new SocketGuard(policy, 0);
    for (let i = 1; i <= 100; i++) expect(h.strike(i * INVALID_FORGIVE_MS)).toBe(false);
  });
});
