// The safety code (engine/safety/code.ts, base32.ts): RFC 4648 base32, the same code on both ends
// of a connection, a different one when either fingerprint changes, and one room code for every
// member's view of a meeting.

import { describe, expect, it } from "vitest";
import { base32 } from "../../web/src/engine/safety/base32";
import { CODE_CHARS, groupCode, roomCode, safetyCode, safetyHash } from "../../web/src/engine/safety/code";

const bytes = (s: string) => new TextEncoder().encode(s);

const FP_A = "sha-256 AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99";
const FP_B = "sha-256 01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF";
const FP_C = "sha-256 FE:DC:BA:98:76:54:32:10:FE:DC:BA:98:76:54:32:10:FE:DC:BA:98:76:54:32:10:FE:DC:BA:98:76:54:32:10";

describe("base32", () => {
  it("encodes the RFC 4648 section 10 test vectors (without padding)", () => {
    const vectors: Array<[string, string]> = [
      ["", ""],
      ["f", "MY"],
      ["fo", "MZXQ"],
      ["foo", "MZXW6"],
      ["foob", "MZXW6YQ"],
      ["fooba", "MZXW6YTB"],
      ["foobar", "MZXW6YTBOI"],
    ];
    for (const [input, output] of vectors) expect(base32(bytes(input)), input).toBe(output);
  });

  it("uses only A–Z and 2–7, 52 characters for a SHA-256 digest", () => {
    const all = base32(new Uint8Array(32).map((_, i) => i * 37 + 11));
    expect(all).toMatch(/^[A-Z2-7]{52}$/);
    expect(base32(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff]))).toBe("77777777");
    expect(base32(new Uint8Array(5))).toBe("AAAAAAAA");
  });
});

describe("the safety code", () => {
  it("hashes the label, the room and the sorted fingerprints (a vector computed apart)", async () => {
    const { createHash } = await import("node:crypto");
    const digest = createHash("sha256").update(`roomlink-sas-v2\nroom-1\n${[FP_A, FP_B].sort().join("\n")}`).digest();
    expect(await safetyHash("room-1", [FP_B, FP_A])).toBe(base32(new Uint8Array(digest)));
    expect(await safetyCode("room-1", [FP_A, FP_B])).toBe(base32(new Uint8Array(digest)).slice(0, CODE_CHARS));
  });

  it("is the same on both ends: local and remote swapped", async () => {
    const onA = await safetyCode("room-1", [FP_A, FP_B]);
    const onB = await safetyCode("room-1", [FP_B, FP_A]);
    expect(onA).toBe(onB);
    expect(onA).toMatch(/^[A-Z2-7]{8}$/);
  });

  it("changes when one fingerprint changes, or the room", async () => {
    const code = await safetyCode("room-1", [FP_A, FP_B]);
    expect(await safetyCode("room-1", [FP_A, FP_C])).not.toBe(code);
    expect(await safetyCode("room-1", [FP_C, FP_B])).not.toBe(code);
    const oneDigit = FP_B.slice(0, -1) + "0";
    expect(await safetyCode("room-1", [FP_A, oneDigit])).not.toBe(code);
    expect(await safetyCode("room-2", [FP_A, FP_B])).not.toBe(code);
  });

  it("hashes one fingerprint per end, each as a whole: ends cannot be merged or dropped", async () => {
    const code = await safetyCode("room-1", [FP_A, FP_B]);
    // The same certificate on both ends (two tabs of one browser) is two ends, not one.
    expect(await safetyCode("room-1", [FP_A, FP_A])).not.toBe(await safetyCode("room-1", [FP_A]));
    expect(await safetyCode("room-1", [FP_A, FP_B, FP_B])).not.toBe(code);
    // Another algorithm's name is part of the end's fingerprint.
    expect(await safetyCode("room-1", [FP_A, FP_B.replace("sha-256", "sha-1")])).not.toBe(code);
  });

  it("shows two groups of four", () => {
    expect(groupCode("ABCDEFGH")).toBe("ABCD EFGH");
  });
});

describe("the room code", () => {
  it("is the same in every member's view of a meeting", async () => {
    const members = [FP_A, FP_B, FP_C];
    const views = await Promise.all(members.map((ours) => roomCode("room-1", ours, members.filter((m) => m !== ours))));
    expect(views[0]).toMatch(/^[A-Z2-7]{8}$/);
    expect(new Set(views).size).toBe(1);
    // Not a pair's code: someone missing from a view would change it.
    expect(views[0]).not.toBe(await safetyCode("room-1", [FP_A, FP_B]));
  });

  it("changes when one member's fingerprint changes", async () => {
    const before = await roomCode("room-1", FP_A, [FP_B, FP_C]);
    const after = await roomCode("room-1", FP_A, [FP_B, FP_C.replace("FE", "FF")]);
    expect(after).not.toBe(before);
  });

  it("is null without a verifiable connection to everyone", async () => {
    expect(await roomCode("room-1", FP_A, [FP_B, null])).toBeNull();
    expect(await roomCode("room-1", FP_A, [FP_B, ""])).toBeNull();
    expect(await roomCode("room-1", FP_A, [])).toBeNull();
    expect(await roomCode("room-1", "", [FP_B])).toBeNull();
  });
});
