import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { BACKOFF, ReconnectingSocket } from "../../web/src/engine/signaling/reconnecting-socket";
import { FakeSocket } from "./fake-socket";

const handlers = () => ({ open: vi.fn(), message: vi.fn(), lost: vi.fn() });

describe("ReconnectingSocket backoff", () => {
  beforeEach(() => {
    FakeSocket.made = [];
    vi.useFakeTimers();
  });
  afterEach(() => vi.useRealTimers());

  const socket = () => new ReconnectingSocket("ws://room", handlers(), BACKOFF, FakeSocket as unknown as typeof WebSocket, () => 0);
  const latest = () => FakeSocket.made.at(-1)!;
  /** The wait between the latest socket closing and the next one being made. */
  const nextDelay = () => {
    const count = FakeSocket.made.length;
    for (let ms = 0; ms <= BACKOFF.maxDelayMs; ms += 10) {
      if (FakeSocket.made.length > count) return ms;
      vi.advanceTimersByTime(10);
    }
    throw new Error("no reconnect");
  };

  it("keeps backing off from a server that accepts and closes at once", () => {
    const s = socket();
    const delays: number[] = [];
    for (let i = 0; i < 4; i++) {
      latest().onopen?.();
      latest().onclose?.({ code: 1011, reason: "" });
      delays.push(nextDelay());
    }
    expect(delays).toEqual([500, 800, 1280, 2050]);
    s.close();
  });

  it("starts the backoff over once a connection has stayed up for minUptimeMs", () => {
    const s = socket();
    for (let i = 0; i < 3; i++) {
      latest().onopen?.();
      latest().onclose?.({ code: 1011, reason: "" });
      nextDelay();
    }
    latest().onopen?.();
    vi.advanceTimersByTime(BACKOFF.minUptimeMs);
    latest().onclose?.({ code: 1006, reason: "" });
    expect(nextDelay()).toBe(500);
    s.close();
  });

  it("a socket that never opens counts as a failed attempt", () => {
    const s = socket();
    latest().onerror?.();
    expect(nextDelay()).toBe(500);
    latest().onerror?.();
    expect(nextDelay()).toBe(800);
    s.close();
  });
});
