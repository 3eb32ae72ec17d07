// Which transceivers carry what on one peer connection.
//
// Camera and mic share two two-way transceivers: the side that starts the call creates them
// (sendrecv) and the other side sends its own camera and mic on them in its answer, so one
// offer/answer carries media both ways. Turning the camera off or switching devices is a
// replaceTrack, never a renegotiation. A screen share adds its own one-way transceivers
// (renegotiated), which are reused for the next share.

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

export type LaidOutConnection = Pick<RTCPeerConnection, "addTransceiver" | "getTransceivers">;

export class MediaLayout implements AnswerHooks {
  private camera: { audio: RTCRtpTransceiver; video: RTCRtpTransceiver } | null = null;
  private readonly screenTx = new Map<string, RTCRtpTransceiver>();
  /** The answer being made cannot carry our media: it gets transceivers of its own once the answer is out. */
  private ownTransceiversAfterAnswer = false;

  constructor(
    private readonly pc: LaidOutConnection,
    /** What we send (or will send once our transceivers exist). */
    private local: LocalTracks,
    private readonly peerId: string,
  ) {}

  /** Our senders, once our media has transceivers. */
  get senders(): MediaSenders | null {
    if (!this.camera) return null;
    return { camera: this.camera.video.sender, audio: this.camera.audio.sender, screen: this.screenTx.get("video")?.sender ?? null };
  }

  /** Creates the camera and mic transceivers (and the screen's, if sharing): the offer that follows carries them. */
  attach(): void {
    const streams = [this.local.cameraStream];
    this.camera = {
      audio: this.pc.addTransceiver(this.local.audio ?? "audio", { direction: "sendrecv", streams }),
      video: this.pc.addTransceiver(this.local.video ?? "video", { direction: "sendrecv", streams }),
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
    await Promise.all([this.camera.audio.sender.replaceTrack(local.audio), this.camera.video.sender.replaceTrack(local.video)]);
  }

  /** Starts, changes or stops the screen share: renegotiates when transceivers change direction. */
  setScreen(stream: MediaStream | null): void {
    this.local = { ...this.local, screenStream: stream };
    if (!this.camera) return;
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
      this.replaceTrack(tx, track);
      if (stream) tx.sender.setStreams(stream);
      // "inactive" tells the remote the screen is gone (its track is muted and leaves the stream).
      tx.direction = track ? "sendonly" : "inactive";
    }
  }

  /**
   * Answering the first offer: our camera and mic go on the transceivers that offer created (its
   * first audio and video m-lines are the caller's camera and mic, see attach), so the answer
   * already carries them. Returns false if the offer's m-lines are one-way (a page still running
   * an older version of the app, during a deploy): then our media needs transceivers of its own.
   */
  private adoptOfferedMedia(offer: string): boolean {
    const offered = this.pc.getTransceivers();
    const audio = offered.find((t) => t.receiver.track.kind === "audio");
    const video = offered.find((t) => t.receiver.track.kind === "video");
    if (!audio?.mid || !video?.mid) return false;
    if (offeredDirection(offer, audio.mid) !== "sendrecv" || offeredDirection(offer, video.mid) !== "sendrecv") return false;
    this.camera = { audio, video };
    for (const [tx, track] of [[audio, this.local.audio], [video, this.local.video]] as const) {
      // The transceiver has never sent, so this takes effect at once (no negotiation to wait for).
      this.replaceTrack(tx, track);
      tx.sender.setStreams(this.local.cameraStream);
      tx.direction = "sendrecv";
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
