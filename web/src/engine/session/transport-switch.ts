// The transport the session's features hold: it forwards to the transport in force (the mesh or
// the SFU) and swaps it for another without anyone reloading (issue #16). The features, the
// roster and the UI never learn that it changed: their listeners and stats readers stay on this
// object, which moves them to the new transport.
//
// A swap, in one place:
// 1. The new transport is told everything the old one was (who we are, our seat, the ICE servers,
//    every participant): it connects and sends our media (it reads the same local tracks).
// 2. Both run for a handover: what the old one shows stays on the tiles (its streams, its
//    connection states) until the new one has a stream for that participant; the new one's
//    "connected" and streams go through at once, its "connecting" is held back meanwhile, so no
//    tile flickers to "connecting" while the old video still plays.
// 3. A participant's tile moves to the new transport's stream once media flows in it (a remote
//    track starts muted and unmutes with its first packets): a stream that has only appeared would
//    show a dark tile for the seconds its first keyframe takes.
// 4. The old one closes when the new one has flowing streams for everyone the old one showed, or
//    after HANDOVER_MS, whichever is first; then the new one's latest word for each participant is shown.

import type { IceServer, LinkSignal, PeerInfo } from "../../../../protocol/protocol";
import type { TransportKind } from "../../../../protocol/features/transport";
import { Emitter } from "../emitter";
import type { LocalTracks } from "../media/local-tracks";
import type { PeerChannel, PeerState, RemoteStreams, SelfInfo, StageSeat, StageTiersView, Transport, TransportEvents } from "./transport";

/**
 * The longest both transports run side by side. A move to the SFU pulls each participant as their
 * publication is announced, and each pull renegotiates: on a busy 2-core machine through the local
 * stand-in, the last participants' video flowed 15–20 s after the switch, and a 10 s handover
 * closed the mesh under tiles that then stayed dark for seconds. Both running longer costs only
 * bandwidth, and only while the new one is slow.
 */
export const HANDOVER_MS = 20_000;

interface Handover {
  old: Transport;
  offOld: () => void;
  /** Participants the old transport shows a stream of, and the new one does not yet. */
  waiting: Set<string>;
  timer: ReturnType<typeof setTimeout>;
  /** The new transport's latest word per participant, shown when the handover ends. */
  latest: Map<string, { state?: PeerState; streams?: RemoteStreams }>;
  /** Removes the `unmute` listeners of streams not flowing yet (whenFlowing). */
  unlisten: Array<() => void>;
}

const hasMedia = (s: RemoteStreams | undefined) => s !== undefined && (s.camera !== null || s.screen !== null);

const tracksOf = (s: RemoteStreams) => [s.camera, s.screen].flatMap((m) => m?.getTracks() ?? []);

/**
 * Some track of the streams has had packets (a remote track is muted until its first RTP arrives),
 * or there is no track to wait for.
 */
const flowing = (s: RemoteStreams) => {
  const tracks = tracksOf(s);
  return tracks.length === 0 || tracks.some((t) => !t.muted);
};

export class TransportSwitch extends Emitter<TransportEvents> implements Transport {
  private current: Transport;
  private kindValue: TransportKind;
  private offCurrent: () => void;
  private handover: Handover | null = null;
  private self: SelfInfo | null = null;
  private stage: StageSeat | null = null;
  private iceServers: IceServer[] | null = null;
  private paused = false;
  private readonly peers = new Map<string, PeerInfo>();
  /** What was last shown per participant (the streams decide who waits in a handover). */
  private readonly shown = new Map<string, RemoteStreams>();
  private readonly readers = new Map<(peerId: string, report: RTCStatsReport) => void, () => void>();
  private closed = false;

  constructor(
    initial: Transport,
    kind: TransportKind = "mesh",
    private readonly handoverMs = HANDOVER_MS,
  ) {
    super();
    this.current = initial;
    this.kindValue = kind;
    this.offCurrent = this.forward(initial, true);
  }

  /** Which transport is in force. */
  get kind(): TransportKind {
    return this.kindValue;
  }

  /** Whether an old transport still runs beside the new one. */
  get handingOver(): boolean {
    return this.handover !== null;
  }

  /**
   * Puts `next` in force: it is told everything, runs beside the old one while it catches up,
   * and the old one closes (see the top of this file). A swap during a handover ends that one first.
   */
  swap(kind: TransportKind, next: Transport): void {
    this.assertOpen();
    this.finishHandover();
    const old = this.current;
    this.offCurrent();
    this.current = next;
    this.kindValue = kind;
    const waiting = new Set([...this.peers.values()].filter((p) => !p.away && hasMedia(this.shown.get(p.id))).map((p) => p.id));
    const handover: Handover = { old, offOld: () => {}, waiting, latest: new Map(), unlisten: [], timer: setTimeout(() => this.finishHandover(), this.handoverMs) };
    this.handover = handover;
    handover.offOld = this.forward(old, false);
    this.offCurrent = this.forward(next, true);
    if (this.self) next.setSelf(this.self);
    if (this.stage) next.setStage(this.stage);
    if (this.iceServers) next.setIceServers(this.iceServers);
    if (this.paused) next.pauseStats?.(true);
    for (const [fn, off] of this.readers) {
      off();
      this.readers.set(fn, next.onStats(fn));
    }
    for (const peer of this.peers.values()) next.addPeer(peer);
    if (waiting.size === 0) this.finishHandover();
  }

  get peerConnections(): RTCPeerConnection[] {
    return [...this.current.peerConnections, ...(this.handover?.old.peerConnections ?? [])];
  }

  stageTiers(): StageTiersView {
    return this.current.stageTiers();
  }

  setSelf(self: SelfInfo): void {
    this.assertOpen();
    this.self = { ...self };
    this.current.setSelf(self);
  }

  setStage(stage: StageSeat): void {
    this.assertOpen();
    this.stage = { ...stage };
    this.current.setStage(stage);
  }

  addPeer(peer: PeerInfo): void {
    this.assertOpen();
    this.peers.set(peer.id, { ...peer });
    this.current.addPeer(peer);
  }

  peerReturned(peer: PeerInfo): void {
    this.assertOpen();
    this.peers.set(peer.id, { ...peer });
    this.current.peerReturned(peer);
  }

  removePeer(id: string): void {
    this.assertOpen();
    this.peers.delete(id);
    this.shown.delete(id);
    this.current.removePeer(id);
    if (this.handover) {
      this.handover.old.removePeer(id);
      this.settled(id);
    }
  }

  signal(from: string, data: LinkSignal): void {
    this.assertOpen();
    // Peer-to-peer signals are the mesh's; in a handover from the mesh, the old one still takes them.
    if (this.kindValue === "mesh") this.current.signal(from, data);
    else if (this.handover) this.handover.old.signal(from, data);
    else this.current.signal(from, data);
  }

  setIceServers(servers: IceServer[]): void {
    this.assertOpen();
    this.iceServers = servers;
    this.current.setIceServers(servers);
    this.handover?.old.setIceServers(servers);
  }

  restart(all?: boolean): void {
    this.assertOpen();
    this.current.restart(all);
  }

  restartWaiting(): void {
    this.assertOpen();
    this.current.restartWaiting();
  }

  setLocalTracks(tracks: LocalTracks): void {
    this.assertOpen();
    this.current.setLocalTracks(tracks);
    this.handover?.old.setLocalTracks(tracks);
  }

  dataChannel(peerId: string, id: number): PeerChannel | null {
    this.assertOpen();
    return this.current.dataChannel(peerId, id);
  }

  onStats(fn: (peerId: string, report: RTCStatsReport) => void): () => void {
    this.assertOpen();
    // One function may subscribe once: its remover is keyed by it.
    const wrapped = (peerId: string, report: RTCStatsReport) => fn(peerId, report);
    this.readers.set(wrapped, this.current.onStats(wrapped));
    return () => {
      this.readers.get(wrapped)?.();
      this.readers.delete(wrapped);
    };
  }

  pauseStats(paused: boolean): void {
    this.paused = paused;
    this.current.pauseStats?.(paused);
  }

  audioLevels(): Map<string, number> {
    this.assertOpen();
    const levels = this.current.audioLevels();
    // In a handover, the voices still come through the old one for those not moved yet.
    if (this.handover) for (const [id, level] of this.handover.old.audioLevels()) if (this.handover.waiting.has(id)) levels.set(id, level);
    return levels;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.finishHandover();
    this.removeAllListeners();
    this.offCurrent();
    for (const off of this.readers.values()) off();
    this.readers.clear();
    this.current.close();
  }

  /** Re-emits `t`'s events: all of them from the transport in force, and in a handover what the rules above let through. */
  private forward(t: Transport, inForce: boolean): () => void {
    const offs = [
      t.on("connection", (e) => this.onConnection(e, inForce)),
      t.on("streams", (e) => this.onStreams(e, inForce)),
      t.on("turn-rejected", () => inForce && this.emit("turn-rejected", undefined)),
      t.on("tier", (e) => inForce && this.emit("tier", e)),
      t.on("negotiated", (e) => inForce && this.emit("negotiated", e)),
    ];
    return () => offs.forEach((off) => off());
  }

  private onConnection(e: TransportEvents["connection"], inForce: boolean) {
    const h = this.handover;
    if (!h) return inForce && this.emit("connection", e);
    if (!inForce) {
      if (h.waiting.has(e.peerId)) this.emit("connection", e);
      return;
    }
    h.latest.set(e.peerId, { ...h.latest.get(e.peerId), state: e.state });
    if (!h.waiting.has(e.peerId) || e.state === "connected") this.emit("connection", e);
  }

  private onStreams(e: TransportEvents["streams"], inForce: boolean) {
    const h = this.handover;
    const streams = { camera: e.camera, screen: e.screen };
    if (!h) {
      if (!inForce) return;
      this.shown.set(e.peerId, streams);
      return this.emit("streams", e);
    }
    if (!inForce) {
      if (!h.waiting.has(e.peerId)) return;
      this.shown.set(e.peerId, streams);
      return this.emit("streams", e);
    }
    h.latest.set(e.peerId, { ...h.latest.get(e.peerId), streams });
    if (h.waiting.has(e.peerId)) {
      if (!hasMedia(streams)) return;
      if (!flowing(streams)) return this.whenFlowing(h, e.peerId, streams);
    }
    this.showNew(e.peerId, streams);
  }

  private showNew(peerId: string, streams: RemoteStreams) {
    this.shown.set(peerId, streams);
    this.emit("streams", { peerId, ...streams });
    this.settled(peerId);
  }

  /** Moves the participant's tile to `streams` at the first unmute of one of its tracks, if they are still the latest word then. */
  private whenFlowing(h: Handover, peerId: string, streams: RemoteStreams) {
    const onUnmute = () => {
      if (this.handover !== h || h.latest.get(peerId)?.streams !== streams || !h.waiting.has(peerId)) return;
      this.showNew(peerId, streams);
    };
    for (const track of tracksOf(streams)) {
      track.addEventListener("unmute", onUnmute, { once: true });
      h.unlisten.push(() => track.removeEventListener("unmute", onUnmute));
    }
  }

  /** A participant no longer waits for the new transport; the old one closes once nobody does. */
  private settled(peerId: string) {
    const h = this.handover;
    if (!h) return;
    h.waiting.delete(peerId);
    if (h.waiting.size === 0) this.finishHandover();
  }

  private finishHandover() {
    const h = this.handover;
    if (!h) return;
    this.handover = null;
    clearTimeout(h.timer);
    for (const off of h.unlisten) off();
    h.offOld();
    h.old.close();
    if (this.closed) return;
    // What the new transport said meanwhile and was held back.
    for (const [peerId, { state, streams }] of h.latest) {
      if (!this.peers.has(peerId)) continue;
      if (state) this.emit("connection", { peerId, state });
      if (streams && this.shown.get(peerId) !== streams) {
        this.shown.set(peerId, streams);
        this.emit("streams", { peerId, ...streams });
      }
    }
    // Participants the new transport never mentioned show no old streams (their tracks ended with the old connections).
    for (const peerId of this.peers.keys()) {
      if (!h.latest.get(peerId)?.streams && hasMedia(this.shown.get(peerId)) && h.waiting.has(peerId)) {
        this.shown.set(peerId, { camera: null, screen: null });
        this.emit("streams", { peerId, camera: null, screen: null });
      }
    }
  }

  private assertOpen() {
    if (this.closed) throw new Error("TransportSwitch used after close");
  }
}
