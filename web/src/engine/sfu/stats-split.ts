// One getStats() of the SFU connection, cut into one report per participant, so that the readers
// built for the mesh (connection quality, the active speaker: presence/) read the SFU the same
// way: each peer's report holds what we receive from it (its inbound-rtp, found by mid, and the
// records those point to) plus what every peer shares (the transport, the candidate pair, our
// outbound streams and their receiver reports: our media reaches everyone through that one path).

type Raw = Record<string, unknown>;

const PER_TRACK = new Set(["inbound-rtp", "remote-outbound-rtp"]);

/** `mids`: each peer's pulled mids. Returns a Map that reads like an RTCStatsReport. */
export function splitStats(report: RTCStatsReport, mids: ReadonlyMap<string, ReadonlySet<string>>): Map<string, RTCStatsReport> {
  const shared: Array<[string, Raw]> = [];
  const inbound = new Map<string, Array<[string, Raw]>>();
  const byId = new Map<string, Raw>();
  report.forEach((value: unknown, key: string) => {
    const r = value as Raw;
    byId.set(key, r);
    if (!PER_TRACK.has(String(r.type))) shared.push([key, r]);
    else if (r.type === "inbound-rtp" && typeof r.mid === "string") {
      const list = inbound.get(r.mid) ?? [];
      list.push([key, r]);
      inbound.set(r.mid, list);
    }
  });
  const out = new Map<string, RTCStatsReport>();
  for (const [peerId, peerMids] of mids) {
    const entries: Array<[string, Raw]> = [...shared];
    for (const mid of peerMids) {
      for (const [key, r] of inbound.get(mid) ?? []) {
        entries.push([key, r]);
        // The sender's reports about this stream (round trip, its packets sent).
        const remote = typeof r.remoteId === "string" ? byId.get(r.remoteId) : undefined;
        if (remote) entries.push([r.remoteId as string, remote]);
      }
    }
    out.set(peerId, new Map(entries) as unknown as RTCStatsReport);
  }
  return out;
}

/** Packets received and lost, summed over the inbound video of these mids: the layer choice's loss figure. */
export function inboundVideoCounts(report: RTCStatsReport, mids: ReadonlySet<string>): { received: number; lost: number } {
  let received = 0;
  let lost = 0;
  report.forEach((value: unknown) => {
    const r = value as Raw;
    if (r.type !== "inbound-rtp" || r.kind !== "video" || typeof r.mid !== "string" || !mids.has(r.mid)) return;
    if (typeof r.packetsReceived === "number") received += r.packetsReceived;
    if (typeof r.packetsLost === "number") lost += r.packetsLost;
  });
  return { received, lost };
}
