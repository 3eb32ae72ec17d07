// The recording's frame clock. A hidden tab throttles requestAnimationFrame (stopped) and the
// page's timers (once a second, then once a minute under Chromium's intensive throttling); a
// dedicated worker's timers are not throttled, so the composite keeps its frame rate while the
// person looks at another tab (FEATURES §7). It only ticks: drawing needs the page's DOM. The page
// acks each tick; frame-pacer.ts keeps a slow page from building a queue of them.

import { FramePacer } from "./frame-pacer";

interface ClockScope {
  onmessage: ((event: MessageEvent<{ fps: number } | "ack" | "stop">) => void) | null;
  postMessage(tick: number): void;
}

const scope = self as unknown as ClockScope;
let timer: ReturnType<typeof setInterval> | null = null;
let pacer: FramePacer | null = null;

scope.onmessage = (event) => {
  if (event.data === "ack") {
    pacer?.ack();
    return;
  }
  if (timer !== null) clearInterval(timer);
  timer = null;
  pacer = null;
  if (event.data === "stop") return;
  const fps = event.data.fps;
  if (!(fps > 0 && fps <= 60)) return;
  const running = new FramePacer((tick) => scope.postMessage(tick));
  pacer = running;
  timer = setInterval(() => running.due(), 1000 / fps);
};
