// The voice routes' pure parts: what a recording's first bytes say it is (worker/voice/sniff.ts),
// and what a Range header asks for (worker/voice/range.ts).

import { describe, expect, it } from "vitest";
import { contentRange, parseRange } from "../../worker/voice/range";
import { sniffVoice } from "../../worker/voice/sniff";

const bytes = (...parts: Array<number[] | string>) =>
  new Uint8Array(parts.flatMap((p) => (typeof p === "string" ? [...p].map((c) => c.charCodeAt(0)) : p)));

/** The EBML header Chrome's and Firefox's MediaRecorder write, up to its DocType. */
const EBML_HEAD = [0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x86, 0x81, 0x01, 0x42, 0xf7, 0x81, 0x01, 0x42, 0xf2, 0x81, 0x04, 0x42, 0xf3, 0x81, 0x08, 0x42, 0x82, 0x84];

describe("sniffVoice", () => {
  it("knows a recorder's WebM by its EBML header and DocType", () => {
    expect(sniffVoice(bytes(EBML_HEAD, "webm", [0x42, 0x87, 0x81, 0x04]))).toBe("audio/webm");
  });

  it("refuses Matroska that is not WebM, and EBML cut short", () => {
    expect(sniffVoice(bytes(EBML_HEAD.slice(0, -1), [0x88], "matroska"))).toBeNull();
    expect(sniffVoice(bytes([0x1a, 0x45, 0xdf, 0xa3]))).toBeNull();
  });

  it("knows MP4 by its ftyp box, whatever the box size and brand", () => {
    expect(sniffVoice(bytes([0, 0, 0, 0x1c], "ftypM4A ", [0, 0, 0, 0]))).toBe("audio/mp4");
    expect(sniffVoice(bytes([0, 0, 0, 0x20], "ftypisom"))).toBe("audio/mp4");
    expect(sniffVoice(bytes([0, 0, 0, 0x20], "ftyp"))).toBe("audio/mp4");
    expect(sniffVoice(bytes([0, 0, 0, 0x20], "moov"))).toBeNull();
  });

  it("knows Ogg by its page header", () => {
    expect(sniffVoice(bytes("OggS", [0, 2]))).toBe("audio/ogg");
    expect(sniffVoice(bytes("Ogg"))).toBeNull();
  });

  it("refuses everything else: HTML, SVG, scripts, images, nothing at all", () => {
    for (const other of ["<!doctype html><script>alert(1)</script>", "<svg onload=alert(1)>", "GIF89a", "\x89PNG\r\n\x1a\n", "ID3\x04", "RIFF\0\0\0\0WAVE", ""]) {
      expect(sniffVoice(bytes(other)), JSON.stringify(other)).toBeNull();
    }
    // MP4's signature is at offset 4 only: "ftyp" at the start is nothing.
    expect(sniffVoice(bytes("ftyp0000"))).toBeNull();
  });
});

describe("parseRange", () => {
  it("serves the whole body without a Range, or with one it does not understand", () => {
    for (const header of [null, "", "bytes=", "bytes=-", "items=0-1", "bytes=0-1,4-5", "bytes=5-2", "bytes=a-b", "bytes=1.5-2"]) {
      expect(parseRange(header, 100), String(header)).toEqual({ kind: "full" });
    }
  });

  it("answers a first-last range, clipped to the body", () => {
    expect(parseRange("bytes=0-1", 100)).toEqual({ kind: "partial", offset: 0, length: 2 });
    expect(parseRange("bytes=10-19", 100)).toEqual({ kind: "partial", offset: 10, length: 10 });
    expect(parseRange("bytes=90-500", 100)).toEqual({ kind: "partial", offset: 90, length: 10 });
    expect(parseRange("bytes=99-99", 100)).toEqual({ kind: "partial", offset: 99, length: 1 });
  });

  it("answers an open range to the end (Safari's first request is bytes=0-1, then bytes=0-)", () => {
    expect(parseRange("bytes=0-", 100)).toEqual({ kind: "partial", offset: 0, length: 100 });
    expect(parseRange("bytes=40-", 100)).toEqual({ kind: "partial", offset: 40, length: 60 });
  });

  it("answers a suffix range: the last N bytes, or all of them", () => {
    expect(parseRange("bytes=-10", 100)).toEqual({ kind: "partial", offset: 90, length: 10 });
    expect(parseRange("bytes=-1000", 100)).toEqual({ kind: "partial", offset: 0, length: 100 });
  });

  it("says 416 for a range that starts past the end, or an empty suffix", () => {
    expect(parseRange("bytes=100-", 100)).toEqual({ kind: "unsatisfiable" });
    expect(parseRange("bytes=100-200", 100)).toEqual({ kind: "unsatisfiable" });
    expect(parseRange("bytes=-0", 100)).toEqual({ kind: "unsatisfiable" });
  });

  it("writes the Content-Range of a part", () => {
    expect(contentRange(0, 2, 100)).toBe("bytes 0-1/100");
    expect(contentRange(90, 10, 100)).toBe("bytes 90-99/100");
  });
});
