// The crowd's frames on the wire (protocol/features/crowd.ts): `audience {count}`, the `crowd`
// flag of peer-joined and peer-left, the welcome's `audience`; read strictly and never thrown
// on (a seeded fuzz), and what a client makes of the count (engine/features/crowd-count.ts).

import { describe, expect, it } from "vitest";
import { AUDIENCE_MAX, parseServerMessage } from "../../protocol/protocol";
import { unlistedCrowd } from "../../web/src/engine/features/crowd-count";
import { peer, welcome } from "./session-fakes";

const read = (v: unknown) => parseServerMessage(JSON.stringify(v));

describe("crowd frames", () => {
  it("reads audience with a whole count in bounds, and nothing else", () => {
    expect(read({ type: "audience", count: 947 })).toEqual({ type: "audience", count: 947 });
    expect(read({ type: "audience", count: 0, extra: 1 })).toEqual({ type: "audience", count: 0 });
    for (const count of [-1, 1.5, AUDIENCE_MAX + 1, "3", null, undefined]) expect(read({ type: "audience", count }), String(count)).toBeNull();
  });

  it("reads the crowd flag of peer-joined and peer-left as true or absent", () => {
    const p = peer("p1", "Ai", 1, "member", "viewer");
    expect(read({ type: "peer-left", id: "p1", crowd: true })).toEqual({ type: "peer-left", id: "p1", crowd: true });
    expect(read({ type: "peer-left", id: "p1" })).toEqual({ type: "peer-left", id: "p1" });
    expect(read({ type: "peer-joined", peer: p, crowd: true })).toEqual({ type: "peer-joined", peer: p, crowd: true });
    for (const crowd of [false, "yes", 1, null]) {
      expect(read({ type: "peer-left", id: "p1", crowd }), String(crowd)).toBeNull();
      expect(read({ type: "peer-joined", peer: p, crowd }), String(crowd)).toBeNull();
    }
    // Inside a roster batch, each is read as it would be alone.
    expect(read({ type: "roster", frames: [{ type: "peer-left", id: "p1", crowd: true }, { type: "peer-joined", peer: p, crowd: true }] })).not.toBeNull();
    expect(read({ type: "roster", frames: [{ type: "peer-left", id: "p1", crowd: 0 }] })).toBeNull();
  });

  it("needs the welcome's audience count", () => {
    const w = welcome(peer("me", "Me", 1), [], { audience: 12 });
    expect(read(w)).toMatchObject({ audience: 12 });
    const { audience: _gone, ...without } = w;
    expect(read(without)).toBeNull();
    expect(read({ ...w, audience: -3 })).toBeNull();
  });

  it("returns null, never throws, for hostile shapes (seeded fuzz)", () => {
    let seed = 11;
    const r = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff), seed / 0x7fffffff);
    const pick = <T,>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)]!;
    const value = (): unknown => pick([null, 0, 5, -1, 1.5, 2 ** 53, "", "p1", "a b", true, false, [], {}, [1], { id: "p1" }, AUDIENCE_MAX, AUDIENCE_MAX + 1]);
    const bases: Record<string, unknown>[] = [
      { type: "audience", count: 3 },
      { type: "peer-left", id: "p1", crowd: true },
      { type: "peer-joined", peer: peer("p1", "Ai", 1, "member", "viewer"), crowd: true },
      { type: "roster", frames: [{ type: "peer-left", id: "p2", crowd: true }] },
    ];
    let accepted = 0;
    for (let i = 0; i < 3000; i++) {
      const out: Record<string, unknown> = { ...pick(bases) };
      for (const k of Object.keys(out)) if (k !== "type" && r() < 0.4) out[k] = value();
      if (r() < 0.2) out[pick(["crowd", "count", "id", "frames"])] = value();
      const parsed = parseServerMessage(JSON.stringify(out));
      if (parsed === null) continue;
      accepted++;
      // Whatever passes is exactly what the type says.
      if (parsed.type === "audience") expect(Number.isInteger(parsed.count) && parsed.count >= 0 && parsed.count <= AUDIENCE_MAX).toBe(true);
      if (parsed.type === "peer-left" || parsed.type === "peer-joined") expect([undefined, true]).toContain(parsed.crowd);
    }
    expect(accepted).toBeGreaterThan(0);
  });
});

describe("the unlisted crowd, as a client counts it", () => {
  const viewer = { role: "member", seat: "viewer", recording: null } as const;
  const speaker = { role: "host", seat: "speaker", recording: null } as const;

  it("is the count less the crowd members listed: itself for a plain viewer, everyone for a host", () => {
    expect(unlistedCrowd("stage", 948, viewer, [speaker])).toBe(947);
    expect(unlistedCrowd("stage", 2, speaker, [viewer, viewer])).toBe(0);
    // A recording viewer is not in the crowd: it does not count itself out.
    expect(unlistedCrowd("stage", 5, { ...viewer, recording: { kind: "composite", since: 1 } }, [speaker])).toBe(5);
    expect(unlistedCrowd("meeting", 0, viewer, [])).toBe(0);
    // A count that lags the roster never goes negative.
    expect(unlistedCrowd("stage", 1, speaker, [viewer, viewer])).toBe(0);
  });
});
