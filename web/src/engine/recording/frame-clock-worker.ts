// The recording's frame clock. A hidden tab throttles requestAnimationFrame (stopped) and the
// page's timers (once a second, then once a minute under Chromium's intensive throttling); a
// dedicated worker's timers are not throttled, so the composite keeps its frame rate while the
// person looks at another tab (FEATURES §7). It only ticks: drawing needs the page's DOM.

interface ClockScope {
  onmessage: ((event: MessageEvent<{ fps: number } | "stop">) => void) | null;
  postMessage(tick: number): void;
}

const scope = self as unknown as ClockScope;
let timer: ReturnType<typeof setInterval> | null = null;

scope.onmessage = (event) => {
  if (timer !== null) clearInterval(timer);
  timer = null;
  if (event.data === "stop") return;
  const fps = event.data.fps;
  if (!(fps > 0 && fps <= 60)) return;
  let n = 0;
  timer = setInterval(() => scope.postMessage(n++), 1000 / fps);
};
