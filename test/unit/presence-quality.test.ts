import { describe, expect, it } from "vitest";
import type { LinkQuality } from "../../web/src/engine/features/presence-view";
import { gradeOf, type LinkMemory, linkQuality, lossGrade, ownQuality } from "../../web/src/engine/presence/quality";
import { readStats } from "../../web/src/engine/presence/stats-records";
import { chromiumReport, type Counters, pair, report, type StatRecord } from "./presence-stats";

const t0 = 1_700_000_000_000;

/** A link two seconds into a call: what it had counted, and what it counts 2 s later. */
const before: Counters = {
  t: t0,
  audioIn: { packets: 5000, lost: 10, bytes: 400_000 },
  videoIn: { packets: 20_000, lost: 50, bytes: 18_000_000, jitter: 0.009 },
  audioOut: { packets: 5000, bytes: 420_000, remoteLost: 5 },
  videoOut: { packets: 19_000, bytes: 17_000_000, remoteLost: 40 },
};
const after: Counters = {
  t: t0 + 2000,
  // In: 98 + 392 received and 2 + 8 lost: 10 of 500, 2 %. 16 kB and 250 kB in 2 s: 64 + 1000 kbit/s.
  audioIn: { packets: 5098, lost: 12, bytes: 416_000 },
  videoIn: { packets: 20_392, lost: 58, bytes: 18_250_000, jitter: 0.012 },
  // Out: 100 + 400 sent; the remote's newest reports say it lost none of our audio and 5 % of our
  // video over their intervals. 15 kB and 200 kB: 60 + 800 kbit/s.
  audioOut: { packets: 5100, bytes: 435_000, remoteLost: 5 },
  videoOut: { packets: 19_400, bytes: 17_200_000, remoteLost: 65, fractionLost: 0.05 },
};

const quality = (prev: Counters | null, cur: Counters, memory: LinkMemory | null = null) =>
  linkQuality(prev ? readStats(chromiumReport(prev)) : null, readStats(chromiumReport(cur)), memory);

describe("gradeOf", () => {
  it("follows Jitsi's loss steps: ≤2 % 5, ≤4 4, ≤6 3, ≤8 2, ≤12 1, more 0", () => {
    const steps: Array<[number, number]> = [
      [0, 5],
      [2, 5],
      [2.1, 4],
      [4, 4],
      [5, 3],
      [6, 3],
      [7.5, 2],
      [8, 2],
      [10, 1],
      [12, 1],
      [12.5, 0],
      [60, 0],
    ];
    for (const [pct, grade] of steps) {
      expect([pct, lossGrade(pct)]).toEqual([pct, grade]);
      expect([pct, gradeOf(pct, 50, 5, null)]).toEqual([pct, grade]);
    }
    expect(gradeOf(null, null, null, null)).toBe(5);
  });

  it("takes one step off for a round trip above 400 ms or jitter above 30 ms (one step for both)", () => {
    expect(gradeOf(0, 400, 30, null)).toBe(5);
    expect(gradeOf(0, 401, 5, null)).toBe(4);
    expect(gradeOf(0, 50, 31, null)).toBe(4);
    expect(gradeOf(0, 900, 80, null)).toBe(4);
    expect(gradeOf(3, 450, null, null)).toBe(3);
    expect(gradeOf(30, 450, 40, null)).toBe(0);
  });

  it("falls at once but rises one step per poll", () => {
    expect(gradeOf(20, 50, 5, 5)).toBe(0);
    expect(gradeOf(0, 50, 5, 0)).toBe(1);
    expect(gradeOf(0, 50, 5, 3)).toBe(4);
    expect(gradeOf(5, 50, 5, 1)).toBe(2);
    expect(gradeOf(5, 50, 5, 4)).toBe(3);
  });
});

describe("linkQuality", () => {
  it("measures loss, bitrate and jitter over the interval between two reports", () => {
    const q = quality(before, after);
    expect(q.lossInPct).toBeCloseTo(2);
    expect(q.lossOutPct).toBeCloseTo(5);
    expect(q.kbpsIn).toBeCloseTo(1064);
    expect(q.kbpsOut).toBeCloseTo(860);
    // Audio's jitter (4 ms), not video's (12 ms): what people hear stutter is audio.
    expect(q.jitterMs).toBeCloseTo(4);
    expect(q.rttMs).toBeCloseTo(45);
    expect(q.limitation).toBe("none");
    expect(q.route).toEqual({ relay: false, relayProtocol: null });
    // The worse direction: 5 % out.
    expect(q.grade).toBe(3);
    expect(q.hint).toBe("loss");
  });

  it("knows no loss in or bitrate from a first report, and takes the remote's fractionLost for what we send", () => {
    const q = quality(null, { ...after, videoOut: { ...after.videoOut!, fractionLost: 0.07 } });
    expect(q.lossInPct).toBeNull();
    expect(q.kbpsIn).toBeNull();
    expect(q.kbpsOut).toBeNull();
    expect(q.lossOutPct).toBeCloseTo(7);
    expect(q.grade).toBe(2);
  });

  it("leaves out streams whose counters went back (a new stream under an old id) and counts lost packets found again as none", () => {
    const restarted: Counters = { ...after, videoIn: { packets: 30, lost: 0, bytes: 20_000 }, audioIn: { packets: 5098, lost: 9, bytes: 416_000 } };
    const q = quality(before, restarted);
    // Only audio counts: 98 received, packetsLost fell by one (a late packet), so no loss.
    expect(q.lossInPct).toBe(0);
    expect(q.kbpsIn).toBeCloseTo(64);
  });

  it("takes the round trip from the remote's reports when the pair has none (Firefox)", () => {
    const r = chromiumReport(after) as unknown as Map<string, StatRecord>;
    const firefoxLike = report(...[...r.values()].filter((s) => s.type !== "transport" && s.type !== "candidate-pair"), pair("P", t0 + 2000, {}));
    const q = linkQuality(null, readStats(firefoxLike), null);
    // remote-inbound-rtp roundTripTime: 0.05 s
    expect(q.rttMs).toBeCloseTo(50);
  });

  it("lowers the grade for a long round trip or jitter and says which", () => {
    const clean: Counters = { ...after, audioIn: { ...after.audioIn!, lost: 10 }, videoIn: { ...after.videoIn!, lost: 50 }, videoOut: { ...after.videoOut!, remoteLost: 40, fractionLost: 0 } };
    expect(quality(before, clean).grade).toBe(5);
    const far = quality(before, { ...clean, rtt: 0.52 });
    expect([far.grade, far.hint]).toEqual([4, "rtt"]);
    const shaky = quality(before, { ...clean, audioIn: { ...clean.audioIn!, jitter: 0.045 } });
    expect([shaky.grade, shaky.hint]).toEqual([4, "jitter"]);
  });

  it("rises one step per report after a bad interval", () => {
    const clean = (i: number): Counters => ({
      t: t0 + i * 2000,
      audioIn: { packets: 5000 + i * 100, lost: 500, bytes: 400_000 + i * 16_000 },
      audioOut: { packets: 5000 + i * 100, bytes: 420_000 + i * 15_000, remoteLost: 5 },
    });
    const bad: Counters = { ...clean(0), audioIn: { packets: 4900, lost: 500, bytes: 390_000 } };
    const earlier: Counters = { ...clean(0), t: t0 - 2000, audioIn: { packets: 4800, lost: 400, bytes: 380_000 } };
    let q = quality(earlier, bad);
    expect(q.grade).toBe(0);
    const grades = [q.grade];
    let prev = bad;
    for (let i = 1; i <= 6; i++) {
      q = quality(prev, clean(i), { grade: q.grade, lossOutPct: q.lossOutPct, receiving: true });
      grades.push(q.grade);
      prev = clean(i);
    }
    expect(grades).toEqual([0, 1, 2, 3, 4, 5, 5]);
  });

  it("reports our video's limitation and hints at what the person can act on first", () => {
    const cpu = quality(before, { ...after, videoOut: { ...after.videoOut!, limitation: "cpu" } });
    expect([cpu.limitation, cpu.hint]).toEqual(["cpu", "cpu"]);
    // Held back by bandwidth on a link that is otherwise fine: our own caps at work, no hint.
    const capped = quality(before, { ...after, audioIn: { ...after.audioIn!, lost: 10 }, videoIn: { ...after.videoIn!, lost: 50 }, videoOut: { ...after.videoOut!, remoteLost: 40, fractionLost: 0, limitation: "bandwidth" } });
    expect([capped.grade, capped.limitation, capped.hint]).toEqual([5, "bandwidth", null]);
    // Held back by bandwidth while losing packets: the bandwidth is the thing to tell.
    const starved = quality(before, { ...after, videoOut: { ...after.videoOut!, limitation: "bandwidth" } });
    expect([starved.grade, starved.hint]).toEqual([3, "bandwidth"]);
    // No video sent (a viewer on a stage): no limitation to speak of.
    const viewer = quality({ ...before, videoOut: undefined, audioOut: undefined }, { ...after, videoOut: undefined, audioOut: undefined });
    expect([viewer.limitation, viewer.kbpsOut, viewer.lossOutPct]).toEqual([null, 0, null]);
  });

  it("says a healthy relayed link goes through the relay", () => {
    const clean: Counters = { ...after, audioIn: { ...after.audioIn!, lost: 10 }, videoIn: { ...after.videoIn!, lost: 50 }, videoOut: { ...after.videoOut!, remoteLost: 40, fractionLost: 0 }, local: "relay", relayProtocol: "udp" };
    const q = quality(before, clean);
    expect([q.grade, q.route, q.hint]).toEqual([5, { relay: true, relayProtocol: "udp" }, "relay"]);
  });
});

describe("linkQuality over a call's turns (review findings)", () => {
  const memory = (q: LinkQuality, receiving = true): LinkMemory => ({ grade: q.grade, lossOutPct: q.lossOutPct, receiving });

  it("keeps no loss figure for what we send while we send nothing (muted, camera off)", () => {
    const lossy = quality(before, { ...after, videoOut: { ...after.videoOut!, fractionLost: 0.2 } });
    expect(lossy.lossOutPct).toBeCloseTo(20);
    const t = after.t + 2000;
    const muted: Counters = { ...after, t, audioIn: { ...after.audioIn!, packets: 5198, bytes: 432_000 }, videoIn: { ...after.videoIn!, packets: 20_792, bytes: 18_500_000 } };
    const q = quality(after, muted, memory(lossy));
    expect(q.lossOutPct).toBeNull();
    expect(q.hint).not.toBe("loss");
  });

  it("reads loss out from the receiver reports new since the last poll, and keeps the last figure between them", () => {
    // Audio only, 2 % lost; the remote reports every 5 s, we poll every 2 s.
    const at = (i: number, reports: number, fraction: number): Counters => ({
      t: t0 + i * 2000,
      audioIn: { packets: 5000 + i * 100, lost: 10, bytes: 400_000 + i * 16_000 },
      audioOut: { packets: 5000 + i * 100, bytes: 420_000 + i * 15_000, remoteLost: 5 + reports * 5, fractionLost: fraction, reports },
    });
    const polls = [at(0, 10, 0.02), at(1, 10, 0.02), at(2, 11, 0.02), at(3, 11, 0.02), at(4, 12, 0.02)];
    let q = quality(null, polls[0]!);
    const seen = [q.lossOutPct];
    for (let i = 1; i < polls.length; i++) {
      q = quality(polls[i - 1]!, polls[i]!, memory(q));
      seen.push(q.lossOutPct);
    }
    expect(seen.map((v) => Math.round(v!))).toEqual([2, 2, 2, 2, 2]);
  });

  it("grades a link that carried packets and then nothing for a whole interval 0, with loss in at 100 %", () => {
    const first = quality(before, after);
    const cut: Counters = { ...after, t: after.t + 2000 };
    const q = quality(after, cut, memory(first, true));
    expect([q.grade, q.lossInPct, q.hint]).toEqual([0, 100, "loss"]);
    // A link that was not receiving before (the other person sends nothing) is not stalled.
    expect(quality(after, cut, memory(first, false)).grade).toBeGreaterThan(0);
  });

  it("takes jitter from streams that moved, audio first: a stopped camera's last jitter does not count", () => {
    const t = after.t + 2000;
    const camOff: Counters = { ...after, t, audioIn: { ...after.audioIn!, packets: 5198, jitter: 0.006 }, videoIn: { ...after.videoIn!, jitter: 0.05 }, videoOut: { ...after.videoOut!, fractionLost: 0 } };
    const q = quality(after, camOff, memory(quality(before, after)));
    expect(q.jitterMs).toBeCloseTo(6);
    expect(q.hint).not.toBe("jitter");
  });
});

describe("ownQuality", () => {
  const link = (patch: Partial<LinkQuality>): LinkQuality => ({
    grade: 5,
    rttMs: 40,
    lossInPct: 0,
    lossOutPct: 0,
    jitterMs: 3,
    kbpsIn: 500,
    kbpsOut: 700,
    limitation: "none",
    route: { relay: false, relayProtocol: null },
    hint: null,
    ...patch,
  });

  it("is none without links", () => {
    expect(ownQuality([])).toBeNull();
  });

  it("takes the worst grade, sums the bitrates, any relay, the worst limitation and the first hint by priority", () => {
    const own = ownQuality([
      link({ grade: 4, hint: "rtt" }),
      link({ grade: 2, kbpsIn: null, limitation: "bandwidth", hint: "loss", route: { relay: true, relayProtocol: "tcp" } }),
      link({ limitation: "cpu", hint: "cpu" }),
    ]);
    expect(own).toEqual({ grade: 2, kbpsIn: 1000, kbpsOut: 2100, limitation: "cpu", relayed: true, hint: "cpu" });
  });
});
