// The page's one screen wake lock (issue #15), held for a call and for file transfers at once:
// one reason letting go does not release the other's lock, the lock is asked for again when the
// page comes back, a refusal is quiet, and leaving the call releases it.

import { describe, expect, it } from "vitest";
import { ScreenWakeLock } from "../../web/src/engine/phone/screen-wake-lock";
import { FakeHost } from "./wake-lock-fakes";
import { setup as sessionSetup } from "./session-fakes";

const settle = () => new Promise((r) => setTimeout(r, 0));

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
