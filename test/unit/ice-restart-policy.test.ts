import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { IceRestartPolicy, RESTART_TIMING, type RestartableLink } from "../../web/src/engine/mesh/ice-restart-policy";

const link = (polite: boolean): RestartableLink & { state: RestartableLink["state"]; lastRemoteOfferAt: number } => ({ state: "connected", polite, lastRemoteOfferAt: 0 });

describe("IceRestartPolicy", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  function setup() {
    const restarts: RestartableLink[] = [];
    const attempts: RestartableLink[] = [];
    const policy = new IceRestartPolicy<RestartableLink>((l) => restarts.push(l), RESTART_TIMING, (l) => attempts.push(l));
    return { policy, restarts, attempts };
  }

  it("restarts once after `disconnected` lasts 4 s, and not if it recovers first", () => {
    const { policy, restarts } = setup();
    const a = link(false);
    const b = link(false);
    for (const l of [a, b]) {
      l.state = "reconnecting";
      policy.observe(l, "reconnecting");
    }
    vi.advanceTimersByTime(3000);
    b.state = "connected";
    policy.observe(b, "connected");
    vi.advanceTimersByTime(20_000);
    expect(restarts).toEqual([a]);
  });

  it("after `failed`, the impolite end restarts at once and every 3 s until connected", () => {
    const { policy, restarts } = setup();
    const l = link(false);
    l.state = "failed";
    policy.observe(l, "failed");
    vi.advanceTimersByTime(0);
    expect(restarts.length).toBe(1);
    vi.advanceTimersByTime(9000);
    expect(restarts.length).toBe(4);
    l.state = "connected";
    policy.observe(l, "connected");
    vi.advanceTimersByTime(30_000);
    expect(restarts.length).toBe(4);
  });

  it("the polite end leaves the restart to the other side while its offers keep coming", () => {
    const { policy, restarts, attempts } = setup();
    const l = link(true);
    l.state = "failed";
    policy.observe(l, "failed");
    l.lastRemoteOfferAt = Date.now() + 1000; // a restart offer arrives a second in
    vi.advanceTimersByTime(RESTART_TIMING.politeDelayMs);
    expect(restarts).toEqual([]);
    expect(attempts.length).toBe(1);
    vi.advanceTimersByTime(RESTART_TIMING.retryMs * 2); // the other side went quiet: our turn
    expect(restarts.length).toBeGreaterThan(0);
  });

  it("shows reconnecting while a failed link is being restarted, failed after 20 s of it, and clears on connect", () => {
    const { policy } = setup();
    const l = link(true);
    expect(policy.shown(l, "connected")).toBe("connected");
    l.state = "failed";
    policy.observe(l, "failed");
    expect(policy.shown(l, "failed")).toBe("reconnecting");
    vi.advanceTimersByTime(RESTART_TIMING.showFailedAfterMs - 1);
    expect(policy.shown(l, "failed")).toBe("reconnecting");
    vi.advanceTimersByTime(1);
    expect(policy.shown(l, "failed")).toBe("failed");
    l.state = "connected";
    policy.observe(l, "connected");
    expect(policy.shown(l, "connected")).toBe("connected");
  });

  it("a link waiting for credentials is released once", () => {
    const { policy } = setup();
    const l = link(false);
    policy.waitForCredentials(l);
    expect(policy.stopWaiting(l)).toBe(true);
    expect(policy.stopWaiting(l)).toBe(false);
    expect(policy.takeWaitingForCredentials()).toEqual([]);
  });
});
