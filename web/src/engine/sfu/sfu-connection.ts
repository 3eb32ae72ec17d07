// Our one peer connection to the SFU and the Realtime session behind it: each offer/answer
// exchange the API defines, one at a time (a second offer while one is in flight would break the
// session's SDP state, and Realtime wants calls on one session in order).
//
//   publish    our offer with the new send-only transceivers → tracks/new (local items) → its answer
//   pull       tracks/new (remote items, no SDP) → its offer → our answer → renegotiate
//   closeTracks transceivers stopped → our offer → tracks/close → its answer
//   restartIce an offer with iceRestart → renegotiate → its answer
//
// Everything is on one connection, publishing and pulling alike: one DTLS handshake, one ICE
// path to restart and one getStats, and it is what Realtime is built for (its sessions carry both
// directions). It never touches the room: the transport (sfu-transport.ts) decides what to do.

import type { SessionDescription, TrackItem, TracksResult } from "../../../../protocol/sfu";
import type { SfuTrackRole } from "../../../../protocol/features/transport";
import { listen } from "../listen";
import { log } from "../log";
import { itemResults, type FailedItem } from "./answer-shapes";
import type { SfuProxy } from "./proxy-client";
import { addCamera } from "./simulcast";

/** Realtime's limit on tracks per call (protocol/sfu.ts SFU_MAX_TRACKS_PER_CALL), kept here before a call is spent. */
const PER_CALL = 64;

export interface PublishItem {
  role: SfuTrackRole;
  track: MediaStreamTrack;
  stream: MediaStream;
}

export interface Published {
  role: SfuTrackRole;
  name: string;
  mid: string;
  rids: string[];
  /** With rids: the highest layer's height (SfuTrack.height). */
  height?: number;
  transceiver: RTCRtpTransceiver;
}

export interface PullItem {
  sessionId: string;
  trackName: string;
  preferredRid?: string;
}

export interface Pulled extends PullItem {
  mid: string;
  transceiver: RTCRtpTransceiver;
}

export interface SfuConnectionOptions {
  proxy: Pick<SfuProxy, "newSession" | "tracksNew" | "renegotiate" | "tracksClose">;
  config: RTCConfiguration;
  onState: (state: RTCPeerConnectionState) => void;
  /** For tests. */
  RTCPeerConnection?: typeof RTCPeerConnection;
}

const description = (d: RTCSessionDescription | null): SessionDescription => {
  if (!d || (d.type !== "offer" && d.type !== "answer")) throw new Error("no local description to send");
  return { type: d.type, sdp: d.sdp };
};

export class SfuConnection {
  readonly pc: RTCPeerConnection;
  private session: string | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private names = 0;
  private closed = false;
  private readonly unlisten: () => void;

  constructor(private readonly options: SfuConnectionOptions) {
    const PC = options.RTCPeerConnection ?? RTCPeerConnection;
    this.pc = new PC(options.config);
    this.unlisten = listen(this.pc, { connectionstatechange: () => options.onState(this.pc.connectionState) });
  }

  /** The Realtime session's id, once the first call made it. */
  get sessionId(): string | null {
    return this.session;
  }

  /** Runs `op` after every op queued before it; a failed op does not stop the ones after it. */
  run<T>(op: () => Promise<T>): Promise<T> {
    const next = this.queue.then(() => {
      if (this.closed) throw new Error("SFU connection closed");
      return op();
    });
    this.queue = next.catch(() => {});
    return next;
  }

  /** Adds send-only transceivers for `items` and publishes them under fresh names. */
  async publish(items: PublishItem[]): Promise<{ published: Published[]; failed: FailedItem[] }> {
    const session = await this.ensureSession();
    const adding = items.map((item) => {
      const name = `${item.role}-${++this.names}`;
      if (item.role === "camera") return { item, name, ...addCamera(this.pc, item.track, item.stream) };
      return { item, name, transceiver: this.pc.addTransceiver(item.track, { direction: "sendonly", streams: [item.stream] }), rids: [] as string[] };
    });
    let result: TracksResult;
    try {
      await this.pc.setLocalDescription(await this.pc.createOffer());
      const tracks: TrackItem[] = adding.map((a) => ({ location: "local", mid: a.transceiver.mid ?? "", trackName: a.name }));
      result = await this.options.proxy.tracksNew(session, { sessionDescription: description(this.pc.localDescription), tracks });
      if (!result.sessionDescription) throw new Error("tracks/new answered a publish without an answer");
      await this.pc.setRemoteDescription(result.sessionDescription);
    } catch (e) {
      // Nothing was published: the new transceivers go, and the offer is taken back.
      for (const a of adding) this.stopQuietly(a.transceiver);
      await this.rollback();
      throw e;
    }
    const { ok, failed } = itemResults(result);
    const published: Published[] = [];
    for (const a of adding) {
      const done = ok.find((t) => t.mid === a.transceiver.mid);
      if (done) published.push({ role: a.item.role, name: a.name, mid: done.mid, rids: a.rids, ...("height" in a && a.height ? { height: a.height } : {}), transceiver: a.transceiver });
      // A failed one sends nothing: its transceiver stops at the next offer.
      else this.stopQuietly(a.transceiver);
    }
    return { published, failed };
  }

  /** Pulls other sessions' tracks, at most 64 per call, answering the SFU's offer after each. */
  async pull(items: PullItem[]): Promise<{ pulled: Pulled[]; failed: FailedItem[] }> {
    const session = await this.ensureSession();
    const pulled: Pulled[] = [];
    const failed: FailedItem[] = [];
    for (let i = 0; i < items.length; i += PER_CALL) {
      const chunk = items.slice(i, i + PER_CALL);
      const result = await this.options.proxy.tracksNew(session, {
        tracks: chunk.map((p) => ({
          location: "remote",
          sessionId: p.sessionId,
          trackName: p.trackName,
          ...(p.preferredRid ? { simulcast: { preferredRid: p.preferredRid, priorityOrdering: "asciibetical", ridNotAvailable: "asciibetical" } } : {}),
        })),
      });
      const split = itemResults(result);
      failed.push(...split.failed);
      if (result.requiresImmediateRenegotiation && result.sessionDescription) await this.answer(session, result.sessionDescription);
      for (const t of split.ok) {
        const item = chunk.find((p) => p.sessionId === t.sessionId && p.trackName === t.trackName);
        const transceiver = this.pc.getTransceivers().find((x) => x.mid === t.mid);
        if (item && transceiver) pulled.push({ ...item, mid: t.mid, transceiver });
      }
    }
    return { pulled, failed };
  }

  /** Stops these transceivers (ours or pulled) and tells the SFU, with the offer that says so. */
  async closeTracks(mids: string[]): Promise<void> {
    if (mids.length === 0 || this.session === null) return;
    for (const t of this.pc.getTransceivers()) if (t.mid !== null && mids.includes(t.mid)) this.stopQuietly(t);
    await this.pc.setLocalDescription(await this.pc.createOffer());
    const offer = description(this.pc.localDescription);
    try {
      for (let i = 0; i < mids.length; i += PER_CALL) {
        const result = await this.options.proxy.tracksClose(this.session, { tracks: mids.slice(i, i + PER_CALL).map((mid) => ({ mid })), sessionDescription: offer });
        // One offer holds every stop: its answer comes with the first call; later chunks only close.
        if (result.sessionDescription && this.pc.signalingState === "have-local-offer") await this.pc.setRemoteDescription(result.sessionDescription);
      }
    } catch (e) {
      await this.rollback();
      throw e;
    }
    // The SFU gave no answer (it may close without renegotiating): back to the last agreed state.
    await this.rollback();
  }

  /** New ICE credentials and candidates on the same connection and session: an offer with iceRestart, answered by the SFU. */
  async restartIce(): Promise<void> {
    if (this.session === null) return;
    this.pc.restartIce();
    try {
      await this.pc.setLocalDescription(await this.pc.createOffer({ iceRestart: true }));
      const result = await this.options.proxy.renegotiate(this.session, description(this.pc.localDescription));
      if (!result.sessionDescription) throw new Error("renegotiate answered an ICE restart without an answer");
      await this.pc.setRemoteDescription(result.sessionDescription);
    } catch (e) {
      await this.rollback();
      throw e;
    }
  }

  setConfiguration(config: RTCConfiguration): void {
    if (!this.closed) this.pc.setConfiguration({ ...this.pc.getConfiguration(), ...config });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.unlisten();
    this.pc.close();
  }

  private async ensureSession(): Promise<string> {
    if (this.session === null) {
      this.session = (await this.options.proxy.newSession()).sessionId;
      log({ event: "negotiation", peer: "sfu", step: "session", detail: this.session });
    }
    return this.session;
  }

  /** The SFU's offer (after a pull): our answer goes back through renegotiate. */
  private async answer(session: string, offer: SessionDescription): Promise<void> {
    await this.pc.setRemoteDescription(offer);
    await this.pc.setLocalDescription(await this.pc.createAnswer());
    await this.options.proxy.renegotiate(session, description(this.pc.localDescription));
  }

  /** An offer of ours left unanswered (a call failed) is taken back, so that the next exchange starts from stable. */
  private async rollback(): Promise<void> {
    if (this.closed || this.pc.signalingState !== "have-local-offer") return;
    try {
      await this.pc.setLocalDescription({ type: "rollback" });
    } catch (e) {
      log({ event: "negotiation", peer: "sfu", step: "rollback failed", detail: String(e) });
    }
  }

  private stopQuietly(t: RTCRtpTransceiver) {
    try {
      t.stop();
    } catch {
      // Already stopped, or the connection closed: nothing left to stop.
    }
  }
}
