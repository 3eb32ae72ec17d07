// `welcome.files` (protocol/features/file-relay.ts RelaySnapshot): what a resumed member learns of
// its relayed files. The client takes it only whole and well-formed: bounded lists, a URL exactly
// where the step has one, no transfer twice; hostile shapes are refused, never thrown on.

import { describe, expect, it } from "vitest";
import { FILE_RELAY_ENDS_KEPT, FILE_RELAY_OPEN_FROM_ONE, FILE_RELAY_OPEN_TO_ONE, relaySnapshot } from "../../protocol/protocol";

const T = (n: number) => `t${String(n).padStart(21, "0")}`;
const ID = "ab".repeat(32);
const offer = (n: number, step: string, url: string | null) => ({ side: "to-you", transfer: T(n), from: "a", name: "notes.pdf", size: 10, mime: "application/pdf", id: ID, step, url });
const sent = (n: number, step: string, url: string | null) => ({ side: "from-you", transfer: T(n), to: "b", step, url });

describe("welcome.files", () => {
  it("reads every step of either side, and the ends", () => {
    const snapshot = {
      open: [offer(1, "offered", null), offer(2, "accepted", null), offer(3, "stored", "/api/rooms/r/files/k"), sent(4, "offered", null), sent(5, "accepted", "/api/rooms/r/files/k?cap=c"), sent(6, "uploading", null), sent(7, "stored", null)],
      ended: [{ transfer: T(8), reason: "done" }, { transfer: T(9), reason: "expired" }],
    };
    expect(relaySnapshot(snapshot)).toEqual(snapshot);
    expect(relaySnapshot({ open: [], ended: [] })).toEqual({ open: [], ended: [] });
  });

  it("refuses a URL where the step has none, none where it has one, or one off the room's API", () => {
    for (const bad of [offer(1, "offered", "/api/rooms/r/files/k"), offer(1, "stored", null), offer(1, "stored", "https://evil.example/x"), sent(1, "accepted", null), sent(1, "stored", "/api/rooms/r/files/k"), sent(1, "uploading", "/api/rooms/x")]) {
      expect(relaySnapshot({ open: [bad], ended: [] })).toBeNull();
    }
  });

  it("refuses lists past the rations, a transfer twice, and unknown sides, steps or reasons", () => {
    const many = Array.from({ length: FILE_RELAY_OPEN_FROM_ONE + FILE_RELAY_OPEN_TO_ONE + 1 }, (_, i) => sent(i, "offered", null));
    expect(relaySnapshot({ open: many, ended: [] })).toBeNull();
    expect(relaySnapshot({ open: many.slice(1), ended: [] })).not.toBeNull();
    const ends = Array.from({ length: FILE_RELAY_ENDS_KEPT + 1 }, (_, i) => ({ transfer: T(i), reason: "done" }));
    expect(relaySnapshot({ open: [], ended: ends })).toBeNull();
    expect(relaySnapshot({ open: [sent(1, "offered", null)], ended: [{ transfer: T(1), reason: "done" }] })).toBeNull();
    expect(relaySnapshot({ open: [sent(1, "offered", null), offer(1, "offered", null)], ended: [] })).toBeNull();
    expect(relaySnapshot({ open: [{ ...sent(1, "offered", null), side: "both" }], ended: [] })).toBeNull();
    expect(relaySnapshot({ open: [sent(1, "done", null)], ended: [] })).toBeNull();
    expect(relaySnapshot({ open: [], ended: [{ transfer: T(1), reason: "lost" }] })).toBeNull();
    expect(relaySnapshot({ open: [{ ...offer(1, "offered", null), name: "../etc/passwd" }], ended: [] })).toBeNull();
    expect(relaySnapshot({ open: [{ ...offer(1, "offered", null), size: 2 ** 60 }], ended: [] })).toBeNull();
  });

  it("returns null, never throws, for hostile shapes (seeded fuzz)", () => {
    let seed = 7;
    const r = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff), seed / 0x7fffffff);
    const pick = <T,>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)]!;
    const junk = () => Array.from({ length: Math.floor(r() * 30) }, () => String.fromCharCode(Math.floor(r() * 0xffff))).join("");
    const value = (): unknown => pick([null, 5, -1, 1.5, "", junk(), [], {}, true, T(1), "/api/rooms/r/files/k", { __proto__: null }]);
    const entry = (): unknown => {
      const base: Record<string, unknown> = pick([offer(1, pick(["offered", "stored", "accepted"]), null), sent(2, pick(["offered", "accepted", "uploading"]), null), { transfer: T(3), reason: "done" }]);
      const out: Record<string, unknown> = { ...base };
      for (const k of Object.keys(base)) if (r() < 0.3) out[k] = value();
      if (r() < 0.2) out[junk()] = value();
      return r() < 0.1 ? value() : out;
    };
    let accepted = 0;
    for (let i = 0; i < 3000; i++) {
      const shape = pick([
        () => ({ open: Array.from({ length: Math.floor(r() * 4) }, entry), ended: Array.from({ length: Math.floor(r() * 4) }, entry) }),
        () => ({ open: value(), ended: value() }),
        () => value(),
        () => ({ open: Array.from({ length: 40 }, entry), ended: [] }),
      ]);
      const input = JSON.parse(JSON.stringify(shape()) ?? "null") as unknown;
      const out = relaySnapshot(input);
      if (out === null) continue;
      accepted++;
      // Whatever passes is exactly what the type says, within the bounds.
      expect(out.open.length).toBeLessThanOrEqual(FILE_RELAY_OPEN_FROM_ONE + FILE_RELAY_OPEN_TO_ONE);
      expect(out.ended.length).toBeLessThanOrEqual(FILE_RELAY_ENDS_KEPT);
      for (const h of out.open) expect(h.url === null || h.url.startsWith("/api/rooms/")).toBe(true);
    }
    // Some valid shapes come through, or the fuzz would only ever test the first check.
    expect(accepted).toBeGreaterThan(0);
  });
});
