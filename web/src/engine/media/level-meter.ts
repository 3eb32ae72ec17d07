// Microphone level, 0..1: read on demand (the voice recorder samples it with its own clock), or
// watched once per animation frame while someone is looking at it.

export interface LevelMeter {
  /** The level now: RMS of the latest samples, scaled so that normal speech fills most of a bar. */
  read(): number;
  close(): void;
}

export function openLevelMeter(track: MediaStreamTrack): LevelMeter {
  const ctx = new AudioContext();
  const source = ctx.createMediaStreamSource(new MediaStream([track]));
  const analyser = ctx.createAnalyser();
  analyser.fftSize = 512;
  source.connect(analyser);
  const samples = new Float32Array(analyser.fftSize);
  return {
    read() {
      analyser.getFloatTimeDomainData(samples);
      let sum = 0;
      for (const s of samples) sum += s * s;
      // RMS of speech sits around 0.05–0.2; scale so that normal speech fills most of the bar.
      return Math.min(1, Math.sqrt(sum / samples.length) * 4);
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
