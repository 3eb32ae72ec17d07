import { describe, expect, it } from "vitest";
import { initialResult, verdict, type CheckResult, type ProbeStatus } from "../../web/src/engine/check/connectivity-check";

function result(stun: ProbeStatus, udp: ProbeStatus, tcp: ProbeStatus, tls: ProbeStatus, signaling: ProbeStatus = "ok"): CheckResult {
  return { ...initialResult(), signaling: { status: signaling, rttMs: 12 }, stun: { status: stun }, turn: { udp: { status: udp }, tcp: { status: tcp }, tls: { status: tls } } };
}

describe("connectivity verdict", () => {
  it.each([
    [result("ok", "ok", "failed", "absent"), "works"],
    [result("failed", "failed", "ok", "absent"), "relay-only"],
    [result("failed", "failed", "failed", "ok"), "relay-only"],
    [result("ok", "failed", "rejected", "absent"), "direct-only"],
    [result("failed", "rejected", "failed", "failed"), "blocked"],
    [result("absent", "absent", "absent", "absent"), "local-only"],
    [result("absent", "absent", "absent", "absent", "failed"), "no-service"],
    [result("ok", "pending", "ok", "absent"), "pending"],
  ] as const)("%#: %o → %s", (r, expected) => {
    expect(verdict(r)).toBe(expected);
  });
});
