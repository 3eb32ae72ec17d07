import { describe, expect, it } from "vitest";
import { routeOf, selectedPair } from "../../web/src/engine/presence/candidate-pair";
import { readStats } from "../../web/src/engine/presence/stats-records";
import { candidate, chromiumReport, pair, report } from "./presence-stats";

const t = 1_700_000_000_000;

describe("selectedPair", () => {
  it("takes the pair the transport record names (Chromium, Safari), even if another has carried more", () => {
    const stats = readStats(
      report(
        { id: "T01", type: "transport", timestamp: t, selectedCandidatePairId: "CPnew", dtlsState: "connected" },
        pair("CPold", t, { bytesReceived: 90_000_000, lastReceived: t - 1 }),
        pair("CPnew", t, { bytesReceived: 20_000, lastReceived: t - 900, rtt: 0.03 }),
      ),
    );
    expect(selectedPair(stats)?.id).toBe("CPnew");
  });

  it("takes Firefox's `selected: true` pair when there is no transport record", () => {
    // Firefox: no transport record, no currentRoundTripTime; readable/writable/selected on the pair.
    const firefoxPair = (id: string, selected: boolean) => ({
      id,
      type: "candidate-pair",
      timestamp: t,
      transportId: "0",
      localCandidateId: `${id}-l`,
      remoteCandidateId: `${id}-r`,
      nominated: true,
      priority: 9115038255631187000,
      readable: true,
      writable: true,
      selected,
      state: "succeeded",
      bytesSent: 120_000,
      bytesReceived: 118_000,
      lastPacketSentTimestamp: t - 10,
      lastPacketReceivedTimestamp: t - 10,
      componentId: 1,
    });
    const stats = readStats(report(firefoxPair("p1", false), firefoxPair("p2", true), firefoxPair("p3", false)));
    expect(selectedPair(stats)?.id).toBe("p2");
  });

  it("after an ICE restart, with no record naming one, takes the nominated pair that received last", () => {
    // Both pairs nominated and succeeded: the old one keeps its bytes but receives nothing more.
    const stats = readStats(
      report(
        pair("CPold", t, { bytesReceived: 90_000_000, lastReceived: t - 6000 }),
        pair("CPnew", t, { bytesReceived: 40_000, lastReceived: t - 20 }),
        pair("CPchecking", t, { nominated: false, state: "in-progress", lastReceived: t }),
      ),
    );
    expect(selectedPair(stats)?.id).toBe("CPnew");
  });

  it("without packet times, takes the nominated pair that received the most; none if nothing is nominated and succeeded", () => {
    const a = { ...pair("A", t, { bytesReceived: 500 }) };
    const b = { ...pair("B", t, { bytesReceived: 9000 }) };
    expect(selectedPair(readStats(report(a, b)))?.id).toBe("B");
    expect(selectedPair(readStats(report(pair("C", t, { state: "failed" }), pair("D", t, { nominated: false }))))).toBeNull();
  });

  it("falls through a transport record whose pair is missing from the report", () => {
    const stats = readStats(report({ id: "T01", type: "transport", timestamp: t, selectedCandidatePairId: "CPgone" }, pair("CPhere", t, { lastReceived: t })));
    expect(selectedPair(stats)?.id).toBe("CPhere");
  });
});

describe("routeOf", () => {
  const routeIn = (r: RTCStatsReport) => {
    const stats = readStats(r);
    return routeOf(stats, selectedPair(stats)!);
  };

  it("is direct between host or server-reflexive candidates", () => {
    expect(routeIn(chromiumReport({ t, local: "srflx", remote: "host" }))).toEqual({ relay: false, relayProtocol: null });
  });

  it("is relayed with our relay candidate's protocol to the TURN server", () => {
    expect(routeIn(chromiumReport({ t, local: "relay", relayProtocol: "tcp" }))).toEqual({ relay: true, relayProtocol: "tcp" });
    expect(routeIn(chromiumReport({ t, local: "relay", relayProtocol: "tls" }))).toEqual({ relay: true, relayProtocol: "tls" });
  });

  it("is relayed without a protocol of ours when only the remote end is a relay", () => {
    expect(routeIn(chromiumReport({ t, local: "host", remote: "relay" }))).toEqual({ relay: true, relayProtocol: null });
  });

  it("ignores a relay protocol it does not know", () => {
    const r = report({ id: "T01", type: "transport", timestamp: t, selectedCandidatePairId: "P" }, pair("P", t), candidate("Ilocal", "local-candidate", t, "relay", "quic"), candidate("Iremote", "remote-candidate", t, "host"));
    expect(routeIn(r)).toEqual({ relay: true, relayProtocol: null });
  });
});
