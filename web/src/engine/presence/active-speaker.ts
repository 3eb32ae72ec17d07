// The active speaker: the remote person a speaker layout shows large. It is whoever started
// speaking last among those speaking now (in a conversation, the one who takes the floor), held at
// least ACTIVE_HOLD_MS before it moves to someone else, so that an "mm-hm" or two people talking
// over each other do not make the big tile flicker. When everyone falls quiet it stays on the last
// speaker (a layout should not jump back to nobody between sentences); it clears only when that
// person leaves.

/** [G] FEATURES.md §8: long enough for a sentence to land, short enough to follow a dialogue. */
export const ACTIVE_HOLD_MS = 1500;

export class ActiveSpeaker {
  private current: string | null = null;
  /** When `current` became the active speaker. */
  private since = 0;

  get value(): string | null {
    return this.current;
  }

  /**
   * Who speaks now (remote peers only) and when each started, at time `at`; true if the active
   * speaker changed. Called on every level sample, so a switch that waits for the hold happens on
   * the first sample after it.
   */
  update(starts: ReadonlyMap<string, number>, at: number): boolean {
    const next = latest(starts, this.current);
    if (next === null || next === this.current) return false;
    if (this.current !== null && at - this.since < ACTIVE_HOLD_MS) return false;
    this.current = next;
    this.since = at;
    return true;
  }

  /** A peer left: if it was the active speaker, there is none until someone speaks; true if it was. */
  remove(id: string): boolean {
    if (this.current !== id) return false;
    this.current = null;
    return true;
  }
}

/** The speaker who started last; on a tie the current one stays, then the smallest id (both sides agree). */
function latest(starts: ReadonlyMap<string, number>, current: string | null): string | null {
  const before = (a: string, b: string) => a === current || (b !== current && a < b);
  let best: string | null = null;
  let bestAt = -Infinity;
  for (const [id, at] of starts) {
    if (best === null || at > bestAt || (at === bestAt && before(id, best))) {
      best = id;
      bestAt = at;
    }
  }
  return best;
}
