// The frame clock's back-pressure (frame-clock-worker.ts): at most one tick waits for the page.
// The worker's timer keeps its rate whatever the page does, so a page busy for a second (a long
// task, a hidden tab's slow main thread) would otherwise find 30 ticks queued and draw them all
// at once, then fall behind again. Here a tick goes out only once the page has acked the one
// before; ticks that fall due meanwhile are coalesced into one, sent as soon as the ack comes.
// Pure of the worker, so test/unit/recording-frame-pacer.test.ts drives it directly.

export class FramePacer {
  private waiting = false;
  private owed = false;
  private n = 0;

  constructor(private readonly send: (tick: number) => void) {}

  /** The timer fired. */
  due(): void {
    if (this.waiting) {
      this.owed = true;
      return;
    }
    this.post();
  }

  /** The page drew the last tick. */
  ack(): void {
    this.waiting = false;
    if (!this.owed) return;
    this.owed = false;
    this.post();
  }

  private post(): void {
    this.waiting = true;
    this.send(this.n++);
  }
}
