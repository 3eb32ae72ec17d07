// How good one connection is, from two consecutive stats reports of it (STATS_INTERVAL_MS apart),
// and this device's summary over all of them. Pure: the presence feature keeps the previous
// report and grade per link.
//
// Grade (5 best … 0 worst):
// 1. Jitsi's loss steps (ConnectionQuality.ts) on the worse of the two directions' loss over the
//    interval: ≤2 % → 5, ≤4 → 4, ≤6 → 3, ≤8 → 2, ≤12 → 1, else 0. Unknown loss counts as none.
// 2. One step lower if the round trip is above RTT_LIMIT_MS or the jitter above JITTER_LIMIT_MS
//    ([G] FEATURES.md §8): past those, talk overlaps or audio stutters even without loss. One
//    step for either or both: they usually come together (a queue on the path) and are no loss.
// 3. Down at once, up by at most one step per poll: a link that just lost 10 % has not become
//    good because the next two seconds were clean; Jitsi also climbs slowly (2 points/s of 100).
//
// Loss of what we send comes from the remote's receiver reports (remote-inbound-rtp), which come
// every RTCP interval (libwebrtc: ~1 s for video, ~5 s for audio), not every poll: a poll reads the
// fractionLost (loss over the report's own interval) of the reports that are new since the last
// poll, and keeps the last figure when none is. Subtracting packet counters instead made an
// audio-only link swing 0, 0, 5, 0 % at a steady 2 %: the remote's counter moved once per
// report, ours every packet. While we send nothing (muted, camera off) no figure is kept: an old
// loss would grade a listener's link bad for as long as it listens.
//
// Jitter: of the streams that moved over the interval only (a stopped camera keeps its last
// jitter in the report for good), audio's if there is any (video's is larger by nature and what
// people hear stutter is audio), ours as they report it included.
//
// A link that carried packets to us and then nothing over a whole interval is stalled (the
// network dropped it, as a cut does, before ICE notices): loss in reads 100 % and the grade 0.
// Counters alone cannot tell: packetsLost only grows when a later packet arrives.

import type { Limitation, LinkQuality, OwnQuality, QualityGrade, QualityHint } from "../features/presence-view";
import { routeOf, selectedPair } from "./candidate-pair";
import type { StatsRecords } from "./stats-records";

/** Jitsi's loss steps: at most this percent loss gives this grade; more than the last gives 0. */
export const LOSS_STEPS: ReadonlyArray<{ maxPct: number; grade: QualityGrade }> = [
  { maxPct: 2, grade: 5 },
  { maxPct: 4, grade: 4 },
  { maxPct: 6, grade: 3 },
  { maxPct: 8, grade: 2 },
  { maxPct: 12, grade: 1 },
];
export const RTT_LIMIT_MS = 400;
export const JITTER_LIMIT_MS = 30;

/** Hints by priority: what the person can act on first (their CPU, their bandwidth), then what hurts most. */
export const HINT_ORDER: readonly QualityHint[] = ["cpu", "bandwidth", "loss", "rtt", "jitter", "relay"];

export function lossGrade(pct: number): QualityGrade {
  return LOSS_STEPS.find((s) => pct <= s.maxPct)?.grade ?? 0;
}

/** The grade for this interval, from the loss (the worse direction), round trip and jitter, and the last grade. */
export function gradeOf(lossPct: number | null, rttMs: number | null, jitterMs: number | null, previous: QualityGrade | null): QualityGrade {
  let grade: number = lossGrade(lossPct ?? 0);
  if ((rttMs ?? 0) > RTT_LIMIT_MS || (jitterMs ?? 0) > JITTER_LIMIT_MS) grade = Math.max(0, grade - 1);
  if (previous !== null) grade = Math.min(grade, previous + 1);
  return grade as QualityGrade;
}

/** What the previous poll of a link left: its grade and loss out, and whether packets were arriving. */
export interface LinkMemory {
  grade: QualityGrade;
  lossOutPct: number | null;
  receiving: boolean;
}

export function linkQuality(previous: StatsRecords | null, current: StatsRecords, memory: LinkMemory | null): LinkQuality {
  const pair = selectedPair(current);
  const rttMs = roundTrip(current, pair?.currentRoundTripTime ?? null);
  const stalled = memory?.receiving === true && previous !== null && packetsIn(previous, current) === 0;
  const lossInPct = stalled ? 100 : lossIn(previous, current);
  const lossOutPct = lossOut(previous, current, memory?.lossOutPct ?? null);
  const jitterMs = jitterOf(previous, current);
  const worstLoss = lossInPct === null && lossOutPct === null ? null : Math.max(lossInPct ?? 0, lossOutPct ?? 0);
  const grade = gradeOf(worstLoss, rttMs, jitterMs, memory?.grade ?? null);
  const quality: LinkQuality = {
    grade,
    rttMs,
    lossInPct,
    lossOutPct,
    jitterMs,
    kbpsIn: previous ? kbps(previous.inbound, current.inbound, (s) => s.bytesReceived) : null,
    kbpsOut: previous ? kbps(previous.outbound, current.outbound, (s) => s.bytesSent) : null,
    limitation: limitationOf(current),
    route: pair ? routeOf(current, pair) : null,
    hint: null,
  };
  return { ...quality, hint: hintOf(quality, worstLoss) };
}

/** This device over its links: the worst grade, the sums, any relay; null without any link. */
export function ownQuality(links: readonly LinkQuality[]): OwnQuality | null {
  if (links.length === 0) return null;
  const limitation = worstLimitation(links.map((l) => l.limitation));
  return {
    grade: Math.min(...links.map((l) => l.grade)) as QualityGrade,
    kbpsOut: links.reduce((sum, l) => sum + (l.kbpsOut ?? 0), 0),
    kbpsIn: links.reduce((sum, l) => sum + (l.kbpsIn ?? 0), 0),
    limitation,
    relayed: links.some((l) => l.route?.relay === true),
    hint: HINT_ORDER.find((h) => links.some((l) => l.hint === h)) ?? null,
  };
}

function roundTrip(current: StatsRecords, pairRtt: number | null): number | null {
  if (pairRtt !== null) return pairRtt * 1000;
  // Firefox's pairs carry no round trip; the remote's reports do.
  const rtts = current.remoteInbound.map((s) => s.roundTripTime).filter((r): r is number => r !== null);
  return rtts.length > 0 ? Math.max(...rtts) * 1000 : null;
}

/** Loss of what they send us over the interval, percent; null with nothing to compare. */
function lossIn(previous: StatsRecords | null, current: StatsRecords): number | null {
  if (!previous) return null;
  let lost = 0;
  let received = 0;
  for (const s of current.inbound) {
    const p = previous.inbound.find((x) => x.id === s.id);
    if (!p || s.packetsReceived === null || p.packetsReceived === null) continue;
    const got = s.packetsReceived - p.packetsReceived;
    // Counters that went back belong to a new stream under an old id: nothing to compare.
    if (got < 0) continue;
    received += got;
    // packetsLost may fall: a late packet counted lost arrives after all (RFC 3550 §6.4.1).
    lost += Math.max(0, (s.packetsLost ?? 0) - (p.packetsLost ?? 0));
  }
  return percent(lost, lost + received);
}

/**
 * Loss of what we send, percent: the worst fractionLost of the receiver reports new since the
 * last poll; the last figure if none is new; null while we send nothing, or with no report yet.
 */
function lossOut(previous: StatsRecords | null, current: StatsRecords, last: number | null): number | null {
  if (!previous) return worst(current.remoteInbound.map((r) => r.fractionLost), 100);
  const sending = current.outbound.some((o) => {
    const before = previous.outbound.find((p) => p.id === o.id);
    return before !== undefined && o.packetsSent !== null && before.packetsSent !== null && o.packetsSent > before.packetsSent;
  });
  if (!sending) return null;
  const fresh = current.remoteInbound.filter((r) => {
    const p = previous.remoteInbound.find((x) => x.id === r.id);
    if (!p) return true;
    if (r.reportsReceived !== null && p.reportsReceived !== null) return r.reportsReceived > p.reportsReceived;
    return r.timestamp !== p.timestamp || r.packetsLost !== p.packetsLost;
  });
  return fresh.length > 0 ? worst(fresh.map((r) => r.fractionLost), 100) : last;
}

/** Packets that arrived over the interval, on streams known to both reports. */
export function packetsIn(previous: StatsRecords, current: StatsRecords): number {
  let got = 0;
  for (const s of current.inbound) {
    const p = previous.inbound.find((x) => x.id === s.id);
    if (p && s.packetsReceived !== null && p.packetsReceived !== null && s.packetsReceived > p.packetsReceived) got += s.packetsReceived - p.packetsReceived;
  }
  return got;
}

/** Jitter in ms, of the streams that moved (audio first), theirs and ours as they report it; null if none. */
function jitterOf(previous: StatsRecords | null, current: StatsRecords): number | null {
  const moving = current.inbound.filter((s) => {
    const p = previous?.inbound.find((x) => x.id === s.id);
    return !previous || (p !== undefined && s.packetsReceived !== null && p.packetsReceived !== null && s.packetsReceived > p.packetsReceived);
  });
  const audio = [...moving.filter((s) => s.kind === "audio").map((s) => s.jitter), ...current.remoteInbound.filter((r) => r.kind === "audio").map((r) => r.jitter)];
  const any = worst(audio, 1000);
  return any ?? worst(moving.map((s) => s.jitter), 1000);
}

/** The largest of the known values, times `scale`; null if none is known. */
function worst(values: ReadonlyArray<number | null>, scale: number): number | null {
  const known = values.filter((v): v is number => v !== null);
  return known.length > 0 ? Math.max(...known) * scale : null;
}

const percent = (part: number, whole: number): number | null => (whole > 0 ? (part / whole) * 100 : null);

/** Bitrate of these streams over the interval, kbit/s (bytes × 8 / ms); streams new in this report are left out. */
function kbps<S extends { id: string; timestamp: number }>(before: readonly S[], now: readonly S[], bytes: (s: S) => number | null): number {
  let total = 0;
  for (const s of now) {
    const p = before.find((x) => x.id === s.id);
    const b = bytes(s);
    const pb = p ? bytes(p) : null;
    if (!p || b === null || pb === null) continue;
    const ms = s.timestamp - p.timestamp;
    if (ms <= 0 || b < pb) continue;
    total += ((b - pb) * 8) / ms;
  }
  return total;
}

const LIMITATIONS: readonly Limitation[] = ["cpu", "bandwidth", "other", "none"];

/** Why our video is limited (the worst over our video streams: camera and screen); null if we send none. */
function limitationOf(current: StatsRecords): Limitation | null {
  const reasons = current.outbound
    .filter((s) => s.kind === "video" && s.qualityLimitationReason !== null)
    .map((s): Limitation => LIMITATIONS.find((l) => l === s.qualityLimitationReason) ?? "other");
  return worstLimitation(reasons);
}

function worstLimitation(reasons: ReadonlyArray<Limitation | null>): Limitation | null {
  return LIMITATIONS.find((l) => reasons.includes(l)) ?? null;
}

/**
 * The first hint in HINT_ORDER that holds. "bandwidth" only on a link that is not at its best:
 * the encoder reports it whenever our own caps (mesh/bitrate-controller.ts) hold it back, which is
 * the plan, not a problem. "relay" is last: a relayed link is slower, not broken.
 */
function hintOf(q: LinkQuality, worstLoss: number | null): QualityHint | null {
  const holds: Record<QualityHint, boolean> = {
    cpu: q.limitation === "cpu",
    bandwidth: q.limitation === "bandwidth" && q.grade < 5,
    loss: (worstLoss ?? 0) > LOSS_STEPS[0]!.maxPct,
    rtt: (q.rttMs ?? 0) > RTT_LIMIT_MS,
    jitter: (q.jitterMs ?? 0) > JITTER_LIMIT_MS,
    relay: q.route?.relay === true,
  };
  return HINT_ORDER.find((h) => holds[h]) ?? null;
}
