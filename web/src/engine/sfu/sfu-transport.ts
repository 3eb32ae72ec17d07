// The SFU transport (issue #16): our media goes up once to Cloudflare Realtime and everyone's
// comes down from it, on one peer connection (sfu-connection.ts), instead of one connection per
// participant. It implements the session's Transport seam, so the roster, presence, the recorder
// and the UI read it as they read the mesh.
//
// One reconciling loop, not a pile of handlers: whenever something changes (our tracks, our seat,
// someone's publication, a tile's size, the downlink's loss), `sync` runs the publish plan
// (publish-plan.ts) and the pull plan (pull-plan.ts) against what the connection carries, one call
// at a time, announces what we publish (`sfu-tracks`, through `announce`) when that changed, and
// hands each participant's pulled tracks to RemoteMedia as camera and screen streams.
//
// Failures:
// - A failed item (a pull of a track its publisher just closed) is tried again after
//   FAILED_RETRY_MS; a failed call (after the proxy client's own retries) re-runs the loop after
//   RESYNC_MS.
// - ICE: SfuRecovery (the mesh's IceRestartPolicy: 4 s of `disconnected`, or `failed` every 3 s)
//   says when. A restart is an offer with iceRestart sent through renegotiate: the session, the tracks and
//   what others pull from us stay. If the SFU no longer knows our session (404) or the exchange
//   itself breaks, the connection is rebuilt: a new session, everything published and pulled
//   again, and announced (others re-pull us by the new session).

import type { IceServer, LinkSignal, PeerInfo } from "../../../../protocol/protocol";
import type { SfuPublication, SfuTrack, TransportClientMessage } from "../../../../protocol/features/transport";
import { Emitter } from "../emitter";
import type { LocalTracks } from "../media/local-tracks";
import { log } from "../log";
import type { RestartTiming } from "../mesh/ice-restart-policy";
import { publishes } from "../mesh/link-policy";
import { StatsPoll } from "../mesh/stats-poll";
import type { PeerState } from "../peer/peer-link";
import { RemoteLevel } from "../peer/remote-level";
import type { PeerChannel, SelfInfo, StageSeat, StageTiersView, Transport, TransportDeps, TransportEvents } from "../session/transport";
import { chooseRid, intervalLoss, type Layers, LINK_GOOD, type LinkVerdict, nextVerdict } from "./layer-choice";
import type { SfuProxy } from "./proxy-client";
import { SfuError } from "./proxy-client";
import { localByRole, planPublish } from "./publish-plan";
import { planPulls, trackKey, type PulledTrack } from "./pull-plan";
import { browserStream, RemoteMedia, type MakeStream } from "./remote-media";
import { SfuConnection, type Published } from "./sfu-connection";
import { SfuRecovery } from "./sfu-recovery";
import { inboundVideoCounts, splitStats } from "./stats-split";

/** A pull whose item failed is tried again after this long (its publisher may be renegotiating). */
export const FAILED_RETRY_MS = 3000;
/** After a failed call, the loop runs again after this long. */
export const RESYNC_MS = 5000;
/**
 * New sessions at most this often: the proxy rations them to one per 10 s after a burst of 4, and
 * a session that keeps failing (the proxy answering 404 to every call) must not become a loop.
 */
export const REBUILD_MIN_MS = 10_000;

export interface SfuDeps extends TransportDeps {
  proxy: Pick<SfuProxy, "newSession" | "tracksNew" | "renegotiate" | "tracksClose">;
  /** Sends our announcement to the room; false if the socket is down (it goes again with the next welcome). */
  announce(msg: TransportClientMessage): boolean;
}

export interface SfuOptions {
  /** For tests. */
  RTCPeerConnection?: typeof RTCPeerConnection;
  makeStream?: MakeStream;
  timing?: RestartTiming;
  now?: () => number;
}

interface PublishedRecord extends Published {
  track: MediaStreamTrack | null;
}

interface PulledRecord extends PulledTrack {
  transceiver: RTCRtpTransceiver;
}

export class SfuTransport extends Emitter<TransportEvents> implements Transport {
  private conn: SfuConnection;
  private readonly recovery: SfuRecovery;
  private readonly stats: StatsPoll<{ peerId: string; state: PeerState; getStats(): Promise<RTCStatsReport> }>;
  private readonly media: RemoteMedia;
  private readonly peers = new Map<string, PeerInfo>();
  private readonly publications = new Map<string, SfuPublication>();
  private published: PublishedRecord[] = [];
  private pulled: PulledRecord[] = [];
  private readonly tileHeights = new Map<string, number>();
  private readonly levels = new Map<string, RemoteLevel>();
  private readonly failedUntil = new Map<string, number>();
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  /** Whether our downlink loses packets (layer-choice.ts nextVerdict): if poor, cameras are pulled a layer lower. */
  private link: LinkVerdict = LINK_GOOD;
  private lastRebuild = Number.NEGATIVE_INFINITY;
  private rebuildTimer: ReturnType<typeof setTimeout> | null = null;
  private lastCounts: { received: number; lost: number } | null = null;
  private announced: string | null = null;
  private lastAnnouncement: SfuPublication | null = null;
  private stage: StageSeat = { mode: "meeting", seat: "speaker" };
  private self: SelfInfo | null = null;
  private iceServers: IceServer[] = [];
  private syncing = false;
  private dirty = false;
  private closed = false;
  private readonly now: () => number;
  private readonly stopLossWatch: () => void;

  constructor(
    private readonly deps: SfuDeps,
    private readonly options: SfuOptions = {},
  ) {
    super();
    this.now = options.now ?? Date.now;
    this.recovery = new SfuRecovery(
      {
        restartIce: () => this.restartIce(),
        requestFreshCredentials: () => deps.requestFreshCredentials(),
        show: (state) => this.showAll(state),
        back: () => this.announce(true),
      },
      options.timing,
    );
    this.conn = this.connect();
    this.media = new RemoteMedia(options.makeStream ?? browserStream, (peerId, streams) => this.emit("streams", { peerId, ...streams }));
    this.stats = new StatsPoll(() => [{ peerId: "sfu", state: this.recovery.state, getStats: () => this.conn.pc.getStats() }]);
    this.stopLossWatch = this.stats.subscribe((_, report) => this.watchLoss(report));
  }

  get peerConnections(): RTCPeerConnection[] {
    return this.closed ? [] : [this.conn.pc];
  }

  /** The Realtime session we publish on (null before the first call), for tests and diagnostics. */
  get sessionId(): string | null {
    return this.conn.sessionId;
  }

  /** What we last announced (session and tracks), for tests and diagnostics; null before the first. */
  announcement(): SfuPublication | null {
    return this.lastAnnouncement;
  }

  stageTiers(): StageTiersView {
    return { video: [], audioOnly: [] };
  }

  setSelf(self: SelfInfo): void {
    this.assertOpen();
    this.self = { ...self };
    // A welcome: if the room forgot us (a new identity), it forgot our announcement too.
    this.announce(true);
  }

  setStage(stage: StageSeat): void {
    this.assertOpen();
    this.stage = { ...stage };
    this.sync();
  }

  addPeer(peer: PeerInfo): void {
    this.assertOpen();
    this.peers.set(peer.id, { ...peer });
    this.emit("connection", { peerId: peer.id, state: this.recovery.shown });
    // The SFU forwards a speaker's camera to every viewer: there are no stage tiers here. A speaker
    // whose mesh link said "no video" (its uplink was full) before the room switched must not stay
    // audio-only on this viewer's screen, with the note that the stage is full.
    if (peer.seat === "speaker") this.emit("tier", { peerId: peer.id, video: true });
    this.sync();
  }

  peerReturned(peer: PeerInfo): void {
    this.assertOpen();
    this.peers.set(peer.id, { ...peer });
    this.sync();
  }

  removePeer(id: string): void {
    this.assertOpen();
    this.peers.delete(id);
    this.publications.delete(id);
    this.tileHeights.delete(id);
    this.levels.delete(id);
    this.media.forget(id);
    this.sync();
  }

  /** A participant's publication (PeerInfo.sfu, `peer-sfu`), or null when it publishes nothing. */
  setPublication(peerId: string, publication: SfuPublication | null): void {
    this.assertOpen();
    if (publication) this.publications.set(peerId, publication);
    else this.publications.delete(peerId);
    this.sync();
  }

  /** How big a participant's camera tile is drawn now, in device pixels: the layer we pull follows it. */
  setVideoSize(peerId: string, width: number, height: number): void {
    this.assertOpen();
    if (!(width > 0 && height > 0)) {
      this.tileHeights.delete(peerId);
      return;
    }
    const before = this.tileHeights.get(peerId);
    this.tileHeights.set(peerId, height);
    if (before === undefined || Math.abs(before - height) / height > 0.1) this.sync();
  }

  signal(from: string, data: LinkSignal): void {
    this.assertOpen();
    // Nothing travels peer to peer on the SFU; a mesh peer's late signal (a switch) is dropped.
    log({ event: "negotiation", peer: from, step: `dropped ${data.kind}: on the SFU` });
  }

  dataChannel(): PeerChannel | null {
    this.assertOpen();
    return null;
  }

  onStats(fn: (peerId: string, report: RTCStatsReport) => void): () => void {
    this.assertOpen();
    return this.stats.subscribe((_, report) => {
      for (const [peerId, part] of splitStats(report, this.midsByPeer())) fn(peerId, part);
    });
  }

  pauseStats(paused: boolean): void {
    this.stats.pause(paused);
  }

  audioLevels(): Map<string, number> {
    this.assertOpen();
    const out = new Map<string, number>();
    if (this.recovery.state !== "connected") return out;
    const at = performance.now();
    for (const p of this.pulled) {
      if (p.role !== "mic") continue;
      let level = this.levels.get(p.peerId);
      if (!level) this.levels.set(p.peerId, (level = new RemoteLevel()));
      out.set(p.peerId, level.read(p.transceiver.receiver.getSynchronizationSources(), at));
    }
    return out;
  }

  setIceServers(servers: IceServer[]): void {
    this.assertOpen();
    this.iceServers = servers;
    this.conn.setConfiguration(this.rtcConfig());
    this.restartWaiting();
  }

  restart(all = false): void {
    this.assertOpen();
    this.recovery.restartNow(all);
  }

  restartWaiting(): void {
    this.assertOpen();
    this.recovery.credentialsSettled();
  }

  setLocalTracks(_tracks: LocalTracks): void {
    this.assertOpen();
    this.sync();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.removeAllListeners();
    this.stopLossWatch();
    this.stats.dispose();
    this.recovery.dispose();
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    if (this.rebuildTimer !== null) clearTimeout(this.rebuildTimer);
    this.conn.close();
  }

  // -- the loop --------------------------------------------------------------------------------

  /** Runs the loop now, or once more after the run in progress. */
  private sync() {
    if (this.closed) return;
    if (this.syncing) {
      this.dirty = true;
      return;
    }
    this.syncing = true;
    const conn = this.conn;
    conn
      .run(() => this.reconcile(conn))
      .catch((e: unknown) => this.failed(conn, e))
      .finally(() => {
        this.syncing = false;
        if (this.dirty) {
          this.dirty = false;
          this.sync();
        }
      });
  }

  private async reconcile(conn: SfuConnection): Promise<void> {
    // Publishing: replace, close, publish; then say so.
    const plan = planPublish(localByRole(this.deps.localTracks(), publishes(this.stage)), this.published);
    for (const { mid, track } of plan.replace) {
      const record = this.published.find((p) => p.mid === mid)!;
      await record.transceiver.sender.replaceTrack(track);
      record.track = track;
    }
    if (plan.close.length > 0) {
      this.published = this.published.filter((p) => !plan.close.includes(p.mid));
      await conn.closeTracks(plan.close);
    }
    if (plan.publish.length > 0) {
      const { published, failed } = await conn.publish(plan.publish);
      for (const p of published) this.published.push({ ...p, track: plan.publish.find((i) => i.role === p.role)!.track });
      for (const f of failed) log({ event: "negotiation", peer: "sfu", step: `publish ${f.trackName ?? "?"} failed`, detail: `${f.errorCode}: ${f.errorDescription}` });
      if (failed.length > 0) this.later(FAILED_RETRY_MS);
    }
    this.announce(false);

    // Pulling: new pulls first, then the ones they replace or nobody announces any more.
    const others = new Map([...this.publications].filter(([id]) => this.peers.has(id) && id !== this.self?.id));
    const now = this.now();
    const pulls = planPulls(others, this.pulled, (peerId, layers, current) => this.chooseLayer(peerId, layers, current), (key) => (this.failedUntil.get(key) ?? 0) > now);
    const failedKeys = new Set<string>();
    if (pulls.add.length > 0) {
      const { pulled, failed } = await conn.pull(pulls.add);
      for (const p of pulled) {
        const wanted = pulls.add.find((w) => w.sessionId === p.sessionId && w.trackName === p.trackName)!;
        // The newest pull of a track goes first, so that it is the one found by key.
        this.pulled.unshift({ peerId: wanted.peerId, role: wanted.role, sessionId: p.sessionId, trackName: p.trackName, rid: wanted.rid, mid: p.mid, transceiver: p.transceiver });
      }
      for (const f of failed) {
        const key = trackKey(f.sessionId ?? "", f.trackName ?? "");
        failedKeys.add(key);
        this.failedUntil.set(key, now + FAILED_RETRY_MS);
        log({ event: "negotiation", peer: "sfu", step: `pull ${f.trackName ?? "?"} failed`, detail: `${f.errorCode}: ${f.errorDescription}` });
      }
      if (failed.length > 0) this.later(FAILED_RETRY_MS);
    }
    // A layer change whose new pull failed keeps the old one.
    const close = pulls.close.filter((mid) => {
      const p = this.pulled.find((x) => x.mid === mid)!;
      return !failedKeys.has(trackKey(p.sessionId, p.trackName)) || !others.get(p.peerId)?.tracks.some((t) => t.name === p.trackName);
    });
    if (close.length > 0) {
      this.pulled = this.pulled.filter((p) => !close.includes(p.mid));
      this.showStreams();
      await conn.closeTracks(close);
    }
    this.showStreams();
  }

  private failed(conn: SfuConnection, e: unknown) {
    if (this.closed || conn !== this.conn) return;
    log({ event: "negotiation", peer: "sfu", step: "sync failed", detail: String(e) });
    if (e instanceof SfuError && e.sessionGone) this.rebuild();
    else this.later(RESYNC_MS);
  }

  /** Runs the loop again in `ms`. */
  private later(ms: number) {
    const t = setTimeout(() => {
      this.timers.delete(t);
      this.sync();
    }, ms);
    this.timers.add(t);
  }

  private chooseLayer(peerId: string, layers: Layers, current: string | null): string | null {
    const height = this.tileHeights.get(peerId);
    return chooseRid({ ...layers, tileHeight: height ?? null, poor: this.link.poor, current });
  }

  /** Our announcement, sent when it changed (or `force`d: the room may have forgotten it). */
  private announce(force: boolean) {
    const session = this.conn.sessionId;
    if (session === null || this.self === null) return;
    const tracks: SfuTrack[] = this.published.map((p) => ({ name: p.name, role: p.role, ...(p.rids.length > 0 ? { rids: p.rids, ...(p.height ? { height: p.height } : {}) } : {}) }));
    const text = JSON.stringify({ session, tracks });
    if (!force && text === this.announced) return;
    // An empty list before anything was ever announced says nothing new.
    if (tracks.length === 0 && this.announced === null && !force) return;
    if (this.deps.announce({ type: "sfu-tracks", session, tracks })) {
      this.announced = text;
      this.lastAnnouncement = { session, tracks };
    }
  }

  private showStreams() {
    for (const peerId of this.peers.keys()) {
      const byRole = new Map<PulledTrack["role"], MediaStreamTrack>();
      // Newest first: the first pull of a role is the one shown.
      for (const p of this.pulled) if (p.peerId === peerId && !byRole.has(p.role)) byRole.set(p.role, p.transceiver.receiver.track);
      this.media.update(peerId, byRole);
    }
  }

  private midsByPeer(): Map<string, Set<string>> {
    const out = new Map<string, Set<string>>([...this.peers.keys()].map((id) => [id, new Set<string>()]));
    for (const p of this.pulled) out.get(p.peerId)?.add(p.mid);
    return out;
  }

  private watchLoss(report: RTCStatsReport) {
    const mids = new Set(this.pulled.filter((p) => p.role === "camera").map((p) => p.mid));
    const counts = inboundVideoCounts(report, mids);
    const before = this.lastCounts;
    this.lastCounts = counts;
    const was = this.link.poor;
    this.link = nextVerdict(this.link, intervalLoss(before, counts));
    // Only a change of verdict can change a layer.
    if (this.link.poor !== was) this.sync();
  }

  // -- the connection and its restarts --------------------------------------------------------------

  private connect(): SfuConnection {
    return new SfuConnection({
      proxy: this.deps.proxy,
      config: { ...this.rtcConfig(), ...this.certificates() },
      onState: (s) => this.recovery.observe(s),
      ...(this.options.RTCPeerConnection ? { RTCPeerConnection: this.options.RTCPeerConnection } : {}),
    });
  }

  private showAll(state: PeerState) {
    for (const peerId of this.peers.keys()) this.emit("connection", { peerId, state });
  }

  private restartIce() {
    const conn = this.conn;
    conn
      .run(() => conn.restartIce())
      .catch((e: unknown) => {
        if (this.closed || conn !== this.conn) return;
        log({ event: "negotiation", peer: "sfu", step: "restart-ice failed", detail: String(e) });
        // The proxy unreachable (the network is still down): the policy tries again. Anything
        // else (the session forgotten, an SDP the SFU would not take) needs a new session.
        if (e instanceof SfuError && !e.sessionGone && (e.status === 0 || e.status >= 500 || e.status === 429)) return;
        this.rebuild();
      });
  }

  /** A new connection and session: everything is published, announced and pulled again (at most once per REBUILD_MIN_MS). */
  private rebuild() {
    if (this.closed || this.rebuildTimer !== null) return;
    const wait = this.lastRebuild + REBUILD_MIN_MS - this.now();
    if (wait > 0) {
      this.rebuildTimer = setTimeout(() => {
        this.rebuildTimer = null;
        this.rebuild();
      }, wait);
      return;
    }
    this.lastRebuild = this.now();
    log({ event: "negotiation", peer: "sfu", step: "rebuild" });
    this.conn.close();
    this.published = [];
    this.pulled = [];
    this.levels.clear();
    this.lastCounts = null;
    this.conn = this.connect();
    this.recovery.replaced();
    this.sync();
  }

  private certificates(): { certificates?: RTCCertificate[] } {
    const valid = this.deps.certificates?.filter((c) => c.expires > Date.now()) ?? [];
    return valid.length > 0 ? { certificates: valid } : {};
  }

  private rtcConfig(): RTCConfiguration {
    return { iceServers: this.iceServers, iceTransportPolicy: this.deps.relayOnly ? "relay" : "all" };
  }

  private assertOpen() {
    if (this.closed) throw new Error("SfuTransport used after close");
  }
}
