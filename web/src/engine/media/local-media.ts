// This device's camera, microphone and screen. Each is acquired on its own, so a busy camera
// does not cost the user their microphone. Errors become codes that the UI maps to plain words.

import { Emitter } from "../emitter";
import { log } from "../log";
import { type Facing, facingOf, flipPlan } from "./camera-flip";
import type { LocalTracks } from "./local-tracks";

export type { Facing, LocalTracks };

export type MediaErrorCode = "permission-denied" | "no-device" | "device-busy" | "insecure-context" | "unknown";

/** DOMException names from getUserMedia (Media Capture and Streams §9.2) to what a person can act on. */
export function mediaErrorCode(e: unknown): MediaErrorCode {
  const name = e instanceof DOMException || e instanceof Error ? e.name : "";
  switch (name) {
    case "NotAllowedError":
    case "SecurityError":
      return "permission-denied";
    case "NotFoundError":
    case "OverconstrainedError":
      return "no-device";
    case "NotReadableError":
    case "AbortError":
      return "device-busy";
    case "TypeError":
      return "insecure-context";
    default:
      return "unknown";
  }
}

export interface DeviceChoice {
  audioIn: string | null;
  videoIn: string | null;
  audioOut: string | null;
}

export interface LocalMediaState {
  mic: boolean;
  cam: boolean;
  screen: boolean;
  micError: MediaErrorCode | null;
  camError: MediaErrorCode | null;
  screenError: MediaErrorCode | null;
  /** The last camera flip failed, and why; cleared by the next flip. */
  flipError: MediaErrorCode | null;
  /** Which way the camera faces, if it says (a phone's does): only a user-facing one is shown mirrored. */
  facing: Facing | null;
  devices: { audioIn: MediaDeviceInfo[]; videoIn: MediaDeviceInfo[]; audioOut: MediaDeviceInfo[] };
  choice: DeviceChoice;
}

type Events = { change: LocalMediaState; tracks: LocalTracks };

/** Small video: a mesh sends one copy per peer, so each copy must be cheap. */
const VIDEO: MediaTrackConstraints = { width: { ideal: 640 }, height: { ideal: 360 }, frameRate: { ideal: 24, max: 30 } };

export class LocalMedia extends Emitter<Events> {
  readonly cameraStream = new MediaStream();
  /** What was last asked for; the state says what is on. */
  private readonly want = { mic: false, cam: false };
  private readonly opening: Partial<Record<"audio" | "video", Promise<MediaStreamTrack | null>>> = {};
  private audio: MediaStreamTrack | null = null;
  private video: MediaStreamTrack | null = null;
  private screenStream: MediaStream | null = null;
  private flipping = false;
  /** `micOn` as the last "tracks" event told it. */
  private toldMicOn = false;
  private destroyed = false;
  private stateValue: LocalMediaState = {
    mic: false,
    cam: false,
    screen: false,
    micError: null,
    camError: null,
    screenError: null,
    flipError: null,
    facing: null,
    devices: { audioIn: [], videoIn: [], audioOut: [] },
    choice: { audioIn: null, videoIn: null, audioOut: null },
  };

  constructor(private readonly devices: MediaDevices | undefined = globalThis.navigator?.mediaDevices) {
    super();
    this.devices?.addEventListener("devicechange", this.refreshDevices);
  }

  get state(): LocalMediaState {
    return this.stateValue;
  }

  get tracks(): LocalTracks {
    return { cameraStream: this.cameraStream, audio: this.audio, micOn: this.want.mic && this.audio !== null, video: this.video, screenStream: this.screenStream };
  }

  /** Acquires what is asked for; failures are recorded per device, never thrown. */
  async start(want: { mic: boolean; cam: boolean }): Promise<void> {
    await Promise.all([this.setMic(want.mic), this.setCam(want.cam)]);
    await this.refreshDevices();
  }

  /**
   * Mute keeps the device open (unmuting must be instant); the first unmute opens it. While it
   * opens, the state already says on (a click then means "off"); asked again meanwhile, it waits
   * for the same opening; turned off meanwhile, the device is closed when it arrives.
   */
  async setMic(on: boolean): Promise<void> {
    this.assertAlive();
    this.want.mic = on;
    if (on && !this.audio) {
      this.update({ mic: true });
      const track = await this.acquireOnce("audio");
      if (this.destroyed) return;
      if (!track) return this.update({ mic: false });
      if (this.audio !== track) {
        if (!this.want.mic) {
          this.stopTrack(track);
        } else {
          this.audio = track;
          this.cameraStream.addTrack(track);
          this.tellTracks();
        }
      }
    }
    if (this.audio) this.audio.enabled = this.want.mic;
    this.update({ mic: this.want.mic && this.audio !== null });
    // Muting changes what a mesh sends (LocalTracks.micOn), not only the track's `enabled`.
    if (this.tracks.micOn !== this.toldMicOn) this.tellTracks();
  }

  private tellTracks(): void {
    const tracks = this.tracks;
    this.toldMicOn = tracks.micOn;
    this.emit("tracks", tracks);
  }

  /** Camera off releases the device, so its light goes out, as people expect. */
  async setCam(on: boolean): Promise<void> {
    this.assertAlive();
    this.want.cam = on;
    if (on && !this.video) {
      this.update({ cam: true });
      const track = await this.acquireOnce("video");
      if (this.destroyed) return;
      if (!track) return this.update({ cam: false });
      if (this.video === track) return; // installed by the call that asked first
      if (!this.want.cam) {
        this.stopTrack(track);
        return;
      }
      this.installVideo(track);
    } else if (!on && this.video) {
      this.stopTrack(this.video);
      this.video = null;
    } else {
      this.update({ cam: on && this.video !== null });
      return;
    }
    this.update({ cam: this.video !== null });
    this.tellTracks();
  }

  /**
   * Switches to the other camera: the other side by facingMode, else the next device. The old
   * track stops *before* the new one is asked for: some phones refuse to open a second camera
   * while one is open (NotReadableError; mdn/content#29945). The new track reaches the peers the
   * way any camera change does (the "tracks" event, then replaceTrack: no renegotiation). If no
   * other camera opens, the old one is asked for again and the failure is kept in `flipError`.
   * Returns whether the camera changed.
   */
  async flipCamera(): Promise<boolean> {
    this.assertAlive();
    const old = this.video;
    if (!old || this.flipping || !this.devices?.getUserMedia) return false;
    const oldId = old.getSettings().deviceId ?? this.stateValue.choice.videoIn;
    const tries = flipPlan({ facing: facingOf(old), deviceId: oldId }, this.stateValue.devices.videoIn.map((d) => d.deviceId), VIDEO);
    if (tries.length === 0) return false;
    this.flipping = true;
    try {
      this.stopTrack(old);
      this.video = null;
      let error: MediaErrorCode | null = null;
      let track: MediaStreamTrack | null = null;
      for (const video of tries) {
        try {
          track = (await this.devices.getUserMedia({ video })).getVideoTracks()[0] ?? null;
          if (track) break;
        } catch (e) {
          error = mediaErrorCode(e);
          log({ event: "media", step: "flip failed", detail: error });
        }
      }
      const flipped = track !== null;
      if (!track) {
        // Nothing else opened: the camera we had, so the person is not left without one.
        try {
          track = (await this.devices.getUserMedia({ video: oldId ? { ...VIDEO, deviceId: { exact: oldId } } : VIDEO })).getVideoTracks()[0] ?? null;
        } catch (e) {
          log({ event: "media", step: "camera back failed", detail: mediaErrorCode(e) });
        }
      }
      if (this.destroyed) {
        track?.stop();
        return false;
      }
      if (track && !this.want.cam) {
        // Turned off while the flip was on its way.
        track.stop();
        track = null;
      }
      if (track) this.installVideo(track);
      const choice = track ? { ...this.stateValue.choice, videoIn: track.getSettings().deviceId ?? this.stateValue.choice.videoIn } : this.stateValue.choice;
      this.update({ cam: track !== null, flipError: flipped ? null : (error ?? "no-device"), choice });
      this.tellTracks();
      return flipped && track !== null;
    } finally {
      this.flipping = false;
    }
  }

  /**
   * After the page was in the background: a phone may end the camera and microphone tracks
   * (iOS Safari does when another app takes them; twilio-video.js#1020). Each one that ended while
   * it was wanted is opened again; a muted microphone's ended track is dropped, to be opened on
   * unmute.
   */
  async restartEnded(): Promise<void> {
    if (this.destroyed) return;
    const jobs: Promise<void>[] = [];
    if (this.audio?.readyState === "ended") {
      this.stopTrack(this.audio);
      this.audio = null;
      if (this.want.mic) jobs.push(this.setMic(true));
      else this.tellTracks();
    }
    if (this.video?.readyState === "ended" && !this.flipping) {
      this.stopTrack(this.video);
      this.video = null;
      if (this.want.cam) jobs.push(this.setCam(true));
      else this.tellTracks();
    }
    await Promise.all(jobs);
  }

  private installVideo(track: MediaStreamTrack) {
    this.video = track;
    this.cameraStream.addTrack(track);
    this.update({ facing: facingOf(track) });
  }

  /** One getUserMedia per device at a time: a second ask while it is open waits for the same track. */
  private acquireOnce(kind: "audio" | "video"): Promise<MediaStreamTrack | null> {
    return (this.opening[kind] ??= this.acquire(kind).finally(() => delete this.opening[kind]));
  }

  async setDevice(kind: keyof DeviceChoice, deviceId: string): Promise<void> {
    this.assertAlive();
    this.update({ choice: { ...this.stateValue.choice, [kind]: deviceId } });
    if (kind === "audioIn" && this.audio) {
      const wasOn = this.stateValue.mic;
      this.stopTrack(this.audio);
      this.audio = null;
      await this.setMic(true);
      if (!wasOn) await this.setMic(false);
    } else if (kind === "videoIn" && this.video) {
      this.stopTrack(this.video);
      this.video = null;
      await this.setCam(true);
    }
  }

  async startScreen(): Promise<void> {
    this.assertAlive();
    if (this.screenStream || !this.devices?.getDisplayMedia) return;
    try {
      const stream = await this.devices.getDisplayMedia({ video: { frameRate: { ideal: 15, max: 30 } }, audio: true });
      const video = stream.getVideoTracks()[0];
      // Text on a screen must stay sharp; the encoder trades frame rate for detail.
      if (video) {
        video.contentHint = "detail";
        // The browser's own "Stop sharing" button ends the track.
        video.addEventListener("ended", () => void this.stopScreen(), { once: true });
      }
      this.screenStream = stream;
      this.update({ screen: true, screenError: null });
      this.tellTracks();
    } catch (e) {
      // Cancelling the picker is a NotAllowedError too; it is not worth an error banner.
      const code = mediaErrorCode(e);
      this.update({ screenError: code === "permission-denied" ? null : code });
    }
  }

  async stopScreen(): Promise<void> {
    if (!this.screenStream) return;
    for (const t of this.screenStream.getTracks()) t.stop();
    this.screenStream = null;
    this.update({ screen: false });
    this.tellTracks();
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.devices?.removeEventListener("devicechange", this.refreshDevices);
    for (const t of [this.audio, this.video, ...(this.screenStream?.getTracks() ?? [])]) if (t) this.stopTrack(t);
    this.audio = this.video = this.screenStream = null;
    this.removeAllListeners();
  }

  private async acquire(kind: "audio" | "video"): Promise<MediaStreamTrack | null> {
    const errorKey = kind === "audio" ? "micError" : "camError";
    if (!this.devices?.getUserMedia) {
      this.update({ [errorKey]: "insecure-context" });
      return null;
    }
    const chosen = kind === "audio" ? this.stateValue.choice.audioIn : this.stateValue.choice.videoIn;
    const base: MediaTrackConstraints = kind === "video" ? VIDEO : { echoCancellation: true, noiseSuppression: true, autoGainControl: true };
    const constraints = chosen ? { ...base, deviceId: { exact: chosen } } : base;
    try {
      const stream = await this.devices.getUserMedia({ [kind]: constraints });
      const track = stream.getTracks()[0]!;
      if (this.destroyed) {
        track.stop();
        return null;
      }
      this.update({ [errorKey]: null });
      log({ event: "media", step: `acquired ${kind}`, detail: track.label });
      return track;
    } catch (e) {
      const code = mediaErrorCode(e);
      log({ event: "media", step: `failed ${kind}`, detail: code });
      this.update({ [errorKey]: code });
      return null;
    }
  }

  private stopTrack(track: MediaStreamTrack) {
    track.stop();
    this.cameraStream.removeTrack(track);
  }

  private readonly refreshDevices = async () => {
    if (!this.devices?.enumerateDevices || this.destroyed) return;
    const all = await this.devices.enumerateDevices();
    // Before permission, labels are empty and ids are blank; such entries cannot be chosen.
    const of = (kind: MediaDeviceKind) => all.filter((d) => d.kind === kind && d.deviceId !== "");
    const choice = { ...this.stateValue.choice };
    if (!choice.audioIn) choice.audioIn = this.audio?.getSettings().deviceId ?? null;
    if (!choice.videoIn) choice.videoIn = this.video?.getSettings().deviceId ?? null;
    this.update({ devices: { audioIn: of("audioinput"), videoIn: of("videoinput"), audioOut: of("audiooutput") }, choice });
  };

  private update(patch: Partial<LocalMediaState>) {
    if (this.destroyed) return;
    this.stateValue = { ...this.stateValue, ...patch };
    this.emit("change", this.stateValue);
  }

  private assertAlive() {
    if (this.destroyed) throw new Error("LocalMedia used after destroy");
  }
}
