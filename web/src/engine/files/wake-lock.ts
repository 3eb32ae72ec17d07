// Keeps the screen on while files are moving (FEATURES §6): a phone that locks its screen
// suspends the page, and the data channel with it. The lock itself is the page's one owner
// (phone/screen-wake-lock.ts), shared with the call; this is the transfers' reason alone, for a
// files feature used without a call (its tests).

import { ScreenWakeLock, type WakeLockHost } from "../phone/screen-wake-lock";

export type { WakeLockHost, WakeLockSentinelLike } from "../phone/screen-wake-lock";

export class TransferWakeLock {
  private readonly lock: ScreenWakeLock;

  constructor(host?: WakeLockHost) {
    this.lock = new ScreenWakeLock(host);
  }

  /** Whether the screen is held on now. */
  get held(): boolean {
    return this.lock.held;
  }

  /** Transfers are running (true) or not (false). False after dispose(): refused. */
  hold(active: boolean): boolean {
    return this.lock.hold("files", active);
  }

  /** Releases the lock and stops listening for good. */
  dispose(): void {
    this.lock.dispose();
  }
}
