// The page's one screen wake lock (issue #15), held for a call and for file transfers at once:
// one reason letting go does not release the other's lock, the lock is asked for again when the
// page comes back, a refusal is quiet, and leaving the call releases it.

import { describe, expect, it } from "vitest";
import { ScreenWakeLock, type WakeLockHost, type WakeLockSentinelLike } from "../../web/src/engine/phone/screen-wake-lock";
import { setup as sessionSetup } from "./session-fakes";

const settle = () => new Promise((r) => setTimeout(r, 0));

class FakeSentinel implements WakeLockSentinelLike {
  released = false;
  private readonly listeners: Array<() => void> = [];
  async release(): Promise<void> {
    this.released = true;
  }
  addEventListener(_type: "release", listener: () => void): void {
    this.listeners.push(listener);
  }
  browserRelease(): void {
    this.released = true;
    for (const fn of this.listeners) fn();
  }
}

class FakeHost implements WakeLockHost {
  visibilityState: DocumentVisibilityState = "visible";
  readonly listeners = new Set<() => void>();
  readonly sentinels: FakeSentinel[] = [];
  answer: "grant" | "refuse" = "grant";
  get document(): WakeLockHost["document"] {
    return this;
  }
  addEventListener(_type: "visibilitychange", fn: () => void): void {
    this.listeners.add(fn);
  }
  removeEventListener(_type: "visibilitychange", fn: () => void): void {
    this.listeners.delete(fn);
  }
  readonly navigator: WakeLockHost["navigator"] = {
    wakeLock: {
      request: async () => {
        // iOS and Chromium's battery saver answer NotAllowedError (vueuse#3484).
        if (this.answer === "refuse") throw new DOMException("refused", "NotAllowedError");
        const s = new FakeSentinel();
        this.sentinels.push(s);
        return s;
      },
    },
  };
  show(state: DocumentVisibilityState): void {
    this.visibilityState = state;
    if (state === "hidden") for (const s of this.sentinels) if (!s.released) s.browserRelease();
    for (const fn of [...this.listeners]) fn();
  }
  get live(): number {
    return this.sentinels.filter((s) => !s.released).length;
  }
}

describe("ScreenWakeLock", () => {
  it("holds one lock for the call and transfers together; transfers ending leave the call's lock on", async () => {
    const host = new FakeHost();
    const lock = new ScreenWakeLock(host);
    const files = lock.handle("files");
    lock.hold("call", true);
    files.hold(true);
    await settle();
    expect(host.sentinels.length).toBe(1);
    expect(lock.held).toBe(true);
    files.hold(false);
    files.dispose();
    await settle();
    expect(host.live).toBe(1);
    lock.hold("call", false);
    await settle();
    expect(host.live).toBe(0);
    expect(host.listeners.size).toBe(0);
  });

  it("asks again each time the page comes back during a call, and not while hidden", async () => {
    const host = new FakeHost();
    const lock = new ScreenWakeLock(host);
    lock.hold("call", true);
    await settle();
    host.show("hidden");
    await settle();
    expect(lock.held).toBe(false);
    expect(host.sentinels.length).toBe(1);
    host.show("visible");
    await settle();
    expect(host.sentinels.length).toBe(2);
    expect(host.live).toBe(1);
  });

  it("goes on without a lock when refused, and asks again on the next return", async () => {
    const host = new FakeHost();
    host.answer = "refuse";
    const lock = new ScreenWakeLock(host);
    expect(lock.hold("call", true)).toBe(true);
    await settle();
    expect(lock.held).toBe(false);
    host.answer = "grant";
    host.show("hidden");
    host.show("visible");
    await settle();
    expect(lock.held).toBe(true);
  });

  it("is released when the session ends (leave), and refuses to hold after", async () => {
    const host = new FakeHost();
    const listeners = new Set<string>();
    const comeback = {
      window: { addEventListener: (t: string) => listeners.add(t), removeEventListener: (t: string) => listeners.delete(t) },
      document: { visibilityState: "visible" as const, addEventListener: (t: string) => listeners.add(t), removeEventListener: (t: string) => listeners.delete(t) },
    };
    const { session } = sessionSetup({ page: { wakeLock: host, comeback } });
    await settle();
    expect(host.live).toBe(1);
    expect(listeners.size).toBeGreaterThan(0);
    session.destroy();
    await settle();
    expect(host.live).toBe(0);
    expect(host.listeners.size).toBe(0);
    expect(listeners.size).toBe(0);
  });
});
