// Fakes for RoomSession's unit tests: a signaling client the test feeds by hand, a transport that
// records what the session asks of it, and local media whose mic a test (or a host) can turn off.

import type { ClientMessage, IceServer, PeerInfo, ServerMessage, SignalData } from "../../protocol/protocol";
import { Emitter } from "../../web/src/engine/emitter";
import type { LocalMediaState, LocalTracks } from "../../web/src/engine/media/local-media";
import { RoomSession, type SessionOptions } from "../../web/src/engine/session/room-session";
import type { StageSeat, Transport, TransportDeps, TransportEvents } from "../../web/src/engine/session/transport";
import type { JoinProvider } from "../../web/src/engine/signaling/signaling-client";

export class FakeSignaling extends Emitter<{ message: ServerMessage; status: "joined"; refused: { code: number; reason: string }; lost: { code: number; reason: string } }> {
  readonly sent: ClientMessage[] = [];
  provider: JoinProvider | null = null;
  /** False while the socket is down: frames are refused (not sent), as SignalingClient.send does. */
  connected = true;
  send(msg: ClientMessage) {
    if (!this.connected) return false;
    this.sent.push(msg);
    return true;
  }
  rejoins = 0;
  join(provider: JoinProvider) {
    this.provider = provider;
  }
  rejoin() {
    this.rejoins++;
  }
  destroy() {}
  deliver(msg: ServerMessage) {
    this.emit("message", msg);
  }
  /** The room closed the socket for good. */
  refuse(code: number) {
    this.emit("refused", { code, reason: "" });
  }
  /** The socket closed with `code` and will come back. */
  lose(code: number) {
    this.emit("lost", { code, reason: "" });
  }
}

/** Records what the session asks of its transport. */
export class FakeTransport extends Emitter<TransportEvents> implements Transport {
  readonly calls: string[] = [];
  deps: TransportDeps | null = null;
  readonly peerConnections: RTCPeerConnection[] = [];
  setSelf(self: { id: string }) {
    this.calls.push(`setSelf ${self.id}`);
  }
  setStage(stage: StageSeat) {
    this.calls.push(`setStage ${stage.mode} ${stage.seat}`);
  }
  addPeer(peer: PeerInfo) {
    this.calls.push(`addPeer ${peer.id}`);
    this.added.push(peer);
  }
  /** Every peer handed to addPeer, as it was handed. */
  readonly added: PeerInfo[] = [];
  stageTiers() {
    return { video: [], audioOnly: [] };
  }
  /** Data channels asked for, as `peer:id`; a test may hand one out through `channels`. */
  readonly channelsAsked: string[] = [];
  channels = new Map<string, RTCDataChannel>();
  dataChannel(peerId: string, id: number) {
    this.channelsAsked.push(`${peerId}:${id}`);
    const channel = this.channels.get(`${peerId}:${id}`);
    return channel ? { channel, maxMessageSize: () => 262_144 } : null;
  }
  peerReturned(peer: PeerInfo) {
    this.calls.push(`peerReturned ${peer.id}`);
  }
  removePeer(id: string) {
    this.calls.push(`removePeer ${id}`);
  }
  signal(from: string, data: SignalData) {
    this.calls.push(`signal ${from} ${data.kind}`);
  }
  setIceServers(servers: IceServer[]) {
    this.calls.push(`setIceServers ${servers.length}`);
  }
  restart() {
    this.calls.push("restart");
  }
  restartWaiting() {
    this.calls.push("restartWaiting");
  }
  setLocalTracks() {
    this.calls.push("setLocalTracks");
  }
  /** Who reads the stats; a test hands them a report through `report`. */
  readonly statsReaders = new Set<(peerId: string, report: RTCStatsReport) => void>();
  onStats(fn: (peerId: string, report: RTCStatsReport) => void) {
    this.statsReaders.add(fn);
    return () => this.statsReaders.delete(fn);
  }
  report(peerId: string, report: RTCStatsReport) {
    for (const fn of this.statsReaders) fn(peerId, report);
  }
  /** Each connected peer's audio level, as a test sets it. */
  levels = new Map<string, number>();
  audioLevels() {
    return new Map(this.levels);
  }
  close() {
    this.calls.push("close");
  }
  fire<K extends keyof TransportEvents>(event: K, value: TransportEvents[K]) {
    this.emit(event, value);
  }
}

export class FakeMedia extends Emitter<{ change: LocalMediaState; tracks: LocalTracks }> {
  state = { mic: true, cam: false, screen: false } as LocalMediaState;
  tracks = {} as LocalTracks;
  /** What the session asked of it, in order (setMic, setCam, stopScreen, start). */
  readonly calls: string[] = [];
  async setMic(on: boolean) {
    this.calls.push(`setMic ${on}`);
    this.set({ mic: on });
  }
  async setCam(on: boolean) {
    this.calls.push(`setCam ${on}`);
    this.set({ cam: on });
  }
  async stopScreen() {
    this.calls.push("stopScreen");
    this.set({ screen: false });
  }
  async start(want: { mic: boolean; cam: boolean }) {
    this.calls.push(`start mic=${want.mic} cam=${want.cam}`);
    this.set(want);
  }
  private set(patch: Partial<LocalMediaState>) {
    this.state = { ...this.state, ...patch };
    this.emit("change", this.state);
  }
}

export function setup(options: Partial<SessionOptions> = {}) {
  const signaling = new FakeSignaling();
  const transport = new FakeTransport();
  const media = new FakeMedia();
  const session = new RoomSession({
    signaling,
    name: "Al",
    media,
    transport: (deps) => {
      transport.deps = deps;
      return transport;
    },
    ...options,
  });
  return { signaling, transport, media, session };
}

const media = { mic: true, cam: true, screen: false };
export const peer = (id: string, name: string, joined: number, role: PeerInfo["role"] = "member", seat: PeerInfo["seat"] = "speaker"): PeerInfo => ({
  id,
  name,
  media,
  joined,
  away: false,
  role,
  seat,
  recording: null, sfu: null,
});

export const ice = { iceServers: [{ urls: ["stun:example.org"] }], expiresAt: null, relay: "none" as const };

export function welcome(you: PeerInfo, peers: PeerInfo[], extra: Partial<Extract<ServerMessage, { type: "welcome" }>> = {}): Extract<ServerMessage, { type: "welcome" }> {
  return {
    type: "welcome",
    v: 1,
    you,
    peers,
    chat: [],
    lastSeq: 0,
    settings: { capacity: 8, maxFrameBytes: 65536, nameMaxChars: 64, chatMaxChars: 4000, heartbeatMs: 5000, uploadBudgetKbps: 2500, stageViewers: 25, meshMax: 6, meshViewers: 25, sfuMeetingMax: 50 },
    ice,
    resumeToken: "t".repeat(32),
    resumed: false,
    access: { lobby: false, locked: false, passcode: false, recording: true },
    knocks: [],
    stage: { mode: "meeting", hands: [], liveSince: null },
    mediaToken: "m".repeat(22),
    reactions: [],
    transport: { kind: "mesh", sfu: false },
    files: { open: [], ended: [] },
    audience: 0,
    ...extra,
  };
}
