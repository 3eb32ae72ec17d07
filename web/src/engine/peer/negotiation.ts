// Perfect negotiation for one peer connection, and nothing else (W3C webrtc-pc §10.7 example,
// MDN "Perfect negotiation"): either side may offer at any time, and a collision is settled by a
// fixed role: the polite peer rolls back its own offer, the impolite one ignores the incoming
// offer. It never touches the network: signals leave through the injected `send` and come in
// through `receive`. What is sent on the connection (camera, screen, bitrate) is not its
// business; whoever lays out the media may hook into answering an offer (`AnswerHooks`).
//
// State is three flags, as in the W3C sample: makingOffer, ignoreOffer and
// isSettingRemoteAnswerPending (here `settingRemoteAnswer`). No timers.

import type { SignalData } from "../../../../protocol/protocol";
import { listen } from "../listen";
import { log } from "../log";

export type NegotiationSignal = Extract<SignalData, { kind: "description" | "candidate" }>;

export interface NegotiationError {
  code: "ERR_CREATE_OFFER" | "ERR_SET_REMOTE_DESCRIPTION" | "ERR_CREATE_ANSWER" | "ERR_ADD_ICE_CANDIDATE";
  message: string;
}

/** The part of RTCPeerConnection that negotiation uses (unit tests pass a fake one). */
export type NegotiatedConnection = Pick<
  RTCPeerConnection,
  "signalingState" | "localDescription" | "remoteDescription" | "setLocalDescription" | "setRemoteDescription" | "addIceCandidate" | "addEventListener" | "removeEventListener"
>;

export interface AnswerHooks {
  /** A remote offer is applied and our answer is about to be made: media can still go on the offered transceivers. */
  beforeAnswer(offerSdp: string): void;
  /** The answer has been sent. */
  afterAnswer(): void;
}

export interface NegotiationOptions {
  pc: NegotiatedConnection;
  polite: boolean;
  send(signal: NegotiationSignal): void;
  onError(error: NegotiationError): void;
  hooks?: AnswerHooks;
  /** For log lines only. */
  peerId: string;
}

export class Negotiation {
  private makingOffer = false;
  private ignoreOffer = false;
  private settingRemoteAnswer = false;
  /** Incoming signals are applied one at a time, in the order they were sent. */
  private inbox: Promise<void> = Promise.resolve();
  /** Candidates that arrived before the remote description they belong to. */
  private pendingCandidates: RTCIceCandidateInit[] = [];
  private lastRemoteOffer = 0;
  private closed = false;
  private readonly unlisten: () => void;

  constructor(private readonly options: NegotiationOptions) {
    this.unlisten = listen(options.pc, { negotiationneeded: this.onNegotiationNeeded, icecandidate: this.onIceCandidate });
  }

  /** When the remote last sent an offer (ms since the epoch); 0 if never. */
  get lastRemoteOfferAt(): number {
    return this.lastRemoteOffer;
  }

  /** A signal from the remote peer. Resolves once it (and every signal before it) is applied; never rejects. */
  receive(signal: NegotiationSignal): Promise<void> {
    if (this.closed) throw new Error(`Negotiation with ${this.options.peerId} used after close`);
    this.inbox = this.inbox.then(() => this.apply(signal));
    return this.inbox;
  }

  /** Stops listening; signals still queued are dropped. The connection itself belongs to the caller. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.unlisten();
    this.pendingCandidates = [];
  }

  private apply(signal: NegotiationSignal): Promise<void> {
    if (this.closed) return Promise.resolve();
    return signal.kind === "description" ? this.receiveDescription(signal.description) : this.receiveCandidate(signal.candidate);
  }

  private readonly onNegotiationNeeded = async () => {
    try {
      this.makingOffer = true;
      await this.options.pc.setLocalDescription();
      this.sendLocalDescription();
    } catch (e) {
      this.fail("ERR_CREATE_OFFER", e);
    } finally {
      this.makingOffer = false;
    }
  };

  private readonly onIceCandidate = (e: RTCPeerConnectionIceEvent) => {
    if (this.closed) return;
    this.options.send({ kind: "candidate", candidate: e.candidate ? (e.candidate.toJSON() as RTCIceCandidateInit & { candidate: string }) : null });
  };

  private async receiveDescription(description: RTCSessionDescriptionInit): Promise<void> {
    const { pc, polite } = this.options;
    if (description.type === "offer") this.lastRemoteOffer = Date.now();
    // An offer right behind the answer we are still applying is not a collision (the W3C
    // sample's isSettingRemoteAnswerPending).
    const readyForOffer = !this.makingOffer && (pc.signalingState === "stable" || this.settingRemoteAnswer);
    const collision = description.type === "offer" && !readyForOffer;
    this.ignoreOffer = !polite && collision;
    if (this.ignoreOffer) {
      log({ event: "negotiation", peer: this.options.peerId, step: "ignore colliding offer" });
      return;
    }
    // A polite peer's setRemoteDescription rolls its own pending offer back implicitly.
    this.settingRemoteAnswer = description.type === "answer";
    try {
      await pc.setRemoteDescription(description);
    } catch (e) {
      return this.fail("ERR_SET_REMOTE_DESCRIPTION", e);
    } finally {
      this.settingRemoteAnswer = false;
    }
    if (this.closed) return;
    await this.flushCandidates();
    if (description.type !== "offer") return;
    try {
      this.options.hooks?.beforeAnswer(description.sdp ?? "");
      await pc.setLocalDescription();
      if (!this.sendLocalDescription()) return;
      this.options.hooks?.afterAnswer();
    } catch (e) {
      this.fail("ERR_CREATE_ANSWER", e);
    }
  }

  /** Sends what setLocalDescription produced; false if there is nothing to send (or we closed meanwhile). */
  private sendLocalDescription(): boolean {
    const local = this.options.pc.localDescription;
    if (this.closed || !local) return false;
    log({ event: "negotiation", peer: this.options.peerId, step: `send ${local.type}` });
    this.options.send({ kind: "description", description: { type: local.type, sdp: local.sdp } });
    return true;
  }

  private async receiveCandidate(candidate: RTCIceCandidateInit | null): Promise<void> {
    if (!this.options.pc.remoteDescription) {
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
      await this.options.pc.addIceCandidate(candidate ?? undefined);
    } catch (e) {
      // Candidates for an offer we ignored are expected to fail.
      if (!this.ignoreOffer) this.fail("ERR_ADD_ICE_CANDIDATE", e);
    }
  }

  private fail(code: NegotiationError["code"], e: unknown) {
    if (!this.closed) this.options.onError({ code, message: String(e) });
  }
}
