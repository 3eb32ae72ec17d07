// Progress as both sides show it: bytes confirmed (acked on the sender, verified and written on
// the receiver), the speed over the last few seconds, and the time left at that speed. Speed is
// measured over a sliding window rather than since the start, so it follows a link that slows
// down (TURN, a congested Wi-Fi); a resumed transfer starts a new window at the resume point.

export interface Progress {
  bytesDone: number;
  bytesTotal: number;
  bytesPerSecond: number;
  /** null until there is a speed to divide by. */
  secondsLeft: number | null;
}

export const SPEED_WINDOW_MS = 3000;

export class ProgressMeter {
  private samples: Array<{ at: number; bytes: number }>;

  constructor(
    private readonly total: number,
    startBytes: number,
    private readonly now: () => number,
    private readonly windowMs = SPEED_WINDOW_MS,
  ) {
    this.samples = [{ at: now(), bytes: startBytes }];
  }

  update(bytesDone: number): Progress {
    const at = this.now();
    this.samples.push({ at, bytes: bytesDone });
    // Keep one sample at or before the window's start, so the window is always covered.
    while (this.samples.length > 2 && this.samples[1]!.at <= at - this.windowMs) this.samples.shift();
    const first = this.samples[0]!;
    const elapsed = (at - first.at) / 1000;
    const bytesPerSecond = elapsed > 0 ? Math.max(0, bytesDone - first.bytes) / elapsed : 0;
    const left = this.total - bytesDone;
    return {
      bytesDone,
      bytesTotal: this.total,
      bytesPerSecond,
      secondsLeft: left <= 0 ? 0 : bytesPerSecond > 0 ? left / bytesPerSecond : null,
    };
  }
}
