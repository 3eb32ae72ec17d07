// The SFU proxy's body checks (protocol/sfu.ts) and the Realtime client's answer narrowing
// (worker/realtime/realtime-answers.ts) over random and hostile JSON: they never throw, and
// whatever they accept is accepted again unchanged after a JSON round trip (nothing unchecked,
// nothing half-copied, no inherited fields).

import { describe, expect, it } from "vitest";
import { checkNewSession, checkRenegotiate, checkTracksClose, checkTracksNew, type BodyCheck } from "../../protocol/sfu";
import { newSessionAnswer, renegotiateAnswer, sessionStateAnswer, tracksAnswer } from "../../protocol/sfu-answers";

function rng(seed: number) {
  return () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
}

const KEYS = ["sessionDescription", "tracks", "type", "sdp", "location", "mid", "trackName", "sessionId", "simulcast", "preferredRid", "priorityOrdering", "ridNotAvailable", "force", "requiresImmediateRenegotiation", "errorCode", "errorDescription", "status", "__proto__", "constructor", "toString"];
const STRINGS = ["offer", "answer", "local", "remote", "none", "asciibetical", "active", "inactive", "0", "a", "cam", "", " ", "v=0", "x".repeat(70), "\u0000", "../x"];

/** A random JSON value, biased towards the shapes' own keys and words so that some get far. */
function value(r: () => number, depth = 0): unknown {
  const pick = <T,>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)]!;
  const roll = r();
  if (depth > 4 || roll < 0.35) return pick<unknown>([null, true, false, 0, 1, -1, 1.5, ...STRINGS]);
  if (roll < 0.55) return Array.from({ length: Math.floor(r() * 4) }, () => value(r, depth + 1));
  const o: Record<string, unknown> = {};
  for (let i = Math.floor(r() * 5); i > 0; i--) o[pick(KEYS)] = value(r, depth + 1);
  return JSON.parse(JSON.stringify(o));
}

const checks: Array<[string, (v: unknown) => BodyCheck<unknown>]> = [
  ["new session", checkNewSession],
  ["tracks/new", checkTracksNew],
  ["renegotiate", checkRenegotiate],
  ["tracks/close", checkTracksClose],
];
const answers: Array<[string, (v: unknown) => unknown]> = [
  ["new session", newSessionAnswer],
  ["tracks", tracksAnswer],
  ["renegotiate", renegotiateAnswer],
  ["session state", sessionStateAnswer],
];

describe("SFU shapes under random JSON", () => {
  it("the proxy's body checks never throw, and what they accept survives a round trip unchanged", () => {
    const r = rng(7);
    const accepted = new Map<string, number>();
    for (let i = 0; i < 20_000; i++) {
      const v = value(r);
      for (const [name, check] of checks) {
        const got = check(v);
        if (!got.ok) {
          expect(typeof got.reason).toBe("string");
          continue;
        }
        accepted.set(name, (accepted.get(name) ?? 0) + 1);
        expect(check(JSON.parse(JSON.stringify(got.value)))).toEqual(got);
      }
    }
    // Sanity: at least the permissive shapes were reached.
    expect(accepted.get("new session") ?? 0).toBeGreaterThan(0);
  });

  it("the client's answer narrowing never throws, and keeps only what it checked", () => {
    const r = rng(11);
    for (let i = 0; i < 20_000; i++) {
      const v = value(r);
      for (const [, narrow] of answers) {
        const got = narrow(v);
        if (got === null) continue;
        expect(narrow(JSON.parse(JSON.stringify(got)))).toEqual(got);
        expect(Object.getPrototypeOf(got)).toBe(Object.prototype);
        expect(JSON.stringify(got)).not.toMatch(/__proto__|constructor/);
      }
    }
  });
});
