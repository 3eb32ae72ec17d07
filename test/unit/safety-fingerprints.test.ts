// Reading the DTLS fingerprint out of a session description (engine/safety/fingerprints.ts):
// exactly one, or the description cannot be verified.

import { describe, expect, it } from "vitest";
import { fingerprintOf } from "../../web/src/engine/safety/fingerprints";

const SHA256_1 = "5D:3B:0F:1E:4A:8C:2D:7F:9B:6E:1C:3A:5F:8D:0B:2E:4C:7A:9F:1D:3B:6E:8C:0A:2F:5D:7B:9E:1A:4C:6F:8B";
const SHA256_2 = "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF";
const SHA1 = "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01";
const SHA512 = Array.from({ length: 64 }, (_, i) => (i * 7 + 3).toString(16).padStart(2, "0").toUpperCase()).join(":");

const sdp = (...lines: string[]) => ["v=0", "o=- 4611731400430051336 2 IN IP4 127.0.0.1", "s=-", "t=0 0", ...lines, ""].join("\r\n");
const AMBIGUOUS = { kind: "ambiguous" };

describe("fingerprintOf", () => {
  it("reads a media-level fingerprint, as Chromium writes it, once however many m-lines repeat it", () => {
    const desc = sdp(
      "a=group:BUNDLE 0 1",
      "m=audio 9 UDP/TLS/RTP/SAVPF 111",
      "a=mid:0",
      `a=fingerprint:sha-256 ${SHA256_1}`,
      "a=setup:actpass",
      "m=video 9 UDP/TLS/RTP/SAVPF 96",
      "a=mid:1",
      `a=fingerprint:sha-256 ${SHA256_1}`,
    );
    expect(fingerprintOf(desc)).toEqual({ kind: "one", value: `sha-256 ${SHA256_1}` });
  });

  it("reads a session-level line, as Firefox writes it, lower case made upper; the same again at media level is still one", () => {
    const desc = sdp(`a=fingerprint:SHA-256 ${SHA256_1.toLowerCase()}`, "m=audio 9 UDP/TLS/RTP/SAVPF 111", `a=fingerprint:sha-256 ${SHA256_1}`);
    expect(fingerprintOf(desc)).toEqual({ kind: "one", value: `sha-256 ${SHA256_1}` });
    expect(fingerprintOf(sdp(`a=fingerprint:sha-1 ${SHA1}`))).toEqual({ kind: "one", value: `sha-1 ${SHA1}` });
  });

  // A relay in the middle lists the real peer's fingerprint B beside its own M: DTLS checks one
  // of them (Chromium: the BUNDLE tag's section; Firefox: any), the code would have hashed both.
  it("cannot verify a description with the peer's sha-256 beside the relay's sha-512", () => {
    const desc = sdp("m=audio 9 UDP/TLS/RTP/SAVPF 111", `a=fingerprint:sha-256 ${SHA256_1}`, `a=fingerprint:sha-512 ${SHA512}`);
    expect(fingerprintOf(desc)).toEqual(AMBIGUOUS);
  });

  it("cannot verify one fingerprint in a non-tag m-section and another in the BUNDLE tag's", () => {
    const desc = sdp(
      "a=group:BUNDLE 0 1",
      "m=audio 9 UDP/TLS/RTP/SAVPF 111",
      "a=mid:0",
      `a=fingerprint:sha-256 ${SHA256_2}`,
      "m=video 9 UDP/TLS/RTP/SAVPF 96",
      "a=mid:1",
      `a=fingerprint:sha-256 ${SHA256_1}`,
    );
    expect(fingerprintOf(desc)).toEqual(AMBIGUOUS);
    // Session level against media level, and two algorithms (we cannot tell they hash one certificate).
    expect(fingerprintOf(sdp(`a=fingerprint:sha-256 ${SHA256_1}`, "m=audio 9 UDP/TLS/RTP/SAVPF 111", `a=fingerprint:sha-256 ${SHA256_2}`))).toEqual(AMBIGUOUS);
    expect(fingerprintOf(sdp(`a=fingerprint:sha-1 ${SHA1}`, `a=fingerprint:sha-256 ${SHA256_1}`))).toEqual(AMBIGUOUS);
  });

  it("cannot verify a description with a fingerprint line it cannot read: the browser might read it", () => {
    expect(fingerprintOf([`a=fingerprint:sha-256 ${SHA256_1}`, "a=fingerprint:sha-256 not-hex"].join("\n"))).toEqual(AMBIGUOUS);
    expect(fingerprintOf([`a=fingerprint:sha-256 ${SHA256_1}`, `a=fingerprint:sha-256 ${SHA256_2}:`].join("\n"))).toEqual(AMBIGUOUS);
    expect(fingerprintOf([`a=fingerprint:sha-256 ${SHA256_1}`, `a=fingerprint:sha-256 ${SHA256_2}${":AB".repeat(200)}`].join("\n"))).toEqual(AMBIGUOUS);
    expect(fingerprintOf([`a=fingerprint:sha-256 ${SHA256_1}`, `A=FINGERPRINT:sha-256 ${SHA256_2} x`].join("\n"))).toEqual(AMBIGUOUS);
  });

  it("reads LF-only descriptions", () => {
    expect(fingerprintOf(["v=0", `a=fingerprint:sha-256 ${SHA256_1}`, "m=audio 9 UDP/TLS/RTP/SAVPF 111"].join("\n"))).toEqual({ kind: "one", value: `sha-256 ${SHA256_1}` });
  });

  it("finds none in a description without a fingerprint", () => {
    expect(fingerprintOf(sdp("m=audio 9 UDP/TLS/RTP/SAVPF 111"))).toEqual({ kind: "none" });
    expect(fingerprintOf("")).toEqual({ kind: "none" });
  });
});
