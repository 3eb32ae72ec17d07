// The seam between a room session and how media travels. The session says who is in the room,
// relays signals and credentials, and hears back per participant how their connection is and
// which streams they send. The mesh (one peer connection per participant, mesh/mesh.ts)
// implements it today; a transport through an SFU could stand beside it without the session
// changing.

import type { IceServer, Mode, PeerInfo, Seat, LinkSignal, SignalData } from "../../../../protocol/protocol";
import type { LocalTracks } from "../media/local-tracks";
import type { PeerState } from "../peer/peer-link";
import type { RemoteStreams } from "../peer/stream-roles";

export type { PeerState, RemoteStreams };

export interface SelfInfo {
  id: string;
  /** When we joined (the room's clock): the join order settles who offers. */
  joined: number;
}

/**
 * The room's mode and our seat. In a meeting everyone connects to everyone, both ways. On a stage
 * a speaker connects to everyone and a viewer to speakers only, receive-only (it sends nothing).
 */
export interface StageSeat {
  mode: Mode;
  seat: Seat;
}

/** As a speaker on a stage: the viewers that get our camera video and those that get audio (and screen) only. */
export interface StageTiersView {
  video: string[];
  audioOnly: string[];
}

/** A negotiated data channel on a peer connection (a file transfer's, features/files.ts). */
export interface PeerChannel {
  channel: RTCDataChannel;
  /** The connection's SCTP max message size (pc.sctp.maxMessageSize), once SCTP is up; null before. */
  maxMessageSize(): number | null;
}

/** What the session gives a transport. */
export interface TransportDeps {
  /** Sends a signal to one participant through the room; false if the socket is down. */
  sendSignal(to: string, data: SignalData): boolean;
  /** What this device sends, now. */
  localTracks(): LocalTracks;
  /** Connect through the TURN relay only (the person chose to hide their IP address). */
  relayOnly: boolean;
  /**
   * Asks the room for fresh TURN credentials if the current ones are about to expire; true if it
   * did, and a restart should wait for them (they arrive through setIceServers).
   */
  requestFreshCredentials(): boolean;
  /** This device's whole upload budget, bits per second. */
  uploadBudgetBps(): number;
  /** Whether this device is sharing its screen. */
  sharingScreen(): boolean;
  /** This browser's DTLS certificate (safety/certificate-store.ts), for every peer connection: our fingerprint stays the same. */
  certificates?: RTCCertificate[];
}

export type TransportEvents = {
  /** How one participant's connection is, as the person should see it. */
  connection: { peerId: string; state: PeerState };
  streams: { peerId: string } & RemoteStreams;
  /** The TURN server refused our credentials and no relay candidate could be gathered. */
  "turn-rejected": void;
  /** A stage speaker says whether it sends us its camera video (false: its stage is full). */
  tier: { peerId: string; video: boolean };
  /** An offer/answer exchange with a participant completed: the SDP of both descriptions now in force (features/safety.ts). */
  negotiated: { peerId: string; local: string; remote: string };
};

export interface Transport {
  on<K extends keyof TransportEvents>(event: K, fn: (value: TransportEvents[K]) => void): () => void;
  /** Who we are in the room: set on every welcome, before any peer is added. */
  setSelf(self: SelfInfo): void;
  /**
   * The mode or our seat changed (set on every welcome, after setSelf and before any peer): links
   * that are no longer wanted close, wanted ones open, and ours start or stop sending.
   */
  setStage(stage: StageSeat): void;
  /** A participant is in the room (again, maybe with news such as a new seat); connects to it if that is our part. */
  addPeer(peer: PeerInfo): void;
  /** A participant that was away is back: signals sent to it meanwhile were lost. */
  peerReturned(peer: PeerInfo): void;
  removePeer(id: string): void;
  /** A signal from a participant in the roster. */
  signal(from: string, data: LinkSignal): void;
  /** New STUN/TURN servers: used from the next gathering on; restarts waiting for them go ahead. */
  setIceServers(servers: IceServer[]): void;
  /** The network came back: every connection that is not up restarts ICE; with `all` (a different network), every one. */
  restart(all?: boolean): void;
  /** Fresh credentials were refused: restarts waiting for them go ahead with the current ones. */
  restartWaiting(): void;
  /** What this device sends changed (device, on/off, screen share). */
  setLocalTracks(tracks: LocalTracks): void;
  /**
   * Opens the negotiated, ordered data channel with stream `id` on our connection to `peerId`;
   * null if we have no connection to them (or it cannot take the channel). The first one on a
   * connection adds SCTP to it, which renegotiates: it opens once that is done.
   */
  dataChannel(peerId: string, id: number): PeerChannel | null;
  /**
   * Every stats poll (mesh/stats-poll.ts, every 2 s), each connected link's report; returns the
   * remover. Connection quality reads it: one getStats() per link for every reader.
   */
  onStats(fn: (peerId: string, report: RTCStatsReport) => void): () => void;
  /** Benchmarks only: stops (true) or resumes the stats poll, to weigh its CPU against none. */
  pauseStats?(paused: boolean): void;
  /** Each connected peer's audio level now, 0..1 (its audio receiver's synchronization sources); absent if none. */
  audioLevels(): Map<string, number>;
  /** The live peer connections, for diagnostics and tests. */
  readonly peerConnections: RTCPeerConnection[];
  /** Our stage tiers now (both lists empty unless we are a speaker on a stage), for benchmarks and tests. */
  stageTiers(): StageTiersView;
  /** Closes every connection, timer and listener; calls afterwards are refused. */
  close(): void;
}
