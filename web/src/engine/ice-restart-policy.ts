// When to restart ICE on a peer link, as a small state machine per link instead of scattered
// timeouts: `disconnected` that lasts 4 s gets one restart (a changed network often needs only
// that); `failed` gets a restart that repeats every 3 s until the link is connected again (a cut
// can outlast several attempts). Chromium reports `failed` only on connectionState, never on
// iceConnectionState, so that is what drives it.
//
// Both ends see the failure. To avoid both offering at once, the impolite end restarts at once
// and the polite end only if, a moment later, no restart offer has come from the other side.

import type { PeerLink, PeerState } from "./peer-link";

export const RESTART_TIMING = { disconnectedMs: 4000, retryMs: 3000, politeDelayMs: 1500 } as const;

export class IceRestartPolicy {
  private readonly timers = new Map<PeerLink, ReturnType<typeof setTimeout>>();
  private readonly waiting = new Set<PeerLink>();

  constructor(
    private readonly restart: (link: PeerLink) => void,
    private readonly timing: { disconnectedMs: number; retryMs: number; politeDelayMs: number } = RESTART_TIMING,
  ) {}

  observe(link: PeerLink, state: PeerState): void {
    if (state === "connected" || state === "closed") return this.forget(link);
    if (state === "failed") {
      // Failed overrides a pending single attempt: from now on, retry until connected.
      this.cancel(link);
      this.schedule(link, link.polite ? this.timing.politeDelayMs : 0, true);
    } else if (state === "reconnecting" && !this.timers.has(link)) {
      this.schedule(link, this.timing.disconnectedMs, false);
    }
  }

  /** The link restarts once fresh TURN credentials arrive. */
  waitForCredentials(link: PeerLink): void {
    this.waiting.add(link);
  }

  takeWaitingForCredentials(): PeerLink[] {
    const links = [...this.waiting];
    this.waiting.clear();
    return links;
  }

  forget(link: PeerLink): void {
    this.cancel(link);
    this.waiting.delete(link);
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    this.waiting.clear();
  }

  private cancel(link: PeerLink) {
    clearTimeout(this.timers.get(link));
    this.timers.delete(link);
  }

  private schedule(link: PeerLink, ms: number, repeat: boolean) {
    this.timers.set(link, setTimeout(() => this.attempt(link, repeat), ms));
  }

  private attempt(link: PeerLink, repeat: boolean) {
    this.timers.delete(link);
    if (link.state === "connected" || link.state === "closed") return;
    const otherSideIsOnIt = link.polite && Date.now() - link.lastRemoteOfferAt < this.timing.retryMs;
    if (!otherSideIsOnIt) this.restart(link);
    if (repeat) this.schedule(link, this.timing.retryMs, true);
  }
}
