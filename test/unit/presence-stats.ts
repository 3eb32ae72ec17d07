// Stats reports as browsers hand them to getStats() callers, for the presence units: records
// shaped like Chromium's (ids, units and the fields beside the ones we read), in a Map standing
// in for the maplike RTCStatsReport.

export type StatRecord = { id: string; type: string; timestamp: number } & { [key: string]: unknown };

export const report = (...records: StatRecord[]) => new Map(records.map((r) => [r.id, r])) as unknown as RTCStatsReport;

/** What a link has counted by `t` (ms): packets and bytes each way, loss, jitter, round trip. */
export interface Counters {
  t: number;
  audioIn?: { packets: number; lost: number; bytes: number; jitter?: number };
  videoIn?: { packets: number; lost: number; bytes: number; jitter?: number };
  /** reports: receiver reports the remote has sent so far (remote-inbound-rtp reportsReceived). */
  audioOut?: { packets: number; bytes: number; remoteLost: number; fractionLost?: number; reports?: number };
  videoOut?: { packets: number; bytes: number; remoteLost: number; fractionLost?: number; limitation?: string; reports?: number };
  /** seconds */
  rtt?: number;
  local?: "host" | "srflx" | "relay";
  remote?: "host" | "srflx" | "relay";
  relayProtocol?: "udp" | "tcp" | "tls";
}

export function chromiumReport(c: Counters): RTCStatsReport {
  const t = c.t;
  const records: StatRecord[] = [
    {
      id: "T01",
      type: "transport",
      timestamp: t,
      bytesSent: 1_000_000,
      bytesReceived: 1_000_000,
      dtlsState: "connected",
      iceState: "connected",
      iceRole: "controlling",
      selectedCandidatePairId: "CPa1b2",
      selectedCandidatePairChanges: 1,
      srtpCipher: "AES_CM_128_HMAC_SHA1_80",
      tlsVersion: "FEFD",
    },
    pair("CPa1b2", t, { rtt: c.rtt ?? 0.045, lastReceived: t - 5 }),
    candidate("Ilocal", "local-candidate", t, c.local ?? "host", c.relayProtocol),
    candidate("Iremote", "remote-candidate", t, c.remote ?? "host"),
  ];
  if (c.audioIn) records.push(inbound("IT01A1111", "audio", "0", t, c.audioIn));
  if (c.videoIn) records.push(inbound("IT01V2222", "video", "1", t, c.videoIn));
  if (c.audioOut) records.push(...outbound("3333", "audio", "0", t, c.audioOut));
  if (c.videoOut) records.push(...outbound("4444", "video", "1", t, c.videoOut));
  return report(...records);
}

export function pair(id: string, t: number, o: { rtt?: number; lastReceived?: number; bytesReceived?: number; nominated?: boolean; state?: string; local?: string; remote?: string } = {}): StatRecord {
  return {
    id,
    type: "candidate-pair",
    timestamp: t,
    transportId: "T01",
    localCandidateId: o.local ?? "Ilocal",
    remoteCandidateId: o.remote ?? "Iremote",
    state: o.state ?? "succeeded",
    priority: 9114723795052298000,
    nominated: o.nominated ?? true,
    writable: true,
    packetsSent: 5120,
    packetsReceived: 5033,
    bytesSent: 3_400_000,
    bytesReceived: o.bytesReceived ?? 3_200_000,
    totalRoundTripTime: 1.2,
    ...(o.rtt !== undefined ? { currentRoundTripTime: o.rtt } : {}),
    availableOutgoingBitrate: 2_300_000,
    requestsReceived: 40,
    requestsSent: 41,
    responsesReceived: 41,
    responsesSent: 40,
    consentRequestsSent: 38,
    packetsDiscardedOnSend: 0,
    bytesDiscardedOnSend: 0,
    ...(o.lastReceived !== undefined ? { lastPacketReceivedTimestamp: o.lastReceived, lastPacketSentTimestamp: o.lastReceived } : {}),
  };
}

export function candidate(id: string, type: "local-candidate" | "remote-candidate", t: number, candidateType: string, relayProtocol?: string): StatRecord {
  return {
    id,
    type,
    timestamp: t,
    transportId: "T01",
    isRemote: type === "remote-candidate",
    address: candidateType === "relay" ? "203.0.113.7" : "192.0.2.10",
    port: 50123,
    protocol: "udp",
    candidateType,
    priority: 2122260223,
    foundation: "1467250027",
    usernameFragment: "a1b2",
    ...(type === "local-candidate" ? { networkType: "ethernet", vpn: false, networkAdapterType: "ethernet" } : {}),
    ...(relayProtocol ? { relayProtocol, url: `turn:turn.example.org:3478?transport=${relayProtocol}` } : {}),
  };
}

function inbound(id: string, kind: "audio" | "video", mid: string, t: number, s: { packets: number; lost: number; bytes: number; jitter?: number }): StatRecord {
  return {
    id,
    type: "inbound-rtp",
    timestamp: t,
    ssrc: kind === "audio" ? 1111 : 2222,
    kind,
    transportId: "T01",
    codecId: kind === "audio" ? "CIT01_111_minptime=10;useinbandfec=1" : "CIT01_96",
    mid,
    trackIdentifier: `${kind}-track`,
    packetsReceived: s.packets,
    packetsLost: s.lost,
    jitter: s.jitter ?? 0.004,
    bytesReceived: s.bytes,
    headerBytesReceived: s.packets * 12,
    lastPacketReceivedTimestamp: t - 3,
    jitterBufferDelay: 12.3,
    jitterBufferEmittedCount: 100_000,
    ...(kind === "audio" ? { audioLevel: 0.02, totalAudioEnergy: 0.3, totalSamplesDuration: 30.1, concealedSamples: 480 } : { framesDecoded: 900, frameWidth: 640, frameHeight: 360, framesPerSecond: 24 }),
  };
}

function outbound(ssrc: string, kind: "audio" | "video", mid: string, t: number, s: { packets: number; bytes: number; remoteLost: number; fractionLost?: number; limitation?: string; reports?: number }): StatRecord[] {
  const out: StatRecord = {
    id: `OT01${kind === "audio" ? "A" : "V"}${ssrc}`,
    type: "outbound-rtp",
    timestamp: t,
    ssrc: Number(ssrc),
    kind,
    transportId: "T01",
    mid,
    mediaSourceId: `S${ssrc}`,
    remoteId: `RI${ssrc}`,
    packetsSent: s.packets,
    bytesSent: s.bytes,
    headerBytesSent: s.packets * 12,
    retransmittedPacketsSent: 0,
    nackCount: 0,
    active: true,
    ...(kind === "video"
      ? { qualityLimitationReason: s.limitation ?? "none", qualityLimitationDurations: { none: 20, cpu: 0, bandwidth: 0, other: 0 }, framesEncoded: 900, frameWidth: 640, frameHeight: 360, targetBitrate: 900_000 }
      : {}),
  };
  const remote: StatRecord = {
    id: `RI${ssrc}`,
    type: "remote-inbound-rtp",
    timestamp: t - 400,
    ssrc: Number(ssrc),
    kind,
    transportId: "T01",
    codecId: "CIT01_96",
    packetsLost: s.remoteLost,
    jitter: 0.003,
    localId: out.id,
    roundTripTime: 0.05,
    totalRoundTripTime: 2.4,
    roundTripTimeMeasurements: 48,
    fractionLost: s.fractionLost ?? 0,
    ...(s.reports !== undefined ? { reportsReceived: s.reports } : {}),
  };
  return [out, remote];
}
