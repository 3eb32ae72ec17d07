// Reading the DTLS fingerprints out of a session description (engine/safety/fingerprints.ts).

import { describe, expect, it } from "vitest";
import { fingerprintsOf } from "../../web/src/engine/safety/fingerprints";

const SHA256_1 = "5D:3B:0F:1E:4A:8C:2D:7F:9B:6E:1C:3A:5F:8D:0B:2E:4C:7A:9F:1D:3B:6E:8C:0A:2F:5D:7B:9E:1A:4C:6F:8B";
const SHA256_2 = "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF";
const SHA1 = "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01";

const sdp = (...lines: string[]) => ["v=0", "o=- 4611731400430051336 2 IN IP4 127.0.0.1", "s=-", "t=0 0", ...lines, ""].join("\r\n");

describe("fingerprintsOf", () => {
  it("reads a media-level fingerprint, as Chromium writes it, once however many m-lines repeat it", () => {
    const desc = sdp(
      "a=group:BUNDLE 0 1",
      "m=audio 9 UDP/TLS/RTP/SAVPF 111",
      `a=fingerprint:sha-256 ${SHA256_1}`,
      "a=setup:actpass",
      "m=video 9 UDP/TLS/RTP/SAVPF 96",
      `a=fingerprint:sha-256 ${SHA256_1}`,
    );
    expect(fingerprintsOf(desc)).toEqual([SHA256_1]);
  });

  it("reads session-level lines too, lower case made upper, several distinct ones sorted", () => {
    const desc = sdp(`a=fingerprint:SHA-256 ${SHA256_1.toLowerCase()}`, "m=audio 9 UDP/TLS/RTP/SAVPF 111", `a=fingerprint:sha-256 ${SHA256_2}`);
    expect(fingerprintsOf(desc)).toEqual([SHA256_2, SHA256_1]);
  });

  it("prefers sha-256 to other algorithms, and keeps the others (named) when there is no sha-256", () => {
    expect(fingerprintsOf(sdp(`a=fingerprint:sha-1 ${SHA1}`, `a=fingerprint:sha-256 ${SHA256_1}`))).toEqual([SHA256_1]);
    expect(fingerprintsOf(sdp(`a=fingerprint:sha-1 ${SHA1}`))).toEqual([`sha-1 ${SHA1}`]);
  });

  it("reads LF-only descriptions and ignores malformed lines", () => {
    const desc = [`a=fingerprint:sha-256 ${SHA256_1}`, "a=fingerprint:sha-256 not-hex", "a=fingerprint:sha-256", `a=fingerprint: ${SHA256_2}`, `a=fingerprint:sha-256 ${SHA256_2}:`].join("\n");
    expect(fingerprintsOf(desc)).toEqual([SHA256_1]);
  });

  it("is empty for a description without a fingerprint", () => {
    expect(fingerprintsOf(sdp("m=audio 9 UDP/TLS/RTP/SAVPF 111"))).toEqual([]);
    expect(fingerprintsOf("")).toEqual([]);
  });
});
