// Microphone level, 0..1: read on demand (the voice recorder samples it with its own clock), or
// watched once per animation frame while someone is looking at it.

/** What read() multiplies the RMS by: speech (RMS 0.05–0.2) then fills most of a bar. */
export const METER_GAIN = 4;

export interface LevelMeter {
  /** The level now: RMS of the latest samples, scaled so that normal speech fills most of a bar. */
  read(): number;
  close(): void;
}

/**
 * `windowSize`: how many of the latest samples read() averages (a power of two, 32…32768; the
 * analyser's fftSize). 512 is about 11 ms at 48 kHz, for a meter read every animation frame; a
 * reader that samples less often wants a window as long as its interval, or it misses short sounds.
 */
export function openLevelMeter(track: MediaStreamTrack, windowSize = 512): LevelMeter {
  const ctx = new AudioContext();
  const source = ctx.createMediaStreamSource(new MediaStream([track]));
  const analyser = ctx.createAnalyser();
  analyser.fftSize = windowSize;
  source.connect(analyser);
  const samples = new Float32Array(analyser.fftSize);
  return {
    read() {
      analyser.getFloatTimeDomainData(samples);
      let sum = 0;
      for (const s of samples) sum += s * s;
      // RMS of speech sits around 0.05–0.2; scale so that normal speech fills most of the bar.
      return Math.min(1, Math.sqrt(sum / samples.length) * METER_GAIN);
    },
    close() {
      source.disconnect();
      // Rejects only if the context is closed already (Web Audio API, AudioContext.close()): nothing left to release.
      ctx.close().catch(() => {});
    },
  };
}

export function watchLevel(track: MediaStreamTrack, onLevel: (level: number) => void): () => void {
  const meter = openLevelMeter(track);
  let frame = 0;
  const tick = () => {
    onLevel(meter.read());
    frame = requestAnimationFrame(tick);
  };
  frame = requestAnimationFrame(tick);
  return () => {
    cancelAnimationFrame(frame);
    meter.close();
  };
}
