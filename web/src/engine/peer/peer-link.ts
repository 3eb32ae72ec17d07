// One RTCPeerConnection to one remote peer, composed of small units that each own one idea:
//
//   negotiation.ts   perfect negotiation: offers, answers, glare, early candidates, inbox order
//   media-layout.ts  which transceivers carry our camera, mic and screen
//   stream-roles.ts  which remote stream is the camera and which the screen
//   turn-refusal.ts  the TURN server refusing our credentials
//
// The link itself adds the connection state the rest of the app sees. It never touches the
// network: it emits signals through the injected `send`, and takes the remote's through `receive`.

import type { LinkSignal, SignalData } from "../../../../protocol/protocol";
import { Emitter } from "../emitter";
import { listen } from "../listen";
import { log } from "../log";
import type { LocalTracks } from "../media/local-tracks";
import { MediaLayout, type MediaSenders, SEND_ALL, type Sending } from "./media-layout";
import { Negotiation, type NegotiationError } from "./negotiation";
import { RemoteLevel } from "./remote-level";
import { StreamRoles, type RemoteStreams } from "./stream-roles";
import { TurnRefusal } from "./turn-refusal";

export type PeerState = "connecting" | "connected" | "reconnecting" | "failed" | "closed";

export interface PeerLinkOptions {
  peerId: string;
  polite: boolean;
  /**
   * Wait for the remote's first offer and send our media on its transceivers, in the answer.
   * The side that did not start the call never offers first: a glare on every join costs a
   * round trip, and Chromium gathers no ICE candidates for an answer made right after rolling
   * back its own first offer.
   */
  awaitOffer?: boolean;
  config: RTCConfiguration;
  /** What we send on this link from the start; everything unless a stage says otherwise. */
  sending?: Sending;
  send: (data: SignalData) => void;
  /** For tests. */
  RTCPeerConnection?: typeof RTCPeerConnection;
}

type Events = {
  state: PeerState;
  streams: RemoteStreams;
  /** The TURN server refused our credentials and gathering ended without a relay candidate. */
  "turn-rejected": void;
  error: NegotiationError;
  /** A stage speaker says whether it sends us its camera video (false: its uplink has no room). */
  tier: boolean;
  /** An offer/answer exchange completed: the descriptions now in force (the safety code reads their fingerprints). */
  negotiated: { local: string; remote: string };
};

export class PeerLink extends Emitter<Events> {
  readonly pc: RTCPeerConnection;
  private readonly negotiation: Negotiation;
  private readonly layout: MediaLayout;
  private readonly roles: StreamRoles;
  private readonly turn: TurnRefusal;
  private readonly unlisten: () => void;
  private readonly remoteLevel = new RemoteLevel();
  private stateValue: PeerState = "connecting";
  private closed = false;

  constructor(private readonly options: PeerLinkOptions, local: LocalTracks) {
    super();
    const PC = options.RTCPeerConnection ?? RTCPeerConnection;
    this.pc = new PC(options.config);
    this.layout = new MediaLayout(this.pc, local, options.peerId, options.sending ?? SEND_ALL);
    this.negotiation = new Negotiation({
      pc: this.pc,
      polite: options.polite,
      peerId: options.peerId,
      send: options.send,
      onError: (e) => this.emit("error", e),
      hooks: this.layout,
    });
    this.roles = new StreamRoles(this.pc, (streams) => this.emit("streams", streams));
    this.turn = new TurnRefusal(this.pc, () => {
      log({ event: "negotiation", peer: this.peerId, step: "turn rejected" });
      this.emit("turn-rejected", undefined);
    });
    this.unlisten = listen(this.pc, { connectionstatechange: this.onConnectionState, signalingstatechange: this.onSignalingState });
    if (!options.awaitOffer) this.layout.attach();
    this.announceStreams(local);
  }

  get peerId(): string {
    return this.options.peerId;
  }

  get polite(): boolean {
    return this.options.polite;
  }

  /** When the remote last sent an offer (ms since the epoch); 0 if never. */
  get lastRemoteOfferAt(): number {
    return this.negotiation.lastRemoteOfferAt;
  }

  get state(): PeerState {
    return this.stateValue;
  }

  /** Our senders once negotiated media has them; null before that and after close. */
  get senders(): MediaSenders | null {
    return this.closed ? null : this.layout.senders;
  }

  /** What we send on this link. */
  get sending(): Sending {
    return this.layout.sending;
  }

  getStats(): Promise<RTCStatsReport> {
    this.assertOpen();
    return this.pc.getStats();
  }

  /**
   * The remote's mic level now, 0..1 (remote-level.ts); null without an audio receiver. Its mic
   * comes on the first audio transceiver: the camera stream's, which both sides send on (one
   * offer's m-line, media-layout.ts); a shared screen's audio comes on a later one.
   */
  audioLevel(now = performance.now()): number | null {
    this.assertOpen();
    const mic = this.pc.getTransceivers().find((t) => t.receiver.track.kind === "audio");
    return mic ? this.remoteLevel.read(mic.receiver.getSynchronizationSources(), now) : null;
  }

  /** Camera or mic changed (on/off, other device): swap tracks without renegotiating. */
  replaceCameraTracks(local: LocalTracks): Promise<void> {
    this.assertOpen();
    return this.layout.replaceCameraTracks(local);
  }

  /** Starts, changes or stops the screen share: renegotiates when transceivers change direction. */
  setScreen(stream: MediaStream | null): void {
    this.assertOpen();
    this.layout.setScreen(stream);
  }

  /** Publishing on or off (our stage seat), or our camera video on or off (the remote's tier). */
  setSending(sending: Sending): void {
    this.assertOpen();
    this.layout.setSending(sending);
  }

  /**
   * A negotiated data channel with stream `id` (a file transfer's); null if the connection
   * refuses it (the id is in use, or SCTP has no such stream).
   */
  openDataChannel(id: number): RTCDataChannel | null {
    this.assertOpen();
    try {
      return this.pc.createDataChannel("file", { negotiated: true, id, ordered: true });
    } catch (e) {
      log({ event: "negotiation", peer: this.peerId, step: "data channel refused", detail: String(e) });
      return null;
    }
  }

  /** Tells a stage viewer whether it gets our camera video. */
  sendTier(video: boolean): void {
    this.assertOpen();
    this.options.send({ kind: "tier", video });
  }

  /** Tells the remote which of our streams is which; sent on creation and when a share starts or stops. */
  announceStreams(local: LocalTracks): void {
    this.assertOpen();
    this.options.send({ kind: "streams", camera: local.cameraStream.id, screen: local.screenStream?.id ?? null });
  }

  /**
   * A signal from the remote peer. Descriptions and candidates are applied in order (see
   * Negotiation); stream names at once, since roles are worked out again when tracks arrive;
   * a tier at once too (it concerns a track, not the negotiation).
   */
  receive(data: LinkSignal): Promise<void> {
    this.assertOpen();
    if (data.kind === "streams") this.roles.name(data);
    else if (data.kind === "tier") this.emit("tier", data.video);
    else return this.negotiation.receive(data);
    return Promise.resolve();
  }

  /** New ICE servers (fresh TURN credentials); used from the next gathering on. */
  setIceServers(config: RTCConfiguration): void {
    if (this.closed) return;
    this.pc.setConfiguration({ ...this.pc.getConfiguration(), ...config });
  }

  /** Restarts ICE in place (new candidates, same connection and tracks). */
  restartIce(): void {
    if (this.closed) return;
    log({ event: "negotiation", peer: this.peerId, step: "restart-ice" });
    this.pc.restartIce();
  }

  /** Closes the connection; every listener any of its units added is removed. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.negotiation.close();
    this.roles.close();
    this.turn.close();
    this.unlisten();
    this.pc.close();
    this.setState("closed");
    this.removeAllListeners();
  }

  private assertOpen() {
    if (this.closed) throw new Error(`PeerLink ${this.peerId} used after close`);
  }

  private readonly onSignalingState = () => {
    const { signalingState, currentLocalDescription: local, currentRemoteDescription: remote } = this.pc;
    if (signalingState === "stable" && local && remote) this.emit("negotiated", { local: local.sdp, remote: remote.sdp });
  };

  private readonly onConnectionState = () => {
    const s = this.pc.connectionState;
    log({ event: "peer-state", peer: this.peerId, state: s });
    if (s === "connected") this.setState("connected");
    else if (s === "disconnected") this.setState("reconnecting");
    // Chromium reports `failed` on connectionState but never on iceConnectionState; the owner
    // decides when to restart ICE (it may need fresh credentials first).
    else if (s === "failed") this.setState("failed");
    else if (s === "new" || s === "connecting") {
      if (this.stateValue !== "failed" && this.stateValue !== "reconnecting") this.setState("connecting");
    }
  };

  private setState(s: PeerState) {
    if (s === this.stateValue) return;
    this.stateValue = s;
    this.emit("state", s);
  }
}
