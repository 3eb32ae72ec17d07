// Which stage viewers get a speaker's camera video: join order within the upload budget, a
// freeze while the encoder is short of CPU, and the next in line upgraded when a video viewer leaves.

import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Sending } from "../../web/src/engine/peer/media-layout";
import { admitVideo, cpuLimited, StageTiers, type TierLink } from "../../web/src/engine/mesh/stage-tiers";
import { STATS_INTERVAL_MS, StatsPoll } from "../../web/src/engine/mesh/stats-poll";

const ids = (n: number, from = 1) => Array.from({ length: n }, (_, i) => `v${i + from}`);
const admit = (viewers: number, extra: { speakers?: number; screen?: boolean; budgetBps?: number } = {}) =>
  admitVideo({ budgetBps: 2_500_000, speakers: 0, viewers: ids(viewers), screen: false, frozen: false, current: new Set(), ...extra }).size;

const report = (reason: string) => new Map([["o", { type: "outbound-rtp", kind: "video", qualityLimitationReason: reason }]]) as unknown as RTCStatsReport;

describe("admitVideo", () => {
  it("admits about 8 video viewers at the default 2.5 Mbps, fewer as every copy's audio adds up", () => {
    expect(admit(3)).toBe(3);
    expect(admit(8)).toBe(8);
    expect(admit(9)).toBe(8);
    expect(admit(25)).toBe(6);
  });

  it("keeps video for those who have it while the audience grows (down to the keep floor), latest-joined first to lose it", () => {
    const eight = new Set(ids(8));
    const grown = (n: number, budgetBps = 2_500_000) => [...admitVideo({ budgetBps, speakers: 0, viewers: ids(n), screen: false, frozen: false, current: eight })];
    // 25 viewers: 800 kbps of audio, 1.7 Mbps for 8 video copies (212 kbps each, above the 150 kbps keep floor).
    expect(grown(25)).toEqual(ids(8));
    // A smaller budget: 1.5 Mbps − 800 kbps of audio keeps 4 copies at ≥ 150 kbps, the first four to join.
    expect(grown(25, 1_500_000)).toEqual(ids(4));
  });

  it("counts other speakers first (they always get video) and an audio-only viewer's low screen when sharing", () => {
    expect(admit(8, { speakers: 1 })).toBe(7);
    expect(admit(5, { screen: true })).toBe(5);
    expect(admit(12, { screen: true })).toBe(3);
    expect(admit(4, { budgetBps: 200_000 })).toBe(0);
  });

  it("admits in join order, and while frozen only those who have video already", () => {
    const viewers = ids(10);
    expect([...admitVideo({ budgetBps: 2_500_000, speakers: 0, viewers, screen: false, frozen: false, current: new Set() })]).toEqual(ids(8));
    const current = new Set(["v2", "v5", "v9"]);
    expect([...admitVideo({ budgetBps: 2_500_000, speakers: 0, viewers, screen: false, frozen: true, current })]).toEqual(["v2", "v5", "v9"]);
  });

  it("reads a CPU limit from an outbound video's qualityLimitationReason only", () => {
    expect(cpuLimited(report("cpu"))).toBe(true);
    expect(cpuLimited(report("bandwidth"))).toBe(false);
    expect(cpuLimited(new Map([["o", { type: "outbound-rtp", kind: "audio", qualityLimitationReason: "cpu" }]]) as unknown as RTCStatsReport)).toBe(false);
  });
});

class FakeLink implements TierLink {
  state = "connected" as const;
  sending: Sending = { publish: true, video: true };
  readonly told: boolean[] = [];
  stats = report("none");
  constructor(readonly peerId: string) {}
  setSending(sending: Sending) {
    this.sending = sending;
  }
  sendTier(video: boolean) {
    this.told.push(video);
  }
  async getStats() {
    return this.stats;
  }
}

function tiers(viewerIds: string[], speakerIds: string[] = []) {
  const env = { viewers: viewerIds.map((id) => new FakeLink(id)), speakers: speakerIds.map((id) => new FakeLink(id)) };
  const poll = new StatsPoll(() => [...env.speakers, ...env.viewers]);
  const t = new StageTiers({ links: () => [...env.speakers, ...env.viewers], viewers: () => env.viewers, budgetBps: () => 2_500_000, screen: () => false }, poll);
  return { env, t, poll, link: (id: string) => [...env.viewers, ...env.speakers].find((l) => l.peerId === id)! };
}

describe("StageTiers", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("drops the camera on the links past the budget, tells each viewer once, and never tiers a speaker", () => {
    const { t, env, link, poll } = tiers(ids(10), ["s2"]);
    t.update();
    expect(t.snapshot).toEqual({ video: ids(7), audioOnly: ids(3, 8) });
    expect(env.viewers.map((l) => l.sending.video)).toEqual([true, true, true, true, true, true, true, false, false, false]);
    expect(link("v1").told).toEqual([true]);
    expect(link("v10").told).toEqual([false]);
    expect(link("s2").told).toEqual([]);
    expect(link("s2").sending.video).toBe(true);
    t.update();
    expect(link("v10").told).toEqual([false]);
    t.dispose();
    poll.dispose();
  });

  it("upgrades the next viewer in line when a video viewer leaves", () => {
    const { t, env, link, poll } = tiers(ids(10));
    t.update();
    expect(link("v9").sending.video).toBe(false);
    env.viewers = env.viewers.filter((l) => l.peerId !== "v3");
    t.update();
    expect(link("v9").sending.video).toBe(true);
    expect(link("v9").told).toEqual([false, true]);
    expect(link("v10").told).toEqual([false]);
    t.dispose();
    poll.dispose();
  });

  it("freezes admission after two CPU-limited reports in a row; video viewers keep video; admission resumes when the CPU recovers", async () => {
    const { t, env, link, poll } = tiers(ids(3));
    t.update();
    link("v1").stats = report("cpu");
    await vi.advanceTimersByTimeAsync(STATS_INTERVAL_MS);
    env.viewers.push(new FakeLink("v4"));
    t.update();
    // One report is not enough.
    expect(link("v4").sending.video).toBe(true);
    await vi.advanceTimersByTimeAsync(STATS_INTERVAL_MS);
    env.viewers.push(new FakeLink("v5"));
    t.update();
    expect(t.snapshot).toEqual({ video: ids(4), audioOnly: ["v5"] });
    expect(link("v5").told).toEqual([false]);

    link("v1").stats = report("none");
    await vi.advanceTimersByTimeAsync(STATS_INTERVAL_MS);
    expect(t.snapshot).toEqual({ video: ids(5), audioOnly: [] });
    expect(link("v5").told).toEqual([false, true]);
    t.dispose();
    poll.dispose();
  });
});
