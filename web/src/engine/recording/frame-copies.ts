// The composite draws copies of the tiles' video frames, not the <video> elements themselves.
//
// Why: where the recording's canvas is rasterized in software (no GPU, or one the browser
// will not use), every drawImage(video) converts that frame through Chromium's shared image
// decode cache (cc's SoftwareImageDecodeCache). Each frame is a new image, decoded into
// discardable shared memory, unlocked after the draw and kept until the browser's discardable
// limit: measured on 2 December (headless Chromium 156, two 640×480 cameras drawn at 30 fps), the
// tab's memory grew by ~450 MiB in the first 10–20 s of a recording, all of it in that cache
// (memory-infra: cc/image_memory, discardable), and stayed there. A canvas's own pixels are no
// decoded image and skip that cache: so each new frame is read out with WebCodecs
// (`new VideoFrame(video)`, `copyTo` as RGBA: the conversion happens in the media code, not in
// the canvas), put into a small canvas of its own, and that canvas is what the composite draws.
//
// A frame is copied only when the video shows a new one (its timestamp changed), and a browser
// without VideoFrame, or whose copyTo cannot convert to RGBA, draws the video as before.

export interface FrameSource {
  image: CanvasImageSource;
  width: number;
  height: number;
}

interface Copy {
  canvas: HTMLCanvasElement;
  g: CanvasRenderingContext2D;
  pixels: Uint8ClampedArray<ArrayBuffer>;
  /** The copied frame's timestamp (µs), or null before the first copy. */
  timestamp: number | null;
}

/** `VideoFrame.copyTo`'s options where lib.dom lacks `format` and `colorSpace`. */
type CopyOptions = VideoFrameCopyToOptions & { format: "RGBA"; colorSpace: "srgb" };

/**
 * How long a frame waits for the copies: a copy that takes longer (a busy machine, a readback
 * that never answers) goes on in the background and the frame is drawn with the copies there are,
 * so the composite never freezes behind one.
 */
const COPY_WAIT_MS = 200;

export class FrameCopies {
  private readonly copies = new Map<HTMLVideoElement, Copy>();
  /** Videos whose copy is under way (one at a time each: a copy writes its video's pixels). */
  private readonly copying = new Set<HTMLVideoElement>();
  /** False once a copy failed for want of support: the videos are drawn directly from then on. */
  private supported = typeof VideoFrame === "function";

  /** Copies each video's frame if it is new; videos no longer listed lose their copy. */
  async update(videos: readonly HTMLVideoElement[]): Promise<void> {
    for (const video of this.copies.keys()) if (!videos.includes(video)) this.copies.delete(video);
    if (!this.supported) return;
    const started = videos.filter((video) => !this.copying.has(video)).map((video) => this.copy(video));
    if (started.length === 0) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const waited = new Promise<void>((resolve) => (timer = setTimeout(resolve, COPY_WAIT_MS)));
    await Promise.race([Promise.all(started), waited]);
    clearTimeout(timer);
  }

  /** What to draw for `video` now: its last copy, the video itself without copies, or null (nothing to draw yet). */
  source(video: HTMLVideoElement): FrameSource | null {
    if (!this.supported) {
      // readyState 2 (HAVE_CURRENT_DATA): a frame to draw.
      const ready = video.readyState >= 2 && video.videoWidth > 0 && video.videoHeight > 0;
      return ready ? { image: video, width: video.videoWidth, height: video.videoHeight } : null;
    }
    const copy = this.copies.get(video);
    return copy && copy.timestamp !== null ? { image: copy.canvas, width: copy.canvas.width, height: copy.canvas.height } : null;
  }

  private async copy(video: HTMLVideoElement): Promise<void> {
    this.copying.add(video);
    try {
      await this.copyNow(video);
    } finally {
      this.copying.delete(video);
    }
  }

  private async copyNow(video: HTMLVideoElement): Promise<void> {
    if (video.readyState < 2 || video.videoWidth === 0 || video.videoHeight === 0) return;
    let frame: VideoFrame;
    try {
      frame = new VideoFrame(video);
    } catch {
      // No frame to take right now (the element is between sources): the last copy stays.
      return;
    }
    try {
      const known = this.copies.get(video);
      if (known && known.timestamp === frame.timestamp) return;
      const width = frame.displayWidth;
      const height = frame.displayHeight;
      const copy = known && known.canvas.width === width && known.canvas.height === height ? known : this.blank(width, height);
      const options: CopyOptions = { format: "RGBA", colorSpace: "srgb" };
      let planes: PlaneLayout[];
      try {
        planes = await frame.copyTo(copy.pixels, options);
      } catch (e) {
        // A browser whose copyTo refuses the conversion: draw the videos themselves.
        if (e instanceof TypeError || (e instanceof DOMException && e.name === "NotSupportedError")) this.supported = false;
        return;
      }
      // One that ignores `format` copies the frame's own planes (I420: three): no RGBA to draw.
      if (planes.length !== 1) {
        this.supported = false;
        return;
      }
      copy.g.putImageData(new ImageData(copy.pixels, width, height), 0, 0);
      copy.timestamp = frame.timestamp;
      this.copies.set(video, copy);
    } finally {
      frame.close();
    }
  }

  private blank(width: number, height: number): Copy {
    const canvas = document.createElement("canvas");
    canvas.width = width;
    canvas.height = height;
    const g = canvas.getContext("2d", { alpha: false })!;
    return { canvas, g, pixels: new Uint8ClampedArray(width * height * 4), timestamp: null };
  }
}
