// Which candidate pair carries a connection's media now, and how it travels (direct or through
// the TURN relay). Browsers say it three ways:
//
// 1. The transport record names it (selectedCandidatePairId): Chromium and Safari.
// 2. Firefox has no transport record (webrtcmetrics#11, webrtc/samples#910) and marks the pair
//    with a non-standard `selected: true`.
// 3. Neither: the nominated, succeeded pairs. After an ICE restart there are several
//    (webrtcmetrics#8): the old pair stays nominated and succeeded in the report, but no packets
//    arrive on it any more. So the live one is the pair that last received a packet
//    (lastPacketReceivedTimestamp), then the one that last sent; a browser with neither counter
//    gets the pair that has received the most bytes, which right after a restart may still be the
//    old one (it is right again once the new pair overtakes it).

import type { Route } from "../features/presence-view";
import type { CandidatePairStat, StatsRecords } from "./stats-records";

export function selectedPair(stats: StatsRecords): CandidatePairStat | null {
  const byId = new Map(stats.pairs.map((p) => [p.id, p]));
  for (const t of stats.transports) {
    const pair = t.selectedCandidatePairId === null ? undefined : byId.get(t.selectedCandidatePairId);
    if (pair) return pair;
  }
  const marked = stats.pairs.find((p) => p.selected);
  if (marked) return marked;
  let best: CandidatePairStat | null = null;
  for (const p of stats.pairs) {
    if (!p.nominated || p.state !== "succeeded") continue;
    if (best === null || newer(p, best)) best = p;
  }
  return best;
}

/** Whether `a` carries traffic more recently than `b`. */
function newer(a: CandidatePairStat, b: CandidatePairStat): boolean {
  for (const key of ["lastPacketReceivedTimestamp", "lastPacketSentTimestamp", "bytesReceived"] as const) {
    const x = a[key] ?? -1;
    const y = b[key] ?? -1;
    if (x !== y) return x > y;
  }
  return false;
}

const RELAY_PROTOCOLS = ["udp", "tcp", "tls"] as const;

/** Relayed if either end is a relay candidate; the protocol to the TURN server is our relay candidate's. */
export function routeOf(stats: StatsRecords, pair: CandidatePairStat): Route {
  const local = pair.localCandidateId === null ? undefined : stats.candidates.get(pair.localCandidateId);
  const remote = pair.remoteCandidateId === null ? undefined : stats.candidates.get(pair.remoteCandidateId);
  const ourRelay = local?.candidateType === "relay";
  const protocol = RELAY_PROTOCOLS.find((p) => p === local?.relayProtocol) ?? null;
  return { relay: ourRelay || remote?.candidateType === "relay", relayProtocol: ourRelay ? protocol : null };
}
