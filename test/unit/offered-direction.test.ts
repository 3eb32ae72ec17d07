import { describe, expect, it } from "vitest";
import { offeredDirection } from "../../web/src/engine/peer/offered-direction";

// The shape Chromium writes: session lines, then one section per m-line with its mid and direction.
const sdp = (sections: string[]) =>
  ["v=0", "o=- 4611731400430051336 2 IN IP4 127.0.0.1", "s=-", "t=0 0", "a=group:BUNDLE 0 1", ...sections].join("\r\n") + "\r\n";
const section = (kind: string, mid: string, direction?: string) =>
  [`m=${kind} 9 UDP/TLS/RTP/SAVPF 111`, "c=IN IP4 0.0.0.0", `a=mid:${mid}`, ...(direction ? [`a=${direction}`] : []), "a=rtcp-mux"].join("\r\n");

describe("offeredDirection", () => {
  it("reads each m-line's direction by mid", () => {
    const offer = sdp([section("audio", "0", "sendrecv"), section("video", "1", "sendonly"), section("video", "2", "inactive")]);
    expect(offeredDirection(offer, "0")).toBe("sendrecv");
    expect(offeredDirection(offer, "1")).toBe("sendonly");
    expect(offeredDirection(offer, "2")).toBe("inactive");
  });

  it("defaults to sendrecv, and knows no mid that is not there", () => {
    const offer = sdp([section("audio", "0"), section("video", "10", "recvonly")]);
    expect(offeredDirection(offer, "0")).toBe("sendrecv");
    expect(offeredDirection(offer, "1")).toBeNull();
    expect(offeredDirection(offer, "10")).toBe("recvonly");
  });
});
