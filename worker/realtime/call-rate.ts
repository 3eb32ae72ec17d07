// Realtime answers at most 50 calls per second on one session (documentation, "Limits"). The
// Worker counts its own calls per session and refuses the 51st within a second itself, with a
// clear error, instead of spending a call to be refused by the API. A sliding window: the times
// of the last 50 calls; a call is allowed when the oldest of them is a second old.
//
// Pure (time is passed in). Memory: at most `perSecond` numbers per session, and sessions idle
// for a second are forgotten on the way (`sweep`), so it is bounded by the sessions in use.

export class CallRate {
  private readonly calls = new Map<string, number[]>();

  constructor(private readonly perSecond: number) {}

  /** Takes one call for `session` at `now`; false (and nothing taken) past the limit. */
  take(session: string, now: number): boolean {
    let times = this.calls.get(session);
    if (!times) this.calls.set(session, (times = []));
    while (times.length > 0 && now - times[0]! >= 1000) times.shift();
    if (times.length >= this.perSecond) return false;
    times.push(now);
    if (this.calls.size > 64) this.sweep(now);
    return true;
  }

  /** How long until `session` may call again (0 if it may now). */
  waitMs(session: string, now: number): number {
    const times = this.calls.get(session);
    if (!times || times.length < this.perSecond) return 0;
    return Math.max(0, times[0]! + 1000 - now);
  }

  /** Sessions tracked (for tests of the bound). */
  get size(): number {
    return this.calls.size;
  }

  private sweep(now: number): void {
    for (const [session, times] of this.calls) if (times.length === 0 || now - times.at(-1)! >= 1000) this.calls.delete(session);
  }
}
