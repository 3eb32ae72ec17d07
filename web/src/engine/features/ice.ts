// STUN/TURN for the session: applies the servers the room hands out (in the welcome and in `ice`
// frames), asks for fresh credentials before they expire, and lets restarts that wait for
// credentials go ahead when the room refuses to mint more (`ice-throttled`). A network change
// (phone/comeback.ts notices it: `online`, a new kind of network) restarts connections.

import type { ClientMessage, ErrorCode, IceConfig } from "../../../../protocol/protocol";
import type { StateUpdate } from "../session/session-state";
import type { Transport } from "../session/transport";

/** Credentials this close to expiry are refreshed before an ICE restart uses them. */
const FRESH_ENOUGH_MS = 5 * 60_000;

/** The longest wait before a refresh: a day (no credential this app issues lives that long). */
const MAX_REFRESH_DELAY_MS = 24 * 3_600_000;

export class IceFeature {
  private ice: IceConfig | null = null;
  private refresh: ReturnType<typeof setTimeout> | null = null;
  private readonly unsubscribe: () => void;
  private disposed = false;

  constructor(
    private readonly transport: Transport,
    private readonly send: (msg: ClientMessage) => boolean,
    private readonly update: StateUpdate<"ice" | "turnRejected">,
  ) {
    this.unsubscribe = transport.on("turn-rejected", () => this.update({ turnRejected: true }));
  }

  /** New credentials: every connection uses them from its next gathering; a refresh is planned before they expire. */
  apply(ice: IceConfig): void {
    this.ice = ice;
    this.update({ ice, turnRejected: false });
    this.transport.setIceServers(ice.iceServers);
    if (this.refresh !== null) clearTimeout(this.refresh);
    this.refresh = null;
    if (ice.expiresAt !== null) {
      // Refresh at 80 % of the remaining lifetime, so long calls and later restarts keep a valid relay.
      const remaining = ice.expiresAt - Date.now();
      // Capped: setTimeout fires at once past 2^31-1 ms, and a broken server's far-future expiry
      // must not turn into a request loop.
      if (remaining > 0) this.refresh = setTimeout(() => this.send({ type: "ice" }), Math.min(MAX_REFRESH_DELAY_MS, Math.max(1000, remaining * 0.8)));
    }
  }

  /** For the transport, before an ICE restart: asks for fresh credentials if the current ones are about to expire. */
  requestFresh(): boolean {
    const expiresAt = this.ice?.expiresAt;
    return expiresAt != null && expiresAt - Date.now() < FRESH_ENOUGH_MS && this.send({ type: "ice" });
  }

  /** An error frame from the room; only a refused credential request concerns ICE. */
  error(code: ErrorCode): void {
    // Restarts waiting for fresh credentials go ahead with the current ones, which still work.
    if (code === "ice-throttled") this.transport.restartWaiting();
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.refresh !== null) clearTimeout(this.refresh);
    this.unsubscribe();
  }

  /**
   * The network came back (`moved` false): connections that are not up restart. A different
   * network (`moved`): every one restarts, since the candidate pairs died with the old network
   * even where the connection does not know it yet.
   */
  networkChanged(moved: boolean): void {
    if (this.disposed) return;
    this.transport.restart(moved);
  }
}
