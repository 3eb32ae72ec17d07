// The resume logic on its own: which block a receiver asks for after a cut (the first one not
// verified), and the file-id checks on both sides that keep two files from being spliced.

import { describe, expect, it } from "vitest";
import { BLOCK_SIZE } from "../../web/src/engine/files/blocks";
import { acceptedStart, resumeStart, VerifiedBlocks } from "../../web/src/engine/files/resume";

const FILE = { id: "a".repeat(64), size: 5 * BLOCK_SIZE + 1, blockSize: BLOCK_SIZE }; // 6 blocks

describe("VerifiedBlocks", () => {
  it("resumes after the last block of the verified run: 0..k verified asks from k+1", () => {
    const v = new VerifiedBlocks(0, 6);
    expect(v.nextBlock).toBe(0);
    v.mark(0);
    v.mark(1);
    v.mark(2);
    expect(v.nextBlock).toBe(3);
    expect(v.complete).toBe(false);
  });

  it("does not skip a gap: a block verified after a nacked one waits for it", () => {
    const v = new VerifiedBlocks(0, 6);
    v.mark(0);
    v.mark(2);
    v.mark(3);
    expect(v.nextBlock).toBe(1);
    expect(v.has(2)).toBe(true);
    expect(v.has(1)).toBe(false);
    v.mark(1);
    expect(v.nextBlock).toBe(4);
  });

  it("counts blocks before a resume point as verified, and completes at the count", () => {
    const v = new VerifiedBlocks(4, 6);
    expect(v.has(0)).toBe(true);
    expect(v.has(3)).toBe(true);
    expect(v.has(4)).toBe(false);
    v.mark(5);
    v.mark(4);
    expect(v.complete).toBe(true);
    expect(v.nextBlock).toBe(6);
    expect(new VerifiedBlocks(0, 0).complete).toBe(true);
  });
});

describe("resumeStart (receiver)", () => {
  it("starts a new transfer at 0 and a resumed one at its record", () => {
    expect(resumeStart(null, FILE)).toEqual({ ok: true, from: 0 });
    expect(resumeStart({ id: FILE.id, nextBlock: 4 }, FILE)).toEqual({ ok: true, from: 4 });
    expect(resumeStart({ id: FILE.id, nextBlock: 6 }, FILE)).toEqual({ ok: true, from: 6 });
  });

  it("refuses an offer of another file, and a record past the end", () => {
    expect(resumeStart({ id: "b".repeat(64), nextBlock: 4 }, FILE)).toMatchObject({ ok: false, error: { code: "id-mismatch" } });
    expect(resumeStart({ id: FILE.id, nextBlock: 7 }, FILE)).toMatchObject({ ok: false, error: { code: "bad-index" } });
  });
});

describe("acceptedStart (sender)", () => {
  it("starts where the accept says", () => {
    expect(acceptedStart({ type: "accept", id: FILE.id, from: 0 }, FILE)).toEqual({ ok: true, from: 0 });
    expect(acceptedStart({ type: "accept", id: FILE.id, from: 5 }, FILE)).toEqual({ ok: true, from: 5 });
  });

  it("refuses an accept for another file, and one past the end", () => {
    expect(acceptedStart({ type: "accept", id: "b".repeat(64), from: 0 }, FILE)).toMatchObject({ ok: false, error: { code: "id-mismatch" } });
    expect(acceptedStart({ type: "accept", id: FILE.id, from: 7 }, FILE)).toMatchObject({ ok: false, error: { code: "bad-index" } });
  });
});
