// The Realtime stand-in's pure SDP helpers (test/realtime-stand-in/simulcast-layers.ts and
// sdp-edits.ts): which layers a Chromium offer sends, which one a pull forwards, and the engine's
// edits of the SDP it takes and gives.

import { describe, expect, it } from "vitest";
import { bundleExtensionIds, withoutCandidates, withSimulcastReceive, withVideoBitrateFloor } from "../realtime-stand-in/sdp-edits";
import { offeredRids, pickLayer } from "../realtime-stand-in/simulcast-layers";

// Trimmed from a Chromium offer publishing a mic and a camera with three simulcast layers.
const offer = [
  "v=0",
  "o=- 4611731400430051336 2 IN IP4 127.0.0.1",
  "s=-",
  "t=0 0",
  "a=group:BUNDLE 0 1",
  "m=audio 9 UDP/TLS/RTP/SAVPF 111",
  "c=IN IP4 0.0.0.0",
  "a=candidate:1 1 udp 2113937151 3c2b2a3e-0000-4000-8000-000000000000.local 54321 typ host generation 0",
  "a=mid:0",
  "a=sendonly",
  "a=rtpmap:111 opus/48000/2",
  "a=fmtp:111 minptime=10;useinbandfec=1",
  "m=video 9 UDP/TLS/RTP/SAVPF 96 97",
  "c=IN IP4 0.0.0.0",
  "a=candidate:1 1 udp 2113937151 3c2b2a3e-0000-4000-8000-000000000000.local 54321 typ host generation 0",
  "a=end-of-candidates",
  "a=mid:1",
  "a=sendonly",
  "a=rtpmap:96 VP8/90000",
  "a=rtcp-fb:96 nack pli",
  "a=rtpmap:97 rtx/90000",
  "a=fmtp:97 apt=96",
  "a=rid:q send",
  "a=rid:h send",
  "a=rid:f send",
  "a=simulcast:send q;h;f",
  "",
].join("\r\n");

describe("offeredRids", () => {
  it("reads the rids of the section with that mid, in the simulcast line's order", () => {
    expect(offeredRids(offer, "1")).toEqual(["q", "h", "f"]);
    expect(offeredRids(offer.replace("a=simulcast:send q;h;f", "a=simulcast:send f;~h;q"), "1")).toEqual(["f", "h", "q"]);
  });

  it("is empty for a section without simulcast, and for an unknown mid", () => {
    expect(offeredRids(offer, "0")).toEqual([]);
    expect(offeredRids(offer, "7")).toEqual([]);
  });

  it("takes the rid lines alone when there is no simulcast line, and only rids the simulcast line names that are declared", () => {
    expect(offeredRids(offer.replace("a=simulcast:send q;h;f\r\n", ""), "1")).toEqual(["q", "h", "f"]);
    expect(offeredRids(offer.replace("a=rid:h send\r\n", ""), "1")).toEqual(["q", "f"]);
  });

  it("does not take receive rids", () => {
    expect(offeredRids(offer.replaceAll(" send", " recv").replace("a=simulcast:recv", "a=simulcast:recv"), "1")).toEqual([]);
  });
});

describe("pickLayer", () => {
  it("forwards the one stream of a publisher without simulcast, whatever the preference", () => {
    expect(pickLayer([], { preferredRid: "h" })).toBe("");
  });

  it("forwards the preferred rid when the publisher sends it", () => {
    expect(pickLayer(["q", "h", "f"], { preferredRid: "h" })).toBe("h");
  });

  it("without a preferred rid, forwards the first in a–z order", () => {
    expect(pickLayer(["q", "h", "f"])).toBe("f");
  });

  it("forwards nothing for a missing preferred rid by default (ridNotAvailable none)", () => {
    expect(pickLayer(["q", "h", "f"], { preferredRid: "x" })).toBeNull();
    expect(pickLayer(["q", "h", "f"], { preferredRid: "x", ridNotAvailable: "none" })).toBeNull();
  });

  it("with ridNotAvailable asciibetical, takes the next rid after the preferred one in a–z order, else the last before it", () => {
    expect(pickLayer(["a", "c", "e"], { preferredRid: "b", ridNotAvailable: "asciibetical" })).toBe("c");
    expect(pickLayer(["a", "c", "e"], { preferredRid: "z", ridNotAvailable: "asciibetical" })).toBe("e");
  });
});

describe("withoutCandidates", () => {
  it("drops the candidates and end-of-candidates and keeps everything else and the line ends", () => {
    const edited = withoutCandidates(offer);
    expect(edited).not.toMatch(/a=candidate|a=end-of-candidates/);
    expect(edited.split("\r\n").length).toBe(offer.split("\r\n").length - 3);
    expect(edited).toContain("a=simulcast:send q;h;f\r\n");
  });
});

describe("withVideoBitrateFloor", () => {
  const hints = "x-google-start-bitrate=2500;x-google-min-bitrate=1500";

  it("adds Chromium's bitrate hints to VP8 in video sections only", () => {
    const edited = withVideoBitrateFloor(offer, { start: 2500, min: 1500 });
    expect(edited).toContain(`a=rtpmap:96 VP8/90000\r\na=fmtp:96 ${hints}\r\n`);
    expect(edited).toContain("a=fmtp:97 apt=96\r\n");
    expect(edited).toContain("a=fmtp:111 minptime=10;useinbandfec=1\r\n");
    expect(edited.split("\r\n").length).toBe(offer.split("\r\n").length + 1);
  });

  it("extends a VP8 fmtp line that exists, once", () => {
    const withFmtp = offer.replace("a=rtpmap:96 VP8/90000", "a=rtpmap:96 VP8/90000\r\na=fmtp:96 max-fr=30");
    const edited = withVideoBitrateFloor(withFmtp, { start: 2500, min: 1500 });
    expect(edited).toContain(`a=fmtp:96 max-fr=30;${hints}\r\n`);
    expect(withVideoBitrateFloor(edited, { start: 2500, min: 1500 })).toBe(edited);
  });

  it("leaves an SDP without video as it is", () => {
    const audioOnly = offer.slice(0, offer.indexOf("m=video"));
    expect(withVideoBitrateFloor(audioOnly, { start: 2500, min: 1500 })).toBe(audioOnly);
  });
});

describe("withSimulcastReceive", () => {
  // The engine's re-offer to that publisher: werift writes its sections without simulcast.
  const reoffer = offer.replace(/a=sendonly/g, "a=recvonly").replace(/a=rid:[^\r]*\r\n|a=simulcast:[^\r]*\r\n/g, "");

  it("puts the publisher's rids back into the section with that mid, as receive rids, in its order", () => {
    const edited = withSimulcastReceive(reoffer, [{ mid: "1", rids: offeredRids(offer, "1") }]);
    expect(edited.endsWith("a=fmtp:97 apt=96\r\na=rid:q recv\r\na=rid:h recv\r\na=rid:f recv\r\na=simulcast:recv q;h;f\r\n")).toBe(true);
    expect(offeredRids(edited, "1")).toEqual([]);
    expect(edited.split("\r\n").length).toBe(reoffer.split("\r\n").length + 4);
  });

  it("edits a middle section in place, and leaves sections without rids, unknown mids and sections with simulcast alone", () => {
    const audioLast = `${reoffer.slice(0, reoffer.indexOf("m=audio"))}${reoffer.slice(reoffer.indexOf("m=video"))}${reoffer.slice(reoffer.indexOf("m=audio"), reoffer.indexOf("m=video"))}`;
    const edited = withSimulcastReceive(audioLast, [{ mid: "1", rids: ["q", "h"] }, { mid: "0", rids: [] }, { mid: "7", rids: ["x"] }]);
    expect(edited).toContain("a=fmtp:97 apt=96\r\na=rid:q recv\r\na=rid:h recv\r\na=simulcast:recv q;h\r\nm=audio");
    expect(edited).not.toContain("rid:x");
    expect(withSimulcastReceive(edited, [{ mid: "1", rids: ["q", "h"] }])).toBe(edited);
    expect(withSimulcastReceive(offer, [{ mid: "1", rids: ["q"] }])).toBe(offer);
  });
});

describe("bundleExtensionIds", () => {
  const mid = "urn:ietf:params:rtp-hdrext:sdes:mid";
  const twcc = "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01";
  const abs = "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time";
  const rid = "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id";

  it("keeps the ids a client's offer gave the bundle", () => {
    const chromium = [
      { uri: abs, id: 2 },
      { uri: twcc, id: 3 },
      { uri: mid, id: 4 },
    ];
    expect(bundleExtensionIds(chromium, [mid, abs, twcc])).toEqual([
      { uri: mid, id: 4 },
      { uri: abs, id: 2 },
      { uri: twcc, id: 3 },
    ]);
  });

  it("gives a URI new to the bundle the lowest id nobody holds", () => {
    expect(bundleExtensionIds([{ uri: abs, id: 1 }, { uri: twcc, id: 3 }], [mid, rid])).toEqual([
      { uri: mid, id: 2 },
      { uri: rid, id: 4 },
    ]);
    expect(bundleExtensionIds([], [mid, abs])).toEqual([
      { uri: mid, id: 1 },
      { uri: abs, id: 2 },
    ]);
  });

  it("leaves out a URI when the one-byte ids (1–14) are all taken", () => {
    const full = Array.from({ length: 14 }, (_, i) => ({ uri: `urn:x:${i}`, id: i + 1 }));
    expect(bundleExtensionIds(full, [mid, "urn:x:3"])).toEqual([{ uri: "urn:x:3", id: 4 }]);
  });
});
