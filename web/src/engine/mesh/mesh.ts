// The mesh transport: one PeerLink to every other participant it should be linked with
// (link-policy.ts: everyone in a meeting; on a stage, speakers with everyone, viewers with
// speakers only), with when to restart ICE (IceRestartPolicy), how much each copy of our video
// may use (BitrateController, fed by one shared StatsPoll, which connection quality reads too
// through onStats), which stage viewers get our camera video (StageTiers) and who offers first.
//
// Who offers: between two peers, the later joiner makes the first offer and the earlier one
// waits for it (so a join never starts with both sides offering at once). Roles in a collision
// (polite/impolite) are derived from the ids, so both sides agree without talking.

import type { IceServer, PeerInfo, Seat, LinkSignal, SignalData } from "../../../../protocol/protocol";
import { Emitter } from "../emitter";
import type { LocalTracks } from "../media/local-tracks";
import { log } from "../log";
import { PeerLink, type PeerState } from "../peer/peer-link";
import type { PeerChannel, SelfInfo, StageSeat, StageTiersView, Transport, TransportDeps, TransportEvents } from "../session/transport";
import { BitrateController } from "./bitrate-controller";
import { IceRestartPolicy } from "./ice-restart-policy";
import { linkWanted, publishes, tiered } from "./link-policy";
import { StageTiers } from "./stage-tiers";
import { StatsPoll } from "./stats-poll";

export interface MeshOptions {
  /** For tests. */
  RTCPeerConnection?: typeof RTCPeerConnection;
}

/** What a `streams` signal tells a peer of our media. */
const namesOf = (t: LocalTracks) => ({ camera: t.cameraStream.id, screen: t.screenStream?.id ?? null });

export class Mesh extends Emitter<TransportEvents> implements Transport {
  private readonly links = new Map<string, PeerLink>();
  /** The stream ids our links last announced; null before the first link or tracks. */
  private named: { camera: string; screen: string | null } | null = null;
  private readonly restarts: IceRestartPolicy;
  private readonly stats: StatsPoll<PeerLink>;
  private readonly bitrate: BitrateController<PeerLink>;
  private readonly tiers: StageTiers<PeerLink>;
  /** Everyone the session told us of, with their seat and join time (the policy and the tiers read them). */
  private readonly peers = new Map<string, PeerInfo>();
  private stage: StageSeat = { mode: "meeting", seat: "speaker" };
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
    this.tiers = new StageTiers(
      {
        links: () => [...this.links.values()],
        viewers: () => this.viewerLinks(),
        budgetBps: deps.uploadBudgetBps,
        screen: deps.sharingScreen,
      },
      this.stats,
    );
  }

  get peerConnections(): RTCPeerConnection[] {
    return [...this.links.values()].map((l) => l.pc);
  }

  /** Viewer links with our camera video and those without, while we are a speaker on a stage (for benchmarks and tests). */
  stageTiers(): StageTiersView {
    return this.tiers.snapshot;
  }

  setSelf(self: SelfInfo): void {
    this.assertOpen();
    this.self = { ...self };
  }

  setStage(stage: StageSeat): void {
    this.assertOpen();
    this.stage = { ...stage };
    const publish = publishes(this.stage);
    for (const link of [...this.links.values()]) {
      if (!this.wanted(link.peerId)) this.dropUnwanted(link.peerId);
      else link.setSending({ ...link.sending, publish });
    }
    for (const peer of this.peers.values()) if (!peer.away) this.connectIfOurs(peer);
    this.retier();
  }

  addPeer(peer: PeerInfo): void {
    this.assertOpen();
    this.peers.set(peer.id, { ...peer });
    // Called again when its seat changes: a link it no longer wants closes, one it now wants opens.
    if (!this.wanted(peer.id)) this.dropUnwanted(peer.id);
    else if (!peer.away) this.connectIfOurs(peer);
    this.retier();
  }

  peerReturned(peer: PeerInfo): void {
    this.assertOpen();
    this.peers.set(peer.id, { ...peer });
    if (!this.wanted(peer.id)) return;
    // A link that never heard from it is started over; one that had negotiated keeps its media
    // (and restarts ICE if needed).
    const link = this.links.get(peer.id);
    const unheard = link !== undefined && !link.pc.remoteDescription;
    if (unheard) this.drop(link);
    if (!this.links.has(peer.id) && this.isInitiator(peer)) this.connect(peer.id, false);
    // The other side starts over: until its offer arrives, the connection is being re-made.
    else if (unheard) this.emit("connection", { peerId: peer.id, state: "reconnecting" });
    else if (link && link.state !== "connected") this.restartLink(link);
    const kept = this.links.get(peer.id);
    if (kept) {
      // Signals sent while it was away were lost, a renaming of our streams among them.
      if (!unheard) kept.announceStreams(this.deps.localTracks());
      this.tiers.retell(kept);
      this.retier();
    }
  }

  removePeer(id: string): void {
    this.assertOpen();
    this.peers.delete(id);
    const link = this.links.get(id);
    if (link) this.drop(link);
    // A video viewer that left makes room for the next one in line.
    this.retier();
  }

  signal(from: string, data: LinkSignal): void {
    this.assertOpen();
    // The first signal from a peer that offers to us opens our link to it. One still in flight
    // from a link we closed (a seat changed on a stage) does not open it again.
    const link = this.links.get(from) ?? (this.wanted(from) ? this.connect(from, true) : null);
    if (link) void link.receive(data);
    else log({ event: "negotiation", peer: from, step: `dropped ${data.kind}: no link wanted` });
  }

  dataChannel(peerId: string, id: number): PeerChannel | null {
    this.assertOpen();
    const link = this.links.get(peerId);
    const channel = link?.openDataChannel(id);
    if (!link || !channel) return null;
    return { channel, maxMessageSize: () => link.pc.sctp?.maxMessageSize ?? null };
  }

  onStats(fn: (peerId: string, report: RTCStatsReport) => void): () => void {
    this.assertOpen();
    return this.stats.subscribe((link, report) => fn(link.peerId, report));
  }

  pauseStats(paused: boolean): void {
    this.stats.pause(paused);
  }

  audioLevels(): Map<string, number> {
    this.assertOpen();
    const levels = new Map<string, number>();
    for (const link of this.links.values()) {
      // A stage's viewer sends nothing: on a speaker's side those are most links, read for nothing.
      if (this.seatOf(link.peerId) === "viewer") continue;
      const level = link.state === "connected" ? link.audioLevel() : null;
      if (level !== null) levels.set(link.peerId, level);
    }
    return levels;
  }

  setIceServers(servers: IceServer[]): void {
    this.assertOpen();
    this.iceServers = servers;
    for (const link of this.links.values()) link.setIceServers(this.rtcConfig());
    this.restartWaiting();
  }

  restart(all = false): void {
    this.assertOpen();
    for (const link of this.links.values()) {
      if (link.state !== "connected") this.restartLink(link);
      // A different network: a link that still says connected restarts too (its candidate pairs
      // are likely dead), shown as it is; if the path did die, its own state soon says so.
      else if (all) this.restartLink(link, false);
    }
  }

  restartWaiting(): void {
    this.assertOpen();
    for (const link of this.restarts.takeWaitingForCredentials()) link.restartIce();
  }

  setLocalTracks(tracks: LocalTracks): void {
    this.assertOpen();
    // A `streams` signal names the camera and screen streams; muting, a device or the camera
    // going on or off keeps both, and need not cost a signal per peer (each link named them when
    // it opened, and again when its peer comes back).
    const named = this.named;
    this.named = namesOf(tracks);
    const renamed = named === null || named.camera !== this.named.camera || named.screen !== this.named.screen;
    for (const link of this.links.values()) {
      link.replaceCameraTracks(tracks).catch((e: unknown) => {
        // replaceTrack rejects if the connection closed meanwhile or the new track cannot go on
        // the sender without renegotiating (webrtc-pc §5.2); the sender keeps its old track.
        log({ event: "negotiation", peer: link.peerId, step: "replace-camera-tracks failed", detail: String(e) });
      });
      link.setScreen(tracks.screenStream);
      if (renamed) link.announceStreams(tracks);
    }
    // A screen share changes what an audio-only viewer costs.
    this.retier();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    // Nothing is reported about connections the owner is tearing down.
    this.removeAllListeners();
    this.bitrate.dispose();
    this.tiers.dispose();
    this.stats.dispose();
    this.restarts.dispose();
    for (const link of this.links.values()) link.close();
    this.links.clear();
  }

  /** Restarts ICE on a link, fetching fresh credentials first if the current ones are about to expire. */
  private restartLink(link: PeerLink, show = true) {
    if (show) this.show(link, "reconnecting");
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

  private seatOf(id: string): Seat | undefined {
    return this.peers.get(id)?.seat;
  }

  private wanted(id: string): boolean {
    return linkWanted(this.stage, this.seatOf(id));
  }

  /** Opens a wanted link that is ours to offer; the other side's offer opens the rest (signal). */
  private connectIfOurs(peer: PeerInfo) {
    if (!this.links.has(peer.id) && this.wanted(peer.id) && this.isInitiator(peer)) this.connect(peer.id, false);
  }

  /** Closes a link the policy no longer wants; the participant shows no connection and no streams. */
  private dropUnwanted(id: string) {
    const link = this.links.get(id);
    if (!link) return this.emit("connection", { peerId: id, state: "closed" });
    // Its "closed" state reaches the participant as the link closes.
    this.drop(link);
    this.emit("streams", { peerId: id, camera: null, screen: null });
  }

  /** The viewers our tiers govern, earliest joiner first. */
  private viewerLinks(): PeerLink[] {
    const joined = (l: PeerLink) => this.peers.get(l.peerId)?.joined ?? Number.MAX_SAFE_INTEGER;
    return [...this.links.values()]
      .filter((l) => tiered(this.stage, this.seatOf(l.peerId)))
      .sort((a, b) => joined(a) - joined(b) || (a.peerId < b.peerId ? -1 : 1));
  }

  /** Tiers first (they decide which links carry video), then the caps that follow from them. */
  private retier() {
    this.tiers.update();
    this.bitrate.update();
  }

  private connect(peerId: string, awaitOffer: boolean): PeerLink {
    // The link names our streams as it opens (PeerLink's constructor), as every link did.
    const local = this.deps.localTracks();
    this.named = namesOf(local);
    const link = new PeerLink(
      {
        peerId,
        awaitOffer,
        // Deterministic roles: both sides compute the same answer without talking.
        polite: this.self!.id > peerId,
        // Our one certificate (safety/certificate-store.ts) from the first offer on: a connection's certificate cannot change later.
        // Never an expired one (a call that outlived it): the connection would fail; without it the browser makes its own.
        config: { ...this.rtcConfig(), ...this.certificates() },
        // Its camera video is the tiers' call, made right below, before any offer or answer goes out.
        sending: { publish: publishes(this.stage), video: true },
        send: (data) => this.deps.sendSignal(peerId, data),
        ...(this.options.RTCPeerConnection ? { RTCPeerConnection: this.options.RTCPeerConnection } : {}),
      },
      local,
    );
    link.on("state", (state) => {
      this.restarts.observe(link, state);
      this.show(link, state);
      if (state === "connected") this.bitrate.update();
    });
    link.on("streams", (streams) => this.emit("streams", { peerId, ...streams }));
    link.on("turn-rejected", () => this.emit("turn-rejected", undefined));
    link.on("tier", (video) => this.emit("tier", { peerId, video }));
    link.on("negotiated", (sdp) => this.emit("negotiated", { peerId, ...sdp }));
    link.on("error", (e) => log({ event: "negotiation", peer: peerId, step: e.code, detail: e.message }));
    this.links.set(peerId, link);
    // One more copy of our media: everyone's share of the budget shrinks, and on a stage it may
    // be one viewer too many for video.
    this.retier();
    return link;
  }

  private certificates(): { certificates?: RTCCertificate[] } {
    const valid = this.deps.certificates?.filter((c) => c.expires > Date.now()) ?? [];
    return valid.length > 0 ? { certificates: valid } : {};
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
