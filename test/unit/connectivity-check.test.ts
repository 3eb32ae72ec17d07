import { afterEach, describe, expect, it, vi } from "vitest";
import { runConnectivityCheck } from "../../web/src/engine/check/connectivity-check";

/** A WebSocket that fails before it opens, and throws on send as a real one does then. */
class NeverOpens {
  static readonly OPEN = 1;
  static made: NeverOpens[] = [];
  readyState = 0;
  sends = 0;
  closed = false;
  onerror: (() => void) | null = null;
  onopen: (() => void) | null = null;
  onmessage: ((e: { data: unknown }) => void) | null = null;
  constructor(readonly url: string) {
    NeverOpens.made.push(this);
    setTimeout(() => {
      this.readyState = 3;
      this.onerror?.();
    }, 0);
  }
  send() {
    this.sends++;
    if (this.readyState !== NeverOpens.OPEN) throw new DOMException("Still in CONNECTING state.", "InvalidStateError");
  }
  close() {
    this.closed = true;
  }
}

describe("runConnectivityCheck", () => {
  afterEach(() => vi.unstubAllGlobals());

  it("reports a room socket that never opens as no service, without sending on it, and closes it", async () => {
    vi.stubGlobal("fetch", async () => ({ ok: true, json: async () => ({ id: "room" }) }));
    const result = await runConnectivityCheck({ apiOrigin: "http://check", onUpdate: () => {}, WebSocket: NeverOpens as unknown as typeof WebSocket });
    expect(result.signaling.status).toBe("failed");
    expect(result.stun.status).toBe("absent");
    const ws = NeverOpens.made[0]!;
    expect(ws.sends).toBe(0);
    expect(ws.closed).toBe(true);
  });
});
