// Who else is in the room, as the UI shows them: the room's roster (welcome, joins, leaves,
// presence) merged with what the transport reports per participant (connection, streams).
// Everyone in it is handed to the transport, which decides what to connect.
//
// Reconnects: the signaling socket resumes the same peer id, so connections and media survive a
// dropped socket; only a resume that fails (grace period over) starts the roster over.

import type { PeerInfo, LinkSignal, SignalData } from "../../../../protocol/protocol";
import type { Participant, StateUpdate } from "../session/session-state";
import type { SelfInfo, Transport } from "../session/transport";

export class Roster {
  private list: Participant[] = [];
  private selfId: string | null = null;
  private readonly unsubscribe: Array<() => void>;

  constructor(
    private readonly transport: Transport,
    private readonly update: StateUpdate<"participants">,
  ) {
    this.unsubscribe = [
      transport.on("connection", ({ peerId, state }) => this.patch(peerId, { connection: state })),
      transport.on("streams", ({ peerId, camera, screen }) => this.patch(peerId, { camera, screen })),
    ];
  }

  get participants(): readonly Participant[] {
    return this.list;
  }

  /** Who we are, from every welcome. */
  setSelf(self: SelfInfo): void {
    this.selfId = self.id;
    this.transport.setSelf(self);
  }

  /** A new identity: everyone we knew is addressed to a session the others have forgotten. */
  clear(): void {
    for (const p of this.list) this.transport.removePeer(p.id);
    this.set([]);
  }

  /** The roster in a welcome: whoever left while we were away is dropped (their peer-left went to the others). */
  welcome(peers: PeerInfo[]): void {
    const present = new Set(peers.map((p) => p.id));
    for (const p of this.list) if (!present.has(p.id)) this.remove(p.id);
    for (const peer of peers) this.add(peer);
  }

  add(peer: PeerInfo): void {
    if (this.selfId === null || peer.id === this.selfId) return;
    const { name, media, joined, away, role, seat } = peer;
    if (this.list.some((p) => p.id === peer.id)) this.patch(peer.id, { name, media, joined, away, role, seat });
    else this.set([...this.list, { ...peer, connection: "connecting", camera: null, screen: null }]);
    this.transport.addPeer(peer);
  }

  /** Returns who left, if we knew them. */
  remove(id: string): Participant | undefined {
    const gone = this.list.find((p) => p.id === id);
    this.transport.removePeer(id);
    this.set(this.list.filter((p) => p.id !== id));
    return gone;
  }

  presence(id: string, away: boolean): void {
    this.patch(id, { away });
    const peer = this.list.find((p) => p.id === id);
    if (!away && peer) this.transport.peerReturned(peer);
  }

  /** A signal from someone no longer in the roster (it left meanwhile) is dropped. */
  signal(from: string, data: LinkSignal): void {
    if (this.list.some((p) => p.id === from)) this.transport.signal(from, data);
  }

  patch(id: string, patch: Partial<Participant>): void {
    if (!this.list.some((p) => p.id === id)) return;
    this.set(this.list.map((p) => (p.id === id ? { ...p, ...patch } : p)));
  }

  dispose(): void {
    for (const off of this.unsubscribe.splice(0)) off();
  }

  private set(list: Participant[]) {
    this.list = list;
    this.update({ participants: list });
  }
}
