// The transfer wake lock against a stand-in navigator.wakeLock and document: held while
// transfers run and the page is visible, asked for again when the page comes back, released when
// transfers stop, and quiet where the API is missing or refuses.

import { describe, expect, it } from "vitest";
import { TransferWakeLock, type WakeLockHost, type WakeLockSentinelLike } from "../../web/src/engine/files/wake-lock";
import { settle } from "./files-fakes";

class FakeSentinel implements WakeLockSentinelLike {
  released = false;
  private readonly listeners: Array<() => void> = [];
  async release(): Promise<void> {
    this.released = true;
  }
  addEventListener(_type: "release", listener: () => void): void {
    this.listeners.push(listener);
  }
  /** What the browser does when the page is hidden. */
  browserRelease(): void {
    this.released = true;
    for (const fn of this.listeners) fn();
  }
}

class FakeHost implements WakeLockHost {
  visibilityState: DocumentVisibilityState = "visible";
  readonly listeners = new Set<() => void>();
  readonly sentinels: FakeSentinel[] = [];
  requests = 0;
  /** "grant", "refuse" (rejects, as on a battery saver), or "throw" (synchronously). */
  answer: "grant" | "refuse" | "throw" = "grant";
  /** Requests wait for release() when set. */
  held: Array<() => void> | null = null;

  /** The host is its own document. */
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
      request: (type: "screen") => {
        expect(type).toBe("screen");
        this.requests++;
        if (this.answer === "throw") throw new DOMException("nope", "NotAllowedError");
        if (this.answer === "refuse") return Promise.reject(new DOMException("battery", "NotAllowedError"));
        const sentinel = new FakeSentinel();
        this.sentinels.push(sentinel);
        if (!this.held) return Promise.resolve(sentinel);
        return new Promise((resolve) => this.held!.push(() => resolve(sentinel)));
      },
    },
  };

  /** Hides or shows the page; hiding releases the lock as the browser does. */
  show(state: DocumentVisibilityState): void {
    this.visibilityState = state;
    if (state === "hidden") for (const s of this.sentinels) if (!s.released) s.browserRelease();
    for (const fn of [...this.listeners]) fn();
  }

  get live(): number {
    return this.sentinels.filter((s) => !s.released).length;
  }
}

const setup = () => {
  const host = new FakeHost();
  return { host, lock: new TransferWakeLock(host) };
};

describe("TransferWakeLock", () => {
  it("holds the screen while active and lets go when transfers stop", async () => {
    const { host, lock } = setup();
    expect(lock.hold(true)).toBe(true);
    lock.hold(true);
    await settle();
    expect(host.requests).toBe(1);
    expect(lock.held).toBe(true);
    expect(host.live).toBe(1);

    lock.hold(false);
    await settle();
    expect(lock.held).toBe(false);
    expect(host.live).toBe(0);
    expect(host.listeners.size).toBe(0);
  });

  it("asks again when the page comes back, after the browser released the lock on hiding", async () => {
    const { host, lock } = setup();
    lock.hold(true);
    await settle();
    host.show("hidden");
    await settle();
    expect(lock.held).toBe(false);
    expect(host.requests).toBe(1);
    host.show("visible");
    await settle();
    expect(host.requests).toBe(2);
    expect(lock.held).toBe(true);
    expect(host.live).toBe(1);
  });

  it("notices a release by the browser on a visible page (a battery saver), and asks again at the next show", async () => {
    const { host, lock } = setup();
    lock.hold(true);
    await settle();
    host.sentinels[0]!.browserRelease();
    expect(lock.held).toBe(false);
    host.show("hidden");
    host.show("visible");
    await settle();
    expect(host.requests).toBe(2);
    expect(lock.held).toBe(true);
  });

  it("does not ask from a hidden page; asks once it is shown", async () => {
    const { host, lock } = setup();
    host.visibilityState = "hidden";
    lock.hold(true);
    await settle();
    expect(host.requests).toBe(0);
    host.show("visible");
    await settle();
    expect(lock.held).toBe(true);
  });

  it("does not stop showing a page after a transfer to ask for the lock again", async () => {
    const { host, lock } = setup();
    lock.hold(true);
    await settle();
    lock.hold(false);
    host.show("hidden");
    host.show("visible");
    await settle();
    expect(host.requests).toBe(1);
    expect(lock.held).toBe(false);
  });

  it("releases a lock granted after transfers already stopped", async () => {
    const { host, lock } = setup();
    host.held = [];
    lock.hold(true);
    lock.hold(false);
    for (const grant of host.held) grant();
    await settle();
    expect(host.sentinels).toHaveLength(1);
    expect(host.live).toBe(0);
    expect(lock.held).toBe(false);
  });

  it("goes on without a lock when the request is refused or throws, and tries again on the next show", async () => {
    const { host, lock } = setup();
    host.answer = "refuse";
    expect(lock.hold(true)).toBe(true);
    await settle();
    expect(lock.held).toBe(false);
    host.answer = "throw";
    host.show("hidden");
    host.show("visible");
    await settle();
    expect(lock.held).toBe(false);
    host.answer = "grant";
    host.show("hidden");
    host.show("visible");
    await settle();
    expect(host.requests).toBe(3);
    expect(lock.held).toBe(true);
  });

  it("does nothing where the browser has no wake lock", async () => {
    const host = new FakeHost();
    const lock = new TransferWakeLock({ navigator: {}, document: host.document });
    expect(lock.hold(true)).toBe(true);
    await settle();
    expect(lock.held).toBe(false);
    lock.dispose();
  });

  it("releases on dispose and refuses to hold after it", async () => {
    const { host, lock } = setup();
    lock.hold(true);
    await settle();
    lock.dispose();
    await settle();
    expect(host.live).toBe(0);
    expect(host.listeners.size).toBe(0);
    expect(lock.hold(true)).toBe(false);
    host.show("visible");
    await settle();
    expect(host.requests).toBe(1);
  });
});
