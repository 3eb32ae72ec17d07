// Which transceivers carry what on one peer connection.
//
// Camera and mic share two two-way transceivers: the side that starts the call creates them
// (sendrecv) and the other side sends its own camera and mic on them in its answer, so one
// offer/answer carries media both ways. Turning the camera off or switching devices is a
// replaceTrack, never a renegotiation. A screen share adds its own one-way transceivers
// (renegotiated), which are reused for the next share.
//
// On a stage, a viewer publishes nothing (`sending.publish` false): its camera and mic
// transceivers are receive-only and carry no track, it never adds a screen's, and its stats show
// no outbound-rtp. A speaker past its upload budget keeps sending a viewer its audio (and screen)
// but not its camera video (`sending.video` false): the sender's track is null, no renegotiation.

import type { LocalTracks } from "../media/local-tracks";
import { log } from "../log";
import type { AnswerHooks } from "./negotiation";
import { offeredDirection } from "./offered-direction";

/** Our senders, for whoever caps what they send. */
export interface MediaSenders {
  camera: RTCRtpSender;
  audio: RTCRtpSender;
  screen: RTCRtpSender | null;
}

/** What we send on one link. */
export interface Sending {
  /** Anything at all: false for a viewer on a stage (receive-only). */
  publish: boolean;
  /** Our camera video: false for a stage viewer our uplink has no room for (its tier). */
  video: boolean;
}

export const SEND_ALL: Sending = { publish: true, video: true };

export type LaidOutConnection = Pick<RTCPeerConnection, "addTransceiver" | "getTransceivers">;

export class MediaLayout implements AnswerHooks {
  private camera: { audio: RTCRtpTransceiver; video: RTCRtpTransceiver } | null = null;
  private readonly screenTx = new Map<string, RTCRtpTransceiver>();
  /** The answer being made cannot carry our media: it gets transceivers of its own once the answer is out. */
  private ownTransceiversAfterAnswer = false;
  private sendingValue: Sending;

  constructor(
    private readonly pc: LaidOutConnection,
    /** What we send (or will send once our transceivers exist). */
    private local: LocalTracks,
    private readonly peerId: string,
    sending: Sending = SEND_ALL,
  ) {
    this.sendingValue = { ...sending };
  }

  /** Our senders, once our media has transceivers. */
  get senders(): MediaSenders | null {
    if (!this.camera) return null;
    return { camera: this.camera.video.sender, audio: this.camera.audio.sender, screen: this.screenTx.get("video")?.sender ?? null };
  }

  get sending(): Sending {
    return this.sendingValue;
  }

  /** Creates the camera and mic transceivers (and the screen's, if sharing): the offer that follows carries them. */
  attach(): void {
    const streams = [this.local.cameraStream];
    const direction = this.cameraDirection();
    this.camera = {
      audio: this.pc.addTransceiver(this.outgoing("audio") ?? "audio", { direction, streams }),
      video: this.pc.addTransceiver(this.outgoing("video") ?? "video", { direction, streams }),
    };
    if (this.local.screenStream) this.setScreen(this.local.screenStream);
  }

  beforeAnswer(offerSdp: string): void {
    this.ownTransceiversAfterAnswer = this.camera === null && !this.adoptOfferedMedia(offerSdp);
  }

  afterAnswer(): void {
    // Our media on transceivers of our own, in an offer of ours once this exchange is done.
    if (!this.ownTransceiversAfterAnswer) return;
    this.ownTransceiversAfterAnswer = false;
    this.attach();
  }

  /** Camera or mic changed (on/off, other device): swap tracks without renegotiating. */
  async replaceCameraTracks(local: LocalTracks): Promise<void> {
    this.local = local;
    if (!this.camera) return;
    await Promise.all([this.camera.audio.sender.replaceTrack(this.outgoing("audio")), this.camera.video.sender.replaceTrack(this.outgoing("video"))]);
  }

  /**
   * Publishing on or off (a stage seat changed) flips the camera and mic transceivers between
   * two-way and receive-only, which renegotiates (perfect negotiation takes it from there). The
   * camera video alone on or off (a tier) only swaps the track.
   */
  setSending(sending: Sending): void {
    const was = this.sendingValue;
    if (was.publish === sending.publish && was.video === sending.video) return;
    this.sendingValue = { ...sending };
    if (!this.camera) return;
    if (was.publish !== sending.publish) {
      for (const tx of [this.camera.audio, this.camera.video]) {
        if (sending.publish) tx.sender.setStreams(this.local.cameraStream);
        tx.direction = this.cameraDirection();
      }
      this.replaceTrack(this.camera.audio, this.outgoing("audio"));
      this.setScreen(this.local.screenStream);
    }
    this.replaceTrack(this.camera.video, this.outgoing("video"));
  }

  /** Starts, changes or stops the screen share: renegotiates when transceivers change direction. */
  setScreen(stream: MediaStream | null): void {
    this.local = { ...this.local, screenStream: stream };
    if (!this.camera) return;
    // A viewer never shares: its screen transceivers, if it had any as a speaker, go inactive.
    const sent = this.sendingValue.publish ? stream : null;
    const tracks = new Map((sent?.getTracks() ?? []).map((t) => [t.kind, t]));
    for (const kind of ["video", "audio"]) {
      const track = tracks.get(kind) ?? null;
      let tx = this.screenTx.get(kind);
      if (!tx && track && sent) {
        tx = this.pc.addTransceiver(track, { direction: "sendonly", streams: [sent] });
        this.screenTx.set(kind, tx);
        continue;
      }
      if (!tx) continue;
      this.replaceTrack(tx, track);
      if (sent) tx.sender.setStreams(sent);
      // "inactive" tells the remote the screen is gone (its track is muted and leaves the stream).
      tx.direction = track ? "sendonly" : "inactive";
    }
  }

  /** What a camera-stream sender of this kind carries now. */
  private outgoing(kind: "audio" | "video"): MediaStreamTrack | null {
    if (!this.sendingValue.publish) return null;
    // A muted mic sends nothing (LocalTracks.micOn); unmuting puts the open track back, at once.
    if (kind === "audio") return this.local.micOn ? this.local.audio : null;
    return this.sendingValue.video ? this.local.video : null;
  }

  private cameraDirection(): RTCRtpTransceiverDirection {
    return this.sendingValue.publish ? "sendrecv" : "recvonly";
  }

  /**
   * Answering the first offer: our camera and mic go on the transceivers that offer created (its
   * first audio and video m-lines are the caller's camera and mic, see attach), so the answer
   * already carries them. Returns false if the offer's m-lines are one-way outwards (a page still
   * running an older version of the app, during a deploy): then our media needs transceivers of
   * its own.
   *
   * A stage viewer offers its m-lines receive-only. A speaker answering it still sets sendrecv:
   * the answer's direction is the offer's intersected with ours (JSEP §5.3.1), so the answer
   * says sendonly and carries the speaker's media at once, with no second round trip; and should
   * the viewer be moved onto the stage, its sendrecv offer is answered sendrecv as it stands.
   */
  private adoptOfferedMedia(offer: string): boolean {
    const offered = this.pc.getTransceivers();
    const audio = offered.find((t) => t.receiver.track.kind === "audio");
    const video = offered.find((t) => t.receiver.track.kind === "video");
    if (!audio?.mid || !video?.mid) return false;
    const adoptable = (mid: string) => ["sendrecv", "recvonly"].includes(offeredDirection(offer, mid) ?? "");
    if (!adoptable(audio.mid) || !adoptable(video.mid)) return false;
    this.camera = { audio, video };
    for (const [tx, track] of [[audio, this.outgoing("audio")], [video, this.outgoing("video")]] as const) {
      // The transceiver has never sent, so this takes effect at once (no negotiation to wait for).
      this.replaceTrack(tx, track);
      tx.sender.setStreams(this.local.cameraStream);
      tx.direction = this.cameraDirection();
    }
    if (this.local.screenStream) this.setScreen(this.local.screenStream);
    return true;
  }

  private replaceTrack(tx: RTCRtpTransceiver, track: MediaStreamTrack | null) {
    tx.sender.replaceTrack(track).catch((e: unknown) => {
      // It rejects if the connection closed meanwhile, or if the track cannot go on this sender
      // without renegotiating (InvalidModificationError, webrtc-pc §5.2 replaceTrack). Either
      // way the sender keeps what it had and there is nothing to undo; the next change retries.
      log({ event: "negotiation", peer: this.peerId, step: "replace-track failed", detail: String(e) });
    });
  }
}
