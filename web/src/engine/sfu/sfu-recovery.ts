// When the one connection to the SFU needs an ICE restart, and what everyone's tile says
// meanwhile: the mesh's IceRestartPolicy (a restart after 4 s of `disconnected`, and every 3 s
// while `failed`), over a single link that always restarts itself (there is no other end that
// could: the SFU never offers a restart). A restart waits for fresh TURN credentials when the
// current ones are about to expire, as the mesh's do. The restart itself, and what to do when it
// cannot work, is the transport's (sfu-transport.ts).

import { IceRestartPolicy, RESTART_TIMING, type RestartTiming } from "../mesh/ice-restart-policy";
import type { PeerState } from "../peer/peer-link";

export interface RecoveryDeps {
  /** Sends the ICE restart (an offer with iceRestart, through renegotiate). */
  restartIce(): void;
  /** Asks the room for fresh TURN credentials if the current ones are about to expire; true if it did. */
  requestFreshCredentials(): boolean;
  /** Every participant's connection, as it should be shown now. */
  show(state: PeerState): void;
  /** Connected again after trouble: the room may have missed an announcement meanwhile. */
  back(): void;
}

interface Link {
  readonly state: PeerState;
  readonly polite: false;
  readonly lastRemoteOfferAt: 0;
}

export class SfuRecovery {
  private stateValue: PeerState = "connecting";
  private readonly link: Link;
  private readonly policy: IceRestartPolicy<Link>;

  constructor(
    private readonly deps: RecoveryDeps,
    timing: RestartTiming = RESTART_TIMING,
  ) {
    const self = this;
    this.link = {
      get state() {
        return self.stateValue;
      },
      polite: false,
      lastRemoteOfferAt: 0,
    };
    this.policy = new IceRestartPolicy<Link>(() => this.restart(), timing, () => this.deps.show(this.shown));
  }

  /** The connection's state, as the stats poll and the audio levels read it. */
  get state(): PeerState {
    return this.stateValue;
  }

  /** What the participants' tiles say: "failed" only once restarts have not helped for a while. */
  get shown(): PeerState {
    return this.policy.shown(this.link, this.stateValue);
  }

  /** The peer connection's state changed. */
  observe(s: RTCPeerConnectionState): void {
    const before = this.stateValue;
    if (s === "connected") this.stateValue = "connected";
    else if (s === "disconnected") this.stateValue = "reconnecting";
    else if (s === "failed") this.stateValue = "failed";
    // A restart's "connecting" stays "reconnecting" (or "failed") until it is through.
    else if ((s === "new" || s === "connecting") && before !== "failed" && before !== "reconnecting") this.stateValue = "connecting";
    if (this.stateValue === before) return;
    this.policy.observe(this.link, this.stateValue);
    this.deps.show(this.shown);
    if (this.stateValue === "connected" && before !== "connecting") this.deps.back();
  }

  /** The network came back (restart what is not up) or changed (`all`: restart even a connection that says connected). */
  restartNow(all: boolean): void {
    if (this.stateValue !== "connected") {
      if (this.stateValue !== "connecting") this.deps.show("reconnecting");
      this.restart();
    } else if (all) this.restart();
  }

  /** Fresh credentials arrived, or were refused: a restart that waited for them goes ahead. */
  credentialsSettled(): void {
    if (this.policy.takeWaitingForCredentials().length > 0) this.deps.restartIce();
  }

  /** A new connection replaces the old one: what the old one was going through is forgotten. */
  replaced(): void {
    this.policy.forget(this.link);
    this.stateValue = "reconnecting";
    this.deps.show(this.shown);
  }

  dispose(): void {
    this.policy.dispose();
  }

  private restart() {
    if (this.policy.stopWaiting(this.link)) return this.deps.restartIce();
    if (this.deps.requestFreshCredentials()) return this.policy.waitForCredentials(this.link);
    this.deps.restartIce();
  }
}
