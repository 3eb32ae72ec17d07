import { describe, expect, it } from "vitest";
import { HOST_KEY } from "../../protocol/protocol";
import { checkPasscode, hashHostKey, hashPasscode, isHostKey, newHostKey, PBKDF2_ITERATIONS, sameBytes, verifyJoin } from "../../worker/access/secrets";

const join = { type: "join", v: 1, name: "A", media: { mic: false, cam: false, screen: false } } as const;

describe("the room's secrets", () => {
  it("pins PBKDF2 at exactly 100,000 iterations: production Workers refuse more (workerd#1346), wrangler dev does not", () => {
    expect(PBKDF2_ITERATIONS).toBe(100_000);
  });

  it("stores a passcode as pbkdf2-sha256$100000$<16-byte salt>$<32-byte hash>, salted afresh each time", async () => {
    const a = await hashPasscode("tulip 42");
    const b = await hashPasscode("tulip 42");
    const parts = a.split("$");
    expect(parts).toHaveLength(4);
    expect(parts[0]).toBe("pbkdf2-sha256");
    expect(parts[1]).toBe("100000");
    expect(atob(parts[2]!)).toHaveLength(16);
    expect(atob(parts[3]!)).toHaveLength(32);
    expect(a).not.toBe(b);
    expect(a).not.toContain("tulip");
  });

  it("checks a passcode against its record: right, wrong, and records it cannot or must not use", async () => {
    const record = await hashPasscode("tulip 42");
    expect(await checkPasscode("tulip 42", record)).toBe(true);
    expect(await checkPasscode("tulip 43", record)).toBe(false);
    expect(await checkPasscode("", record)).toBe(false);
    // More iterations than production allows: never derived (it would fail there anyway).
    const [, , salt, hash] = record.split("$");
    expect(await checkPasscode("tulip 42", `pbkdf2-sha256$200000$${salt}$${hash}`)).toBe(false);
    expect(await checkPasscode("tulip 42", "plain:tulip 42")).toBe(false);
    expect(await checkPasscode("tulip 42", `pbkdf2-sha256$100000$${salt}$!!`)).toBe(false);
  });

  it("makes 128-bit host keys in the join's format, and keeps only their SHA-256", async () => {
    const key = newHostKey();
    expect(key).toMatch(HOST_KEY);
    expect(newHostKey()).not.toBe(key);
    const hash = await hashHostKey(key);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(await isHostKey(key, hash)).toBe(true);
    expect(await isHostKey(newHostKey(), hash)).toBe(false);
  });

  it("answers a check-join: the host key first, the passcode only without it", async () => {
    const key = newHostKey();
    const hostKey = await hashHostKey(key);
    const passcode = await hashPasscode("open sesame");
    expect(await verifyJoin({ kind: "check-join", join: { ...join, hostKey: key }, hostKey, passcode: null })).toEqual({ host: true, passcode: false });
    expect(await verifyJoin({ kind: "check-join", join: { ...join, hostKey: newHostKey() }, hostKey, passcode: null })).toEqual({ host: false, passcode: false });
    expect(await verifyJoin({ kind: "check-join", join: { ...join, passcode: "open sesame" }, hostKey: null, passcode })).toEqual({ host: false, passcode: true });
    expect(await verifyJoin({ kind: "check-join", join: { ...join, passcode: "nope" }, hostKey: null, passcode })).toEqual({ host: false, passcode: false });
  });

  it("compares bytes in full whatever the first difference", () => {
    expect(sameBytes(new Uint8Array([1, 2, 3]), new Uint8Array([1, 2, 3]))).toBe(true);
    expect(sameBytes(new Uint8Array([1, 2, 3]), new Uint8Array([9, 2, 3]))).toBe(false);
    expect(sameBytes(new Uint8Array([1, 2]), new Uint8Array([1, 2, 3]))).toBe(false);
  });
});
