// One RTCPeerConnection to one remote peer, negotiated with the "perfect negotiation" pattern
// (W3C webrtc-pc §10.7 example, MDN "Perfect negotiation"): either side may offer at any time,
// and a collision is settled by a fixed role: the polite peer rolls back its own offer, the
// impolite one ignores the incoming offer. The link never touches the network: it emits signals
// through the injected `send`, and takes the remote's through `receive`.
//
// Media layout: camera and mic share two two-way transceivers: the side that starts the call
// creates them (sendrecv) and the other side sends its own camera and mic on them in its answer,
// so one offer/answer carries media both ways. Turning the camera off or switching devices is a
// replaceTrack, never a renegotiation. A screen share adds its own one-way transceivers
// (renegotiated), which are reused for the next share.

import type { SignalData } from "../../../protocol/protocol";
import type { EncodingCap, PeerCaps } from "./bitrate-budget";
import { Emitter } from "./emitter";
import { log } from "./log";

export type PeerState = "connecting" | "connected" | "reconnecting" | "failed" | "closed";

export interface LocalTracks {
  /** A stable stream whose id tells the remote which tracks are the camera and mic. */
  cameraStream: MediaStream;
  audio: MediaStreamTrack | null;
  video: MediaStreamTrack | null;
  screenStream: MediaStream | null;
}

export interface RemoteStreams {
  camera: MediaStream | null;
  screen: MediaStream | null;
}

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
  send: (data: SignalData) => void;
  /** For tests. */
  RTCPeerConnection?: typeof RTCPeerConnection;
}

type Events = {
  state: PeerState;
  streams: RemoteStreams;
  /**
   * The TURN server refused our credentials (401) and gathering ended without a relay
   * candidate. Chromium then leaves a relay-only connection in `new` forever, with no error of
   * its own, so this is the only signal there will be.
   */
  "turn-rejected": void;
  error: { code: "ERR_SET_REMOTE_DESCRIPTION" | "ERR_ADD_ICE_CANDIDATE" | "ERR_CREATE_OFFER"; message: string };
};

export class PeerLink extends Emitter<Events> {
  readonly pc: RTCPeerConnection;
  private makingOffer = false;
  private ignoreOffer = false;
  private settingRemoteAnswer = false;
  /** Incoming signals are applied one at a time, in the order they were sent. */
  private inbox: Promise<void> = Promise.resolve();
  /** Candidates that arrived before the remote description they belong to. */
  private pendingCandidates: RTCIceCandidateInit[] = [];
  private cameraTx: { audio: RTCRtpTransceiver; video: RTCRtpTransceiver } | null = null;
  /** What we send (or will send once our transceivers exist). */
  private local: LocalTracks;
  private readonly screenTx = new Map<string, RTCRtpTransceiver>();
  private readonly remoteStreams = new Map<string, MediaStream>();
  private remoteIds: { camera: string | null; screen: string | null } = { camera: null, screen: null };
  private stateValue: PeerState = "connecting";
  private closed = false;
  private relayCandidates = 0;
  private lastRemoteOffer = 0;
  private turnAuthErrors = 0;

  constructor(private readonly options: PeerLinkOptions, local: LocalTracks) {
    super();
    const PC = options.RTCPeerConnection ?? RTCPeerConnection;
    this.pc = new PC(options.config);
    this.local = local;
    for (const [event, fn] of this.pcListeners()) this.pc.addEventListener(event, fn);
    if (!options.awaitOffer) this.attachMedia();
    this.announceStreams(local);
  }

  /** Every listener on the connection, in one list, so that close() removes exactly what was added. */
  private pcListeners(): Array<[string, EventListener]> {
    return [
      ["negotiationneeded", this.onNegotiationNeeded],
      ["icecandidate", this.onIceCandidate as EventListener],
      ["track", this.onTrack as EventListener],
      ["connectionstatechange", this.onConnectionState],
      ["icecandidateerror", this.onCandidateError],
      ["icegatheringstatechange", this.onGatheringState],
    ];
  }

  private attachMedia() {
    const streams = [this.local.cameraStream];
    this.cameraTx = {
      audio: this.pc.addTransceiver(this.local.audio ?? "audio", { direction: "sendrecv", streams }),
      video: this.pc.addTransceiver(this.local.video ?? "video", { direction: "sendrecv", streams }),
    };
    if (this.local.screenStream) this.setScreen(this.local.screenStream);
  }

  /**
   * Answering the first offer: our camera and mic go on the transceivers that offer created (its
   * first audio and video m-lines are the caller's camera and mic, see attachMedia), so the answer
   * already carries them. Returns false if the offer's m-lines are one-way (a page still running
   * an older version of the app, during a deploy): then our media needs transceivers of its own.
   */
  private adoptOfferedMedia(offer: string): boolean {
    const offered = this.pc.getTransceivers();
    const audio = offered.find((t) => t.receiver.track.kind === "audio");
    const video = offered.find((t) => t.receiver.track.kind === "video");
    if (!audio?.mid || !video?.mid) return false;
    if (offeredDirection(offer, audio.mid) !== "sendrecv" || offeredDirection(offer, video.mid) !== "sendrecv") return false;
    this.cameraTx = { audio, video };
    for (const [tx, track] of [[audio, this.local.audio], [video, this.local.video]] as const) {
      // The transceiver has never sent, so this takes effect at once (no negotiation to wait for).
      void tx.sender.replaceTrack(track);
      tx.sender.setStreams(this.local.cameraStream);
      tx.direction = "sendrecv";
    }
    if (this.local.screenStream) this.setScreen(this.local.screenStream);
    return true;
  }

  get peerId(): string {
    return this.options.peerId;
  }

  get polite(): boolean {
    return this.options.polite;
  }

  /** When the remote last sent an offer (ms since the epoch); 0 if never. */
  get lastRemoteOfferAt(): number {
    return this.lastRemoteOffer;
  }

  get state(): PeerState {
    return this.stateValue;
  }

  /** Camera or mic changed (on/off, other device): swap tracks without renegotiating. */
  async replaceCameraTracks(local: LocalTracks): Promise<void> {
    this.assertOpen();
    this.local = local;
    if (!this.cameraTx) return;
    await Promise.all([this.cameraTx.audio.sender.replaceTrack(local.audio), this.cameraTx.video.sender.replaceTrack(local.video)]);
  }

  /** Starts, changes or stops the screen share: renegotiates when transceivers change direction. */
  setScreen(stream: MediaStream | null): void {
    this.assertOpen();
    this.local = { ...this.local, screenStream: stream };
    if (!this.cameraTx) return;
    const tracks = new Map((stream?.getTracks() ?? []).map((t) => [t.kind, t]));
    for (const kind of ["video", "audio"]) {
      const track = tracks.get(kind) ?? null;
      let tx = this.screenTx.get(kind);
      if (!tx && track && stream) {
        tx = this.pc.addTransceiver(track, { direction: "sendonly", streams: [stream] });
        this.screenTx.set(kind, tx);
        continue;
      }
      if (!tx) continue;
      void tx.sender.replaceTrack(track);
      if (stream) tx.sender.setStreams(stream);
      // "inactive" tells the remote the screen is gone (its track is muted and leaves the stream).
      tx.direction = track ? "sendonly" : "inactive";
    }
  }

  /** Tells the remote which of our streams is which; sent on creation and when a share starts or stops. */
  announceStreams(local: LocalTracks): void {
    this.assertOpen();
    this.options.send({ kind: "streams", camera: local.cameraStream.id, screen: local.screenStream?.id ?? null });
  }

  /** A signal from the remote peer. Resolves once it (and every signal before it) is applied. */
  receive(data: SignalData): Promise<void> {
    this.inbox = this.inbox.then(() => this.apply(data));
    return this.inbox;
  }

  private async apply(data: SignalData): Promise<void> {
    if (this.closed) return;
    switch (data.kind) {
      case "description":
        return this.receiveDescription(data.description);
      case "candidate":
        return this.receiveCandidate(data.candidate);
      case "streams":
        this.remoteIds = { camera: data.camera, screen: data.screen };
        this.emitStreams();
        return;
    }
  }

  /** Caps what we send on this link (RTCRtpSender.setParameters); senders not negotiated yet are skipped. */
  async applyCaps(caps: PeerCaps): Promise<void> {
    if (this.closed || !this.cameraTx) return;
    const jobs: Array<Promise<void>> = [
      setCap(this.cameraTx.video.sender, caps.camera),
      setCap(this.cameraTx.audio.sender, { maxBitrate: caps.audio.maxBitrate }),
    ];
    const screen = this.screenTx.get("video");
    if (screen && caps.screen) jobs.push(setCap(screen.sender, caps.screen));
    await Promise.all(jobs);
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

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const [event, fn] of this.pcListeners()) this.pc.removeEventListener(event, fn);
    this.pc.close();
    this.setState("closed");
    this.removeAllListeners();
  }

  private assertOpen() {
    if (this.closed) throw new Error(`PeerLink ${this.peerId} used after close`);
  }

  private readonly onNegotiationNeeded = async () => {
    try {
      this.makingOffer = true;
      await this.pc.setLocalDescription();
      if (this.closed || !this.pc.localDescription) return;
      log({ event: "negotiation", peer: this.peerId, step: `send ${this.pc.localDescription.type}` });
      this.options.send({ kind: "description", description: { type: this.pc.localDescription.type, sdp: this.pc.localDescription.sdp } });
    } catch (e) {
      this.emit("error", { code: "ERR_CREATE_OFFER", message: String(e) });
    } finally {
      this.makingOffer = false;
    }
  };

  private readonly onIceCandidate = (e: RTCPeerConnectionIceEvent) => {
    if (this.closed) return;
    if (e.candidate?.type === "relay") this.relayCandidates++;
    this.options.send({ kind: "candidate", candidate: e.candidate ? e.candidate.toJSON() as RTCIceCandidateInit & { candidate: string } : null });
  };

  private async receiveDescription(description: RTCSessionDescriptionInit): Promise<void> {
    if (description.type === "offer") this.lastRemoteOffer = Date.now();
    // An offer right behind the answer we are still applying is not a collision (the W3C
    // sample's isSettingRemoteAnswerPending).
    const readyForOffer = !this.makingOffer && (this.pc.signalingState === "stable" || this.settingRemoteAnswer);
    const collision = description.type === "offer" && !readyForOffer;
    this.ignoreOffer = !this.options.polite && collision;
    if (this.ignoreOffer) {
      log({ event: "negotiation", peer: this.peerId, step: "ignore colliding offer" });
      return;
    }
    try {
      // A polite peer's setRemoteDescription rolls its own pending offer back implicitly.
      this.settingRemoteAnswer = description.type === "answer";
      try {
        await this.pc.setRemoteDescription(description);
      } finally {
        this.settingRemoteAnswer = false;
      }
      if (this.closed) return;
      await this.flushCandidates();
      if (description.type === "offer") {
        const adopted = this.cameraTx !== null || this.adoptOfferedMedia(description.sdp ?? "");
        await this.pc.setLocalDescription();
        if (this.closed || !this.pc.localDescription) return;
        this.options.send({ kind: "description", description: { type: this.pc.localDescription.type, sdp: this.pc.localDescription.sdp } });
        // Our media on transceivers of our own, in an offer of ours once this exchange is done.
        if (!adopted) this.attachMedia();
      }
    } catch (e) {
      if (!this.closed) this.emit("error", { code: "ERR_SET_REMOTE_DESCRIPTION", message: String(e) });
    }
  }

  private async receiveCandidate(candidate: RTCIceCandidateInit | null): Promise<void> {
    if (!this.pc.remoteDescription) {
      if (candidate) this.pendingCandidates.push(candidate);
      return;
    }
    await this.addCandidate(candidate);
  }

  private async flushCandidates() {
    const pending = this.pendingCandidates;
    this.pendingCandidates = [];
    for (const c of pending) await this.addCandidate(c);
  }

  private async addCandidate(candidate: RTCIceCandidateInit | null) {
    try {
      await this.pc.addIceCandidate(candidate ?? undefined);
    } catch (e) {
      // Candidates for an offer we ignored are expected to fail.
      if (!this.ignoreOffer && !this.closed) this.emit("error", { code: "ERR_ADD_ICE_CANDIDATE", message: String(e) });
    }
  }

  private readonly onCandidateError = (e: Event) => {
    const code = (e as RTCPeerConnectionIceErrorEvent).errorCode;
    // 401 Unauthorized: wrong or expired credentials (RFC 8656 §7.3); 403 is a refused peer address.
    if (code === 401) this.turnAuthErrors++;
  };

  private readonly onGatheringState = () => {
    if (this.pc.iceGatheringState === "gathering") {
      this.relayCandidates = 0;
      this.turnAuthErrors = 0;
    } else if (this.pc.iceGatheringState === "complete" && this.relayCandidates === 0 && this.turnAuthErrors > 0) {
      log({ event: "negotiation", peer: this.peerId, step: "turn rejected" });
      this.emit("turn-rejected", undefined);
    }
  };

  private readonly onTrack = (e: RTCTrackEvent) => {
    const stream = e.streams[0] ?? new MediaStream([e.track]);
    this.remoteStreams.set(stream.id, stream);
    // A track leaving (screen share stopped) or arriving again changes what should be shown.
    const refresh = () => this.emitStreams();
    stream.addEventListener("removetrack", refresh);
    stream.addEventListener("addtrack", refresh);
    this.emitStreams();
  };

  private emitStreams() {
    if (this.closed) return;
    const { camera, screen } = this.remoteIds;
    const cam = camera ? this.remoteStreams.get(camera) : [...this.remoteStreams.values()].find((s) => s.id !== screen);
    const scr = screen ? this.remoteStreams.get(screen) : undefined;
    this.emit("streams", { camera: cam ?? null, screen: scr && scr.getVideoTracks().length > 0 ? scr : null });
  }

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

/** The direction an SDP gives the m-line with this mid (RFC 8866 §6.7; sendrecv when none is given). */
export function offeredDirection(sdp: string, mid: string): "sendrecv" | "sendonly" | "recvonly" | "inactive" | null {
  for (const section of sdp.split(/\r?\nm=/).slice(1)) {
    const lines = section.split(/\r?\n/);
    if (!lines.includes(`a=mid:${mid}`)) continue;
    for (const d of ["sendonly", "recvonly", "inactive", "sendrecv"] as const) if (lines.includes(`a=${d}`)) return d;
    return "sendrecv";
  }
  return null;
}

/** Sets the first encoding's limits, if the sender has one yet (it gets it with negotiation). */
async function setCap(sender: RTCRtpSender, cap: Partial<EncodingCap>): Promise<void> {
  const params = sender.getParameters();
  const encoding = params.encodings?.[0];
  if (!encoding) return;
  if (
    encoding.maxBitrate === cap.maxBitrate &&
    (cap.scaleResolutionDownBy === undefined || encoding.scaleResolutionDownBy === cap.scaleResolutionDownBy) &&
    (cap.maxFramerate === undefined || encoding.maxFramerate === cap.maxFramerate)
  ) {
    return;
  }
  Object.assign(encoding, cap);
  try {
    await sender.setParameters(params);
  } catch {
    // A sender that is being renegotiated refuses; the next budget update applies it.
  }
}
