// When to restart ICE on a peer link, as a small state machine per link instead of scattered
// timeouts: `disconnected` that lasts 4 s gets one restart (a changed network often needs only
// that); `failed` gets a restart that repeats every 3 s until the link is connected again (a cut
// can outlast several attempts). Chromium reports `failed` only on connectionState, never on
// iceConnectionState, so that is what drives it.
//
// Both ends see the failure. To avoid both offering at once, the impolite end restarts at once
// and the polite end only if, a moment later, no restart offer has come from the other side.
//
// What the person sees: "reconnecting" from the first sign of trouble while restarts go on, on
// both ends (also on the one that leaves the restarting to the other), and "failed" once a
// failed link has stayed down for showFailedAfterMs. Restarts go on after that: the peer
// connection is kept, never rebuilt, because a path that defeats a restart defeats a new
// connection the same way, and a restart picks up the moment the network is back.

import type { PeerLink, PeerState } from "../peer/peer-link";

export interface RestartTiming {
  disconnectedMs: number;
  retryMs: number;
  politeDelayMs: number;
  showFailedAfterMs: number;
}

export const RESTART_TIMING: RestartTiming = { disconnectedMs: 4000, retryMs: 3000, politeDelayMs: 1500, showFailedAfterMs: 20_000 };

/** The little of a PeerLink the policy reads. */
export type RestartableLink = Pick<PeerLink, "state" | "polite" | "lastRemoteOfferAt">;

export class IceRestartPolicy<L extends RestartableLink = PeerLink> {
  private readonly timers = new Map<L, ReturnType<typeof setTimeout>>();
  private readonly waiting = new Set<L>();
  private readonly failedSince = new Map<L, number>();

  /**
   * `restart` restarts ICE on a link; `attempted` is told after every scheduled attempt (made or
   * left to the other side), so that what is shown can move on from "reconnecting" to "failed".
   */
  constructor(
    private readonly restart: (link: L) => void,
    private readonly timing: RestartTiming = RESTART_TIMING,
    private readonly attempted: (link: L) => void = () => {},
    private readonly now: () => number = Date.now,
  ) {}

  /** The state to show for a link in `state`. */
  shown(link: L, state: PeerState): PeerState {
    const since = this.failedSince.get(link);
    if (since === undefined) return state;
    return this.now() - since >= this.timing.showFailedAfterMs ? "failed" : "reconnecting";
  }

  observe(link: L, state: PeerState): void {
    if (state === "connected" || state === "closed") return this.forget(link);
    if (state === "failed") {
      if (!this.failedSince.has(link)) this.failedSince.set(link, this.now());
      // Failed overrides a pending single attempt: from now on, retry until connected.
      this.cancel(link);
      this.schedule(link, link.polite ? this.timing.politeDelayMs : 0, true);
    } else if (state === "reconnecting" && !this.timers.has(link)) {
      this.schedule(link, this.timing.disconnectedMs, false);
    }
  }

  /** The link restarts once fresh TURN credentials arrive. */
  waitForCredentials(link: L): void {
    this.waiting.add(link);
  }

  /** Whether the link was waiting for credentials; it no longer is. */
  stopWaiting(link: L): boolean {
    return this.waiting.delete(link);
  }

  takeWaitingForCredentials(): L[] {
    const links = [...this.waiting];
    this.waiting.clear();
    return links;
  }

  forget(link: L): void {
    this.cancel(link);
    this.waiting.delete(link);
    this.failedSince.delete(link);
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    this.waiting.clear();
    this.failedSince.clear();
  }

  private cancel(link: L) {
    clearTimeout(this.timers.get(link));
    this.timers.delete(link);
  }

  private schedule(link: L, ms: number, repeat: boolean) {
    this.timers.set(link, setTimeout(() => this.attempt(link, repeat), ms));
  }

  private attempt(link: L, repeat: boolean) {
    this.timers.delete(link);
    if (link.state === "connected" || link.state === "closed") return;
    const otherSideIsOnIt = link.polite && this.now() - link.lastRemoteOfferAt < this.timing.retryMs;
    if (!otherSideIsOnIt) this.restart(link);
    if (repeat) this.schedule(link, this.timing.retryMs, true);
    this.attempted(link);
  }
}
