// Keeps the screen on, for as many reasons as ask at once (FEATURES §11, "Wake lock"): a call
// (a phone that dims and locks mid-call suspends the page, and the call with it) and file
// transfers (FEATURES §6). One owner for the page's one lock: were each reason to hold its own,
// the transfer ending would release a sentinel while the call still wants the screen on, and two
// requests would race. The lock is held while any reason holds it.
//
// The browser releases a screen wake lock whenever the page is hidden, and a request from a
// hidden page is refused (w3c/screen-wake-lock §4.1), so the lock is asked for again each time
// the page becomes visible while a reason still holds it. A refusal (NotAllowedError: no
// permission, battery saver, an iframe without the policy; iOS home-screen apps before 18.4,
// WebKit bug 254545) is not an error for the call: we simply go on without.

export interface WakeLockSentinelLike {
  release(): Promise<void>;
  /** The browser's own release (the page was hidden). */
  addEventListener(type: "release", listener: () => void): void;
}

/** The parts of navigator and document this needs: injected so it can be tested without a browser. */
export interface WakeLockHost {
  navigator: { wakeLock?: { request(type: "screen"): Promise<WakeLockSentinelLike> } };
  document: {
    readonly visibilityState: DocumentVisibilityState;
    addEventListener(type: "visibilitychange", listener: () => void): void;
    removeEventListener(type: "visibilitychange", listener: () => void): void;
  };
}

/** Why the screen is held on. */
export type WakeReason = "call" | "files";

/** One reason's handle: what a feature holds (files.ts takes `{ hold, dispose }`). */
export interface WakeHold {
  hold(active: boolean): boolean;
  dispose(): void;
}

export class ScreenWakeLock {
  private readonly reasons = new Set<WakeReason>();
  private disposed = false;
  private sentinel: WakeLockSentinelLike | null = null;
  private requesting = false;
  private listening = false;
  private readonly onVisibility = () => this.sync();

  constructor(private readonly host: WakeLockHost = { navigator, document }) {}

  /** Whether the screen is held on now. */
  get held(): boolean {
    return this.sentinel !== null;
  }

  /** `reason` wants the screen on (true) or no longer (false). False after dispose(): refused. */
  hold(reason: WakeReason, active: boolean): boolean {
    if (this.disposed) return false;
    if (active) this.reasons.add(reason);
    else this.reasons.delete(reason);
    // Listening only while held: an idle page has no reason to hear about visibility.
    const listen = this.reasons.size > 0;
    if (listen !== this.listening) {
      this.listening = listen;
      if (listen) this.host.document.addEventListener("visibilitychange", this.onVisibility);
      else this.host.document.removeEventListener("visibilitychange", this.onVisibility);
    }
    this.sync();
    return true;
  }

  /** A handle for one reason; its dispose() lets go of that reason only. */
  handle(reason: WakeReason): WakeHold {
    return { hold: (active) => this.hold(reason, active), dispose: () => void this.hold(reason, false) };
  }

  /** Releases the lock and stops listening for good. */
  dispose(): void {
    if (this.disposed) return;
    this.reasons.clear();
    this.hold("call", false);
    this.disposed = true;
  }

  private get wanted(): boolean {
    return this.reasons.size > 0 && this.host.document.visibilityState === "visible";
  }

  private sync(): void {
    const wakeLock = this.host.navigator.wakeLock;
    if (this.wanted && !this.sentinel && !this.requesting && wakeLock) {
      this.requesting = true;
      let request: Promise<WakeLockSentinelLike>;
      try {
        request = wakeLock.request("screen");
      } catch {
        // An implementation that throws instead of rejecting is just as much a refusal.
        this.requesting = false;
        return;
      }
      request.then(
        (sentinel) => {
          this.requesting = false;
          // Released by the browser (hidden): forget it; visibilitychange asks again.
          sentinel.addEventListener("release", () => {
            if (this.sentinel === sentinel) this.sentinel = null;
          });
          this.sentinel = sentinel;
          // Every reason let go, or the page was hidden, while the request was on its way.
          if (!this.wanted) this.release();
        },
        () => {
          this.requesting = false;
        },
      );
    } else if (!this.wanted && this.sentinel) {
      this.release();
    }
  }

  private release(): void {
    const sentinel = this.sentinel;
    this.sentinel = null;
    sentinel?.release().catch(() => undefined);
  }
}
