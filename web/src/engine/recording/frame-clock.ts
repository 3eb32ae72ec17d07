// The page's end of frame-clock-worker.ts: calls `onTick` COMPOSITE_FPS times a second, in a
// hidden tab too.

export interface FrameClock {
  stop(): void;
}

export function startFrameClock(fps: number, onTick: () => void): FrameClock {
  // Written out in full so Vite sees the pattern and emits the worker as its own chunk.
  const worker = new Worker(new URL("./frame-clock-worker.ts", import.meta.url), { type: "module" });
  let fallback: ReturnType<typeof setInterval> | null = null;
  worker.onmessage = () => onTick();
  worker.onerror = (event) => {
    // The worker did not load (a CSP or a missing chunk): a page timer still records a visible
    // tab; a hidden one gets about a frame a second.
    event.preventDefault();
    fallback ??= setInterval(onTick, 1000 / fps);
  };
  worker.postMessage({ fps });
  return {
    stop() {
      if (fallback !== null) clearInterval(fallback);
      worker.terminate();
    },
  };
}
