// The page's end of frame-clock-worker.ts: calls `onTick` up to `fps` times a second, in a
// hidden tab too, and never queues ticks behind a busy page.

export interface FrameClock {
  stop(): void;
}

/** `onTick` may return a promise: the next tick then waits until it settles. */
export function startFrameClock(fps: number, onTick: () => void | Promise<void>): FrameClock {
  // Written out in full so Vite sees the pattern and emits the worker as its own chunk.
  const worker = new Worker(new URL("./frame-clock-worker.ts", import.meta.url), { type: "module" });
  let fallback: ReturnType<typeof setInterval> | null = null;
  const ack = () => worker.postMessage("ack");
  worker.onmessage = () => {
    // Asks for the next tick only once this one is drawn (frame-pacer.ts), even if drawing threw.
    let drawing: void | Promise<void> = undefined;
    try {
      drawing = onTick();
    } finally {
      if (!drawing) ack();
    }
    drawing?.then(ack, ack);
  };
  worker.onerror = (event) => {
    // The worker did not load (a CSP or a missing chunk): a page timer still records a visible
    // tab; a hidden one gets about a frame a second.
    event.preventDefault();
    fallback ??= setInterval(() => void onTick(), 1000 / fps);
  };
  worker.postMessage({ fps });
  return {
    stop() {
      if (fallback !== null) clearInterval(fallback);
      worker.terminate();
    },
  };
}
