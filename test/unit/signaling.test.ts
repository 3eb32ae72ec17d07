import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { DEFAULT_HEARTBEAT_MS, HEARTBEAT_PING } from "../../protocol/protocol";
import { SignalingClient } from "../../web/src/engine/signaling/signaling-client";
import { FakeSocket } from "./fake-socket";
import { peer, welcome as sessionWelcome } from "./session-fakes";


// The session tests' welcome, with the heartbeat under test.
const welcome = (heartbeatMs: number) => {
  const w = sessionWelcome(peer("p1", "A", 1), []);
  return { ...w, settings: { ...w.settings, heartbeatMs } };
};

const info = () => ({ name: "A", media: { mic: true, cam: true, screen: false } });

describe("SignalingClient opened before joining", () => {
  beforeEach(() => {
    FakeSocket.made = [];
    vi.useFakeTimers();
  });
  afterEach(() => vi.useRealTimers());

  const client = () => new SignalingClient({ url: "ws://room", WebSocket: FakeSocket as unknown as typeof WebSocket });

  it("connects at once, heartbeats while waiting, and joins when asked", () => {
    const c = client();
    const ws = FakeSocket.made[0]!;
    ws.open();
    expect(ws.joins.length).toBe(0);
    vi.advanceTimersByTime(DEFAULT_HEARTBEAT_MS);
    expect(ws.sent.filter((f) => f === HEARTBEAT_PING).length).toBe(2);
    // Pongs keep it alive: no reconnect while the person is still on the pre-join screen.
    for (let i = 0; i < 10; i++) {
      ws.onmessage?.({ data: "pong" });
      vi.advanceTimersByTime(DEFAULT_HEARTBEAT_MS / 2);
    }
    expect(FakeSocket.made.length).toBe(1);
    expect(c.status).toBe("connecting");
    c.join(info);
    expect(ws.joins.length).toBe(1);
    ws.onmessage?.({ data: JSON.stringify(welcome(2000)) });
    expect(c.status).toBe("joined");
    c.destroy();
  });

  it("joins on open when asked before the socket opened, and again after a reconnect", () => {
    const c = client();
    c.join(info);
    const first = FakeSocket.made[0]!;
    expect(first.joins.length).toBe(0);
    first.open();
    expect(first.joins.length).toBe(1);
    first.onclose?.({ code: 1006, reason: "" });
    vi.advanceTimersByTime(1000); // the first retry waits 500–750 ms
    expect(FakeSocket.made.length).toBe(2);
    const second = FakeSocket.made[1]!;
    second.open();
    expect(second.joins.length).toBe(1);
    expect(() => c.join(info)).toThrow(/twice/);
    c.destroy();
  });

  it("does not come back after 4410 (another socket of ours took the seat): that is final, like a full room", () => {
    const c = client();
    const refusals: Array<{ code: number }> = [];
    c.on("refused", (r) => refusals.push(r));
    c.join(info);
    const ws = FakeSocket.made[0]!;
    ws.open();
    ws.onmessage?.({ data: JSON.stringify(welcome(2000)) });
    ws.onclose?.({ code: 4410, reason: "resumed on a newer connection" });
    expect(c.status).toBe("closed");
    expect(refusals.map((r) => r.code)).toEqual([4410]);
    vi.advanceTimersByTime(60_000);
    expect(FakeSocket.made.length).toBe(1);
    c.destroy();
  });

  it("a silent socket before joining is replaced, and the status stays connecting", () => {
    const c = client();
    const statuses: string[] = [];
    c.on("status", (s) => statuses.push(s));
    FakeSocket.made[0]!.open();
    vi.advanceTimersByTime(DEFAULT_HEARTBEAT_MS * 2);
    expect(FakeSocket.made.length).toBe(2);
    expect(statuses).toEqual([]);
    c.destroy();
  });
});
