// What the recorder records, for both kinds: a canvas fed by the frame clock and a WebAudio mix.
// Going through a canvas and a mix (not the tracks themselves) is what lets a recording survive
// a camera flip, a device switch or people coming and going: the recorder's two tracks never
// change. The sources are read again as they change: the layout every frame, the tracks every
// second.

import { AudioMix } from "./audio-mix";
import { drawFrame } from "./composite";
import { COMPOSITE_FPS, COMPOSITE_HEIGHT, COMPOSITE_WIDTH, type CompositeTile, type RecorderSources } from "./contract";
import { type FrameClock, startFrameClock } from "./frame-clock";
import { FrameCopies } from "./frame-copies";

/** The self recording is a camera's picture, not the stage's. */
export const SELF_WIDTH = 640;
export const SELF_HEIGHT = 360;

/**
 * Frames drawn, for the tests (test/browser/recording-pipeline.test.ts checks that a hidden tab
 * keeps the frame rate); nothing in the app reads them.
 */
export interface FrameCounters {
  drawn: number;
  /** Drawn while `document.visibilityState` was "hidden". */
  drawnHidden: number;
}

/** A `requestFrame()` canvas track (lib.dom calls captureStream's tracks plain MediaStreamTracks). */
interface CanvasTrack extends MediaStreamTrack {
  requestFrame(): void;
}

export class Capture {
  readonly stream: MediaStream;
  readonly counters: FrameCounters = { drawn: 0, drawnHidden: 0 };
  private readonly canvas = document.createElement("canvas");
  private readonly g: CanvasRenderingContext2D;
  private readonly mix = new AudioMix();
  /** The tiles' frames as the composite draws them (see frame-copies.ts why copies). */
  private readonly copies = new FrameCopies();
  private readonly videoTrack: CanvasTrack;
  private readonly clock: FrameClock;
  /** The self recording's own camera, in a video element of its own that is never shown. */
  private readonly ownVideo: HTMLVideoElement | null = null;
  private ownVideoTrack: MediaStreamTrack | null = null;
  private ticks = 0;
  private stopped = false;

  constructor(
    private readonly sources: RecorderSources,
    private readonly onSecond: () => void,
  ) {
    const self = sources.kind === "self";
    this.canvas.width = self ? SELF_WIDTH : COMPOSITE_WIDTH;
    this.canvas.height = self ? SELF_HEIGHT : COMPOSITE_HEIGHT;
    let track: CanvasTrack | null = null;
    try {
      // alpha: false lets the browser skip blending (every pixel is painted each frame anyway).
      this.g = this.canvas.getContext("2d", { alpha: false })!;
      if (self) {
        const video = document.createElement("video");
        video.muted = true;
        video.playsInline = true;
        this.ownVideo = video;
      }
      this.syncTracks();
      this.draw();
      // captureStream(0): a frame goes out only on requestFrame(), once per tick of our clock, so
      // the recording's frame rate is the clock's and not the (throttled) page's.
      track = this.canvas.captureStream(0).getVideoTracks()[0] as CanvasTrack;
      this.videoTrack = track;
      this.stream = new MediaStream([track, this.mix.track]);
      this.clock = startFrameClock(COMPOSITE_FPS, () => this.tick());
    } catch (e) {
      // The AudioContext is already open: Chromium allows only a few per page, so one leaked by
      // each failed start would soon stop recording (and calls' audio) altogether.
      track?.stop();
      this.mix.close();
      if (this.ownVideo) this.ownVideo.srcObject = null;
      throw e;
    }
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.clock.stop();
    this.videoTrack.stop();
    this.mix.close();
    if (this.ownVideo) {
      this.ownVideo.pause();
      this.ownVideo.srcObject = null;
    }
  }

  /** One frame: the new video frames copied, then drawn and sent; the clock's next tick waits for it. */
  private async tick(): Promise<void> {
    if (this.stopped) return;
    const tiles = this.tiles();
    await this.copies.update(tiles.flatMap((t) => (t.video ? [t.video] : [])));
    if (this.stopped) return;
    this.draw(tiles);
    this.videoTrack.requestFrame();
    this.counters.drawn++;
    if (document.visibilityState === "hidden") this.counters.drawnHidden++;
    if (++this.ticks % COMPOSITE_FPS === 0) {
      this.syncTracks();
      this.onSecond();
    }
  }

  /** The composite's tiles as the stage has them now; the self recording's one, its camera. */
  private tiles(): readonly CompositeTile[] {
    if (!this.ownVideo) return this.sources.layout();
    const video = this.ownVideoTrack ? this.ownVideo : null;
    return [{ video, name: "", x: 0, y: 0, w: 1, h: 1, self: true, screen: false }];
  }

  private draw(tiles: readonly CompositeTile[] = this.tiles()): void {
    const { width, height } = this.canvas;
    drawFrame(this.g, width, height, tiles, { labels: !this.ownVideo, source: (video) => this.copies.source(video) });
  }

  private syncTracks(): void {
    if (this.sources.kind === "composite") {
      this.mix.sync(this.sources.audioTracks());
      return;
    }
    const own = this.sources.ownTracks();
    this.mix.sync(own.audio ? [own.audio] : []);
    const video = own.video?.readyState === "live" ? own.video : null;
    if (video === this.ownVideoTrack || !this.ownVideo) return;
    this.ownVideoTrack = video;
    this.ownVideo.srcObject = video ? new MediaStream([video]) : null;
    if (video) void this.ownVideo.play().catch(() => undefined);
  }
}
