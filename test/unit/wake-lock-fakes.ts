// A stand-in navigator.wakeLock and document for the screen wake lock's tests (the call's and the
// transfers' lock are one: engine/phone/screen-wake-lock.ts).

import { expect } from "vitest";
import type { WakeLockHost, WakeLockSentinelLike } from "../../web/src/engine/phone/screen-wake-lock";

export class FakeSentinel implements WakeLockSentinelLike {
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

export class FakeHost implements WakeLockHost {
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
