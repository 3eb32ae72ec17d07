// The few records of an RTCStatsReport that connection quality reads, narrowed field by field:
// RTCStatsReport.forEach hands each record as `any`, and what a field holds differs by browser
// (Firefox has no transport record and marks the selected pair with a non-standard `selected`;
// Safari lacks some counters). A field that is missing or not a number reads as null.
// Field names: W3C webrtc-stats (https://www.w3.org/TR/webrtc-stats/).

export interface InboundRtp {
  id: string;
  /** ms */
  timestamp: number;
  kind: string;
  packetsReceived: number | null;
  packetsLost: number | null;
  bytesReceived: number | null;
  /** seconds */
  jitter: number | null;
}

export interface OutboundRtp {
  id: string;
  timestamp: number;
  kind: string;
  packetsSent: number | null;
  bytesSent: number | null;
  qualityLimitationReason: string | null;
}

/** What the remote says of a stream we send (its RTCP receiver reports). */
export interface RemoteInboundRtp {
  id: string;
  timestamp: number;
  kind: string;
  /** The outbound-rtp it reports on. */
  localId: string | null;
  packetsLost: number | null;
  fractionLost: number | null;
  /** seconds */
  roundTripTime: number | null;
  /** seconds: the remote's jitter of what we send */
  jitter: number | null;
  /** Receiver reports taken so far: it moves when a new one came (every ~1 s for video, ~5 s for audio). */
  reportsReceived: number | null;
}

export interface CandidatePairStat {
  id: string;
  timestamp: number;
  state: string | null;
  nominated: boolean;
  /** Firefox only. */
  selected: boolean;
  localCandidateId: string | null;
  remoteCandidateId: string | null;
  /** seconds */
  currentRoundTripTime: number | null;
  lastPacketReceivedTimestamp: number | null;
  lastPacketSentTimestamp: number | null;
  bytesReceived: number | null;
  bytesSent: number | null;
}

export interface CandidateStat {
  id: string;
  candidateType: string | null;
  relayProtocol: string | null;
}

export interface TransportStat {
  id: string;
  selectedCandidatePairId: string | null;
}

export interface StatsRecords {
  inbound: InboundRtp[];
  outbound: OutboundRtp[];
  remoteInbound: RemoteInboundRtp[];
  pairs: CandidatePairStat[];
  transports: TransportStat[];
  /** Local and remote candidates by id. */
  candidates: Map<string, CandidateStat>;
}

type Raw = Record<string, unknown>;

const num = (r: Raw, key: string): number | null => {
  const v = r[key];
  return typeof v === "number" && Number.isFinite(v) ? v : null;
};
const str = (r: Raw, key: string): string | null => {
  const v = r[key];
  return typeof v === "string" ? v : null;
};

export function readStats(report: RTCStatsReport): StatsRecords {
  const records: StatsRecords = { inbound: [], outbound: [], remoteInbound: [], pairs: [], transports: [], candidates: new Map() };
  report.forEach((value: unknown) => {
    if (typeof value !== "object" || value === null) return;
    const r = value as Raw;
    const id = str(r, "id");
    if (id === null) return;
    const timestamp = num(r, "timestamp") ?? 0;
    const kind = str(r, "kind") ?? "";
    switch (r.type) {
      case "inbound-rtp":
        records.inbound.push({
          id,
          timestamp,
          kind,
          packetsReceived: num(r, "packetsReceived"),
          packetsLost: num(r, "packetsLost"),
          bytesReceived: num(r, "bytesReceived"),
          jitter: num(r, "jitter"),
        });
        break;
      case "outbound-rtp":
        records.outbound.push({ id, timestamp, kind, packetsSent: num(r, "packetsSent"), bytesSent: num(r, "bytesSent"), qualityLimitationReason: str(r, "qualityLimitationReason") });
        break;
      case "remote-inbound-rtp":
        records.remoteInbound.push({
          id,
          timestamp,
          kind,
          localId: str(r, "localId"),
          packetsLost: num(r, "packetsLost"),
          fractionLost: num(r, "fractionLost"),
          roundTripTime: num(r, "roundTripTime"),
          jitter: num(r, "jitter"),
          reportsReceived: num(r, "reportsReceived"),
        });
        break;
      case "candidate-pair":
        records.pairs.push({
          id,
          timestamp,
          state: str(r, "state"),
          nominated: r.nominated === true,
          selected: r.selected === true,
          localCandidateId: str(r, "localCandidateId"),
          remoteCandidateId: str(r, "remoteCandidateId"),
          currentRoundTripTime: num(r, "currentRoundTripTime"),
          lastPacketReceivedTimestamp: num(r, "lastPacketReceivedTimestamp"),
          lastPacketSentTimestamp: num(r, "lastPacketSentTimestamp"),
          bytesReceived: num(r, "bytesReceived"),
          bytesSent: num(r, "bytesSent"),
        });
        break;
      case "local-candidate":
      case "remote-candidate":
        records.candidates.set(id, { id, candidateType: str(r, "candidateType"), relayProtocol: str(r, "relayProtocol") });
        break;
      case "transport":
        records.transports.push({ id, selectedCandidatePairId: str(r, "selectedCandidatePairId") });
        break;
    }
  });
  return records;
}
