import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { STATS_INTERVAL_MS, StatsPoll, type StatsSource } from "../../web/src/engine/mesh/stats-poll";
import type { PeerState } from "../../web/src/engine/peer/peer-link";

const report = (peerId: string) => new Map([["x", { peerId }]]) as unknown as RTCStatsReport;

function source(peerId: string, state: PeerState, fail = false) {
  const getStats = vi.fn(async () => {
    if (fail) throw new Error("InvalidStateError: closed");
    return report(peerId);
  });
  return { peerId, state, getStats } satisfies StatsSource;
}

describe("StatsPoll", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("asks each connected link once per tick and hands every subscriber the same report", async () => {
    const links = [source("a", "connected"), source("b", "reconnecting"), source("c", "connected")];
    const poll = new StatsPoll(() => links);
    const first: string[] = [];
    const second: string[] = [];
    poll.subscribe((s) => first.push(s.peerId));
    poll.subscribe((s) => second.push(s.peerId));
    await vi.advanceTimersByTimeAsync(STATS_INTERVAL_MS);
    expect(links.map((l) => l.getStats.mock.calls.length)).toEqual([1, 0, 1]);
    expect(first).toEqual(["a", "c"]);
    expect(second).toEqual(["a", "c"]);
    poll.dispose();
  });

  it("skips a link whose getStats rejects, without an unhandled rejection, and goes on with the rest", async () => {
    const links = [source("a", "connected", true), source("b", "connected")];
    const poll = new StatsPoll(() => links);
    const seen: string[] = [];
    poll.subscribe((s) => seen.push(s.peerId));
    await vi.advanceTimersByTimeAsync(STATS_INTERVAL_MS * 2);
    expect(seen).toEqual(["b", "b"]);
    poll.dispose();
  });

  it("runs its timer only while subscribed, stops on dispose, and refuses subscriptions after it", async () => {
    const links = [source("a", "connected")];
    const poll = new StatsPoll(() => links);
    await vi.advanceTimersByTimeAsync(STATS_INTERVAL_MS);
    expect(links[0]!.getStats).not.toHaveBeenCalled();
    const off = poll.subscribe(() => {});
    await vi.advanceTimersByTimeAsync(STATS_INTERVAL_MS);
    off();
    await vi.advanceTimersByTimeAsync(STATS_INTERVAL_MS * 3);
    expect(links[0]!.getStats).toHaveBeenCalledTimes(1);
    poll.subscribe(() => {});
    poll.dispose();
    await vi.advanceTimersByTimeAsync(STATS_INTERVAL_MS * 3);
    expect(links[0]!.getStats).toHaveBeenCalledTimes(1);
    expect(vi.getTimerCount()).toBe(0);
    expect(() => poll.subscribe(() => {})).toThrow(/after dispose/);
  });
});
