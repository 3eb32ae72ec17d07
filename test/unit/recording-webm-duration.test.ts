// The WebM duration patch on the head of a real Chromium MediaRecorder file, and on built EBML
// samples: the Duration is written in the place of bytes Info already has, so the head keeps its
// size and nothing after it moves (a recording is patched on disk with one positional write).

import { describe, expect, it } from "vitest";
import { webmDurationPatch } from "../../web/src/engine/recording/webm-duration";
import { CHROMIUM_HEAD } from "./recording-webm-head";

// A reader of our own for the checks (not the patch's): id (marker kept), size, data range.
function vint(b: Uint8Array, at: number, marker: boolean) {
  let len = 1;
  while (!(b[at]! & (0x80 >> (len - 1)))) len++;
  let v = marker ? b[at]! : b[at]! & (0xff >> len);
  for (let i = 1; i < len; i++) v = v * 256 + b[at + i]!;
  return { len, v };
}
function children(b: Uint8Array, from: number, to: number) {
  const out: Array<{ id: number; start: number; data: number; end: number }> = [];
  for (let at = from; at < to; ) {
    const id = vint(b, at, true);
    const size = vint(b, at + id.len, false);
    const data = at + id.len + size.len;
    out.push({ id: id.v, start: at, data, end: data + size.v });
    at = data + size.v;
  }
  return out;
}
/** Info's children, found by walking EBML header → Segment → Info. */
function infoOf(b: Uint8Array) {
  const ebml = children(b, 0, 1)[0]!;
  const segmentData = ebml.end + 4 + 8; // Segment id (4) + unknown size (8)
  const info = children(b, segmentData, segmentData + 1)[0]!;
  expect(info.id).toBe(0x1549a966);
  return { info, items: children(b, info.data, info.end) };
}
function durationIn(b: Uint8Array): number | null {
  const d = infoOf(b).items.find((c) => c.id === 0x4489);
  if (!d) return null;
  const view = new DataView(b.buffer, b.byteOffset + d.data, d.end - d.data);
  return d.end - d.data === 8 ? view.getFloat64(0) : view.getFloat32(0);
}
function apply(head: Uint8Array, patch: { position: number; bytes: Uint8Array }): Uint8Array {
  const out = head.slice();
  out.set(patch.bytes, patch.position);
  return out;
}

describe("webm duration patch", () => {
  it("writes the duration into Chromium's Info in place of WritingApp, changing nothing else", () => {
    expect(durationIn(CHROMIUM_HEAD)).toBeNull();
    const patch = webmDurationPatch(CHROMIUM_HEAD, 6_123)!;
    expect(patch).not.toBeNull();
    const before = infoOf(CHROMIUM_HEAD);
    const writingApp = before.items.find((c) => c.id === 0x5741)!;
    expect(patch.position).toBe(writingApp.start);
    expect(patch.bytes.length).toBe(writingApp.end - writingApp.start);

    const patched = apply(CHROMIUM_HEAD, patch);
    expect(durationIn(patched)).toBe(6_123);
    const after = infoOf(patched);
    // Info keeps its size, TimecodeScale and MuxingApp; a Void fills the rest of WritingApp's place.
    expect(after.info.end).toBe(before.info.end);
    expect(after.items.map((c) => c.id)).toEqual([0x2ad7b1, 0x4d80, 0x4489, 0xec]);
    // Every byte outside the patch is the same (Tracks and the first Cluster did not move).
    for (let i = 0; i < CHROMIUM_HEAD.length; i++) {
      if (i < patch.position || i >= patch.position + patch.bytes.length) expect(patched[i]).toBe(CHROMIUM_HEAD[i]);
    }
  });

  it("keeps whole milliseconds up to 2^24 ms (4.6 h) in its 4-byte float, and within 1 ms at 9 h", () => {
    for (const ms of [1, 999, 60_000, 3_600_000 + 1, 4 * 3_600_000 + 30 * 60_000 + 1]) {
      expect(durationIn(apply(CHROMIUM_HEAD, webmDurationPatch(CHROMIUM_HEAD, ms)!))).toBe(ms);
    }
    const nine = 9 * 3_600_000 + 7;
    expect(Math.abs(durationIn(apply(CHROMIUM_HEAD, webmDurationPatch(CHROMIUM_HEAD, nine)!))! - nine)).toBeLessThanOrEqual(1);
  });

  it("patching twice overwrites the first duration (a file whose save was retried)", () => {
    const once = apply(CHROMIUM_HEAD, webmDurationPatch(CHROMIUM_HEAD, 1_000)!);
    const twice = apply(once, webmDurationPatch(once, 2_500)!);
    expect(durationIn(twice)).toBe(2_500);
    expect(twice.length).toBe(CHROMIUM_HEAD.length);
  });

  /** A head with the given Info children (hex), TimecodeScale first. */
  function built(infoChildren: string, scale = "0f4240"): Uint8Array {
    const hex = (s: string) => (s.match(/../g) ?? []).map((h) => parseInt(h, 16));
    const scaleEl = [0x2a, 0xd7, 0xb1, 0x80 | (scale.length / 2), ...hex(scale)];
    const body = [...scaleEl, ...hex(infoChildren)];
    const ebml = hex("1a45dfa3" + "84" + "42868101"); // an EBML header with EBMLVersion 1
    return Uint8Array.from([...ebml, ...hex("1853806701ffffffffffffff"), ...hex("1549a966"), 0x80 | body.length, ...body, ...hex("1f43b67501ffffffffffffff")]);
  }

  it("uses an 8-byte float where a Void leaves room, and counts in the file's TimecodeScale", () => {
    // A 16-byte Void (ec 8e + 14 bytes): Duration as float64 (11) + a 5-byte Void.
    const head = built("ec8e" + "00".repeat(14), "03e8"); // TimecodeScale 1000 ns: microseconds
    const patch = webmDurationPatch(head, 2_000)!;
    expect(patch.bytes.length).toBe(16);
    const patched = apply(head, patch);
    expect(patch.bytes.slice(0, 3)).toEqual(Uint8Array.from([0x44, 0x89, 0x88]));
    expect(durationIn(patched)).toBe(2_000_000);
    expect(infoOf(patched).items.map((c) => c.id)).toEqual([0x2ad7b1, 0x4489, 0xec]);
  });

  it("overwrites a Duration that is already there, in its own width", () => {
    const head = built("4489880000000000000000");
    const patched = apply(head, webmDurationPatch(head, 42_000)!);
    expect(durationIn(patched)).toBe(42_000);
    expect(patched.length).toBe(head.length);
  });

  it("leaves alone what it does not recognise", () => {
    expect(webmDurationPatch(new Uint8Array(0), 1000)).toBeNull();
    expect(webmDurationPatch(Uint8Array.from([0, 0, 0, 0x20, 0x66, 0x74, 0x79, 0x70]), 1000)).toBeNull(); // MP4's ftyp
    expect(webmDurationPatch(CHROMIUM_HEAD.slice(0, 60), 1000)).toBeNull(); // Info cut short
    // No room in Info (TimecodeScale only): nothing to take the place of.
    expect(webmDurationPatch(built(""), 1000)).toBeNull();
  });
});
