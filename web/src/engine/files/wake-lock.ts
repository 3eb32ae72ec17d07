// Keeps the screen on while files are moving (FEATURES §6): a phone that locks its screen
// suspends the page, and the data channel with it.
//
// The browser releases a screen wake lock whenever the page is hidden, and a request from a
// hidden page is refused (w3c/screen-wake-lock §4.1), so the lock is asked for again each time
// the page becomes visible while a transfer is still running. A refusal (no permission, battery
// saver, an iframe without the policy) is not an error for the transfer: we simply go on without.

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

export class TransferWakeLock {
  private active = false;
  private disposed = false;
  private sentinel: WakeLockSentinelLike | null = null;
  private requesting = false;
  private readonly onVisibility = () => this.sync();

  constructor(private readonly host: WakeLockHost = { navigator, document }) {}

  /** Whether the screen is held on now. */
  get held(): boolean {
    return this.sentinel !== null;
  }

  /** Transfers are running (true) or not (false). False after dispose(): refused. */
  hold(active: boolean): boolean {
    if (this.disposed) return false;
    if (active !== this.active) {
      this.active = active;
      // Listening only while active: an idle page has no reason to hear about visibility.
      if (active) this.host.document.addEventListener("visibilitychange", this.onVisibility);
      else this.host.document.removeEventListener("visibilitychange", this.onVisibility);
    }
    this.sync();
    return true;
  }

  /** Releases the lock and stops listening for good. */
  dispose(): void {
    this.hold(false);
    this.disposed = true;
  }

  private get wanted(): boolean {
    return this.active && this.host.document.visibilityState === "visible";
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
          // Transfers ended, or the page was hidden, while the request was on its way.
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
