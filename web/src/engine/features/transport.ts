// Mesh or SFU, as the room decides (protocol/features/transport.ts): reads `welcome.transport` and
// `transport` frames, keeps every participant's SFU publication (PeerInfo.sfu, `peer-sfu`), and
// swaps the session's transport when the room switches, without a reload: the TransportSwitch
// (session/transport-switch.ts) brings the new one up beside the old and closes the old once the
// tiles have the new one's streams. The UI reads `transport` for its notes (the safety code covers
// mesh links only; a full room without an SFU says why).

import type { SfuPublication, TransportKind, TransportState } from "../../../../protocol/features/transport";
import type { StateUpdate } from "../session/session-state";
import type { Transport } from "../session/transport";
import type { TransportSwitch } from "../session/transport-switch";

/** What the SFU transport offers beyond the seam (sfu/sfu-transport.ts). */
export interface SfuControls {
  setPublication(peerId: string, publication: SfuPublication | null): void;
  setVideoSize(peerId: string, width: number, height: number): void;
  /** What we last announced, for tests and diagnostics. */
  announcement(): SfuPublication | null;
}

export type TransportView = TransportState;

/** Before the welcome: the mesh, and no word yet of an SFU. */
export const MESH_ONLY: TransportView = { kind: "mesh", sfu: false };

export interface TransportFeatureDeps {
  switcher: Pick<TransportSwitch, "kind" | "swap">;
  mesh: () => Transport;
  sfu: () => Transport & SfuControls;
  selfId: () => string | null;
  update: StateUpdate<"transport">;
}

export class TransportFeature {
  private readonly publications = new Map<string, SfuPublication>();
  /** Each tile's last reported size: kept on the mesh too, so that an SFU brought up later pulls the right layers at once. */
  private readonly sizes = new Map<string, { width: number; height: number }>();
  private sfu: (Transport & SfuControls) | null = null;
  private disposed = false;

  constructor(private readonly deps: TransportFeatureDeps) {}

  /** Every welcome: the transport in force and everyone's publications (a resume included: they may have changed meanwhile). */
  welcome(msg: { transport: TransportState; peers: ReadonlyArray<{ id: string; sfu?: SfuPublication | null }> }): void {
    if (this.disposed) return;
    const before = new Set(this.publications.keys());
    this.publications.clear();
    for (const p of msg.peers) if (p.sfu) this.publications.set(p.id, p.sfu);
    for (const id of before) if (!this.publications.has(id)) this.sfu?.setPublication(id, null);
    for (const [id, pub] of this.publications) this.sfu?.setPublication(id, pub);
    this.apply(msg.transport);
  }

  /** `transport`: the room switched. */
  transport(msg: { transport: TransportState }): void {
    if (!this.disposed) this.apply(msg.transport);
  }

  /** `peer-sfu`: a participant's publication changed (ours comes back too: nothing to pull). */
  peerSfu(msg: { id: string; sfu: SfuPublication | null }): void {
    if (this.disposed || msg.id === this.deps.selfId()) return;
    if (msg.sfu) this.publications.set(msg.id, msg.sfu);
    else this.publications.delete(msg.id);
    this.sfu?.setPublication(msg.id, msg.sfu);
  }

  peerLeft(id: string): void {
    this.publications.delete(id);
    this.sizes.delete(id);
  }

  /** A tile's size changed (device pixels): on the SFU, the layer pulled of that camera follows. */
  videoSize(peerId: string, width: number, height: number): void {
    if (this.disposed) return;
    this.sizes.set(peerId, { width, height });
    this.sfu?.setVideoSize(peerId, width, height);
  }

  /** What we publish on the SFU, as we last announced it (null on the mesh): for tests and diagnostics. */
  get ownPublication(): SfuPublication | null {
    return this.sfu?.announcement() ?? null;
  }

  /** The publications we know, for tests and diagnostics. */
  get known(): ReadonlyMap<string, SfuPublication> {
    return this.publications;
  }

  dispose(): void {
    this.disposed = true;
    this.sfu = null;
  }

  private apply(state: TransportState) {
    // The room never says "sfu" without one; if a broken one did, the mesh still works.
    const kind: TransportKind = state.kind === "sfu" && state.sfu ? "sfu" : "mesh";
    this.deps.update({ transport: { kind, sfu: state.sfu } });
    if (kind === this.deps.switcher.kind) return;
    if (kind === "sfu") {
      const sfu = this.deps.sfu();
      this.sfu = sfu;
      this.deps.switcher.swap("sfu", sfu);
      for (const [id, { width, height }] of this.sizes) sfu.setVideoSize(id, width, height);
      for (const [id, pub] of this.publications) sfu.setPublication(id, pub);
    } else {
      this.sfu = null;
      this.deps.switcher.swap("mesh", this.deps.mesh());
    }
  }
}
