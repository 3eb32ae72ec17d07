// The mesh transport: one PeerLink to every other participant, with when to restart ICE
// (IceRestartPolicy), how much each copy of our video may use (BitrateController, fed by one
// shared StatsPoll) and who offers first.
//
// Who offers: between two peers, the later joiner makes the first offer and the earlier one
// waits for it (so a join never starts with both sides offering at once). Roles in a collision
// (polite/impolite) are derived from the ids, so both sides agree without talking.

import type { IceServer, PeerInfo, SignalData } from "../../../../protocol/protocol";
import { Emitter } from "../emitter";
import type { LocalTracks } from "../media/local-tracks";
import { log } from "../log";
import { PeerLink, type PeerState } from "../peer/peer-link";
import type { SelfInfo, Transport, TransportDeps, TransportEvents } from "../session/transport";
import { BitrateController } from "./bitrate-controller";
import { IceRestartPolicy } from "./ice-restart-policy";
import { StatsPoll } from "./stats-poll";

export interface MeshOptions {
  /** For tests. */
  RTCPeerConnection?: typeof RTCPeerConnection;
}

export class Mesh extends Emitter<TransportEvents> implements Transport {
  private readonly links = new Map<string, PeerLink>();
  private readonly restarts: IceRestartPolicy;
  private readonly stats: StatsPoll<PeerLink>;
  private readonly bitrate: BitrateController<PeerLink>;
  private self: SelfInfo | null = null;
  private iceServers: IceServer[] = [];
  private closed = false;

  constructor(
    private readonly deps: TransportDeps,
    private readonly options: MeshOptions = {},
  ) {
    super();
    this.restarts = new IceRestartPolicy(
      (link) => this.restartLink(link),
      undefined,
      (link) => this.show(link, link.state),
    );
    this.stats = new StatsPoll(() => [...this.links.values()]);
    this.bitrate = new BitrateController(() => [...this.links.values()], { budgetBps: deps.uploadBudgetBps, screen: deps.sharingScreen }, this.stats);
  }

  get peerConnections(): RTCPeerConnection[] {
    return [...this.links.values()].map((l) => l.pc);
  }

  setSelf(self: SelfInfo): void {
    this.assertOpen();
    this.self = { ...self };
  }

  addPeer(peer: PeerInfo): void {
    this.assertOpen();
    if (!this.links.has(peer.id) && !peer.away && this.isInitiator(peer)) this.connect(peer.id, false);
  }

  peerReturned(peer: PeerInfo): void {
    this.assertOpen();
    // A link that never heard from it is started over; one that had negotiated keeps its media
    // (and restarts ICE if needed).
    const link = this.links.get(peer.id);
    const unheard = link !== undefined && !link.pc.remoteDescription;
    if (unheard) this.drop(link);
    if (!this.links.has(peer.id) && this.isInitiator(peer)) this.connect(peer.id, false);
    // The other side starts over: until its offer arrives, the connection is being re-made.
    else if (unheard) this.emit("connection", { peerId: peer.id, state: "reconnecting" });
    else if (link && link.state !== "connected") this.restartLink(link);
  }

  removePeer(id: string): void {
    this.assertOpen();
    const link = this.links.get(id);
    if (link) this.drop(link);
    this.bitrate.update();
  }

  signal(from: string, data: SignalData): void {
    this.assertOpen();
    // The first signal from a peer that offers to us opens our link to it.
    const link = this.links.get(from) ?? this.connect(from, true);
    void link.receive(data);
  }

  setIceServers(servers: IceServer[]): void {
    this.assertOpen();
    this.iceServers = servers;
    for (const link of this.links.values()) link.setIceServers(this.rtcConfig());
    this.restartWaiting();
  }

  restart(): void {
    this.assertOpen();
    for (const link of this.links.values()) if (link.state !== "connected") this.restartLink(link);
  }

  restartWaiting(): void {
    this.assertOpen();
    for (const link of this.restarts.takeWaitingForCredentials()) link.restartIce();
  }

  setLocalTracks(tracks: LocalTracks): void {
    this.assertOpen();
    for (const link of this.links.values()) {
      link.replaceCameraTracks(tracks).catch((e: unknown) => {
        // replaceTrack rejects if the connection closed meanwhile or the new track cannot go on
        // the sender without renegotiating (webrtc-pc §5.2); the sender keeps its old track.
        log({ event: "negotiation", peer: link.peerId, step: "replace-camera-tracks failed", detail: String(e) });
      });
      link.setScreen(tracks.screenStream);
      link.announceStreams(tracks);
    }
    this.bitrate.update();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    // Nothing is reported about connections the owner is tearing down.
    this.removeAllListeners();
    this.bitrate.dispose();
    this.stats.dispose();
    this.restarts.dispose();
    for (const link of this.links.values()) link.close();
    this.links.clear();
  }

  /** Restarts ICE on a link, fetching fresh credentials first if the current ones are about to expire. */
  private restartLink(link: PeerLink) {
    this.show(link, "reconnecting");
    // Still waiting since the last attempt (the request was refused or lost): go on with what we have.
    if (this.restarts.stopWaiting(link)) return link.restartIce();
    if (this.deps.requestFreshCredentials()) return this.restarts.waitForCredentials(link);
    link.restartIce();
  }

  /** Between two peers, the later joiner offers first. */
  private isInitiator(peer: PeerInfo): boolean {
    const self = this.self!;
    return self.joined !== peer.joined ? self.joined > peer.joined : self.id > peer.id;
  }

  private connect(peerId: string, awaitOffer: boolean): PeerLink {
    const link = new PeerLink(
      {
        peerId,
        awaitOffer,
        // Deterministic roles: both sides compute the same answer without talking.
        polite: this.self!.id > peerId,
        config: this.rtcConfig(),
        send: (data) => this.deps.sendSignal(peerId, data),
        ...(this.options.RTCPeerConnection ? { RTCPeerConnection: this.options.RTCPeerConnection } : {}),
      },
      this.deps.localTracks(),
    );
    link.on("state", (state) => {
      this.restarts.observe(link, state);
      this.show(link, state);
      if (state === "connected") this.bitrate.update();
    });
    link.on("streams", (streams) => this.emit("streams", { peerId, ...streams }));
    link.on("turn-rejected", () => this.emit("turn-rejected", undefined));
    link.on("error", (e) => log({ event: "negotiation", peer: peerId, step: e.code, detail: e.message }));
    this.links.set(peerId, link);
    // One more copy of our media: everyone's share of the budget shrinks.
    this.bitrate.update();
    return link;
  }

  private drop(link: PeerLink) {
    this.restarts.forget(link);
    link.close();
    this.links.delete(link.peerId);
  }

  private show(link: PeerLink, state: PeerState) {
    this.emit("connection", { peerId: link.peerId, state: this.restarts.shown(link, state) });
  }

  private rtcConfig(): RTCConfiguration {
    return { iceServers: this.iceServers, iceTransportPolicy: this.deps.relayOnly ? "relay" : "all" };
  }

  private assertOpen() {
    if (this.closed) throw new Error("Mesh used after close");
  }
}
