// The room's books on its crowd (protocol/features/crowd.ts), kept by RoomState as members are
// saved, forgotten and the mode switches, so that no handler has to think of the crowd: how many
// are in it now (O(1), not a scan per frame), and, for the step being handled, whose crowd flag
// changed and what it was before. RoomCore reads these after the step (features/crowd.ts) to
// filter what the step sends and to tell members who came into or went out of sight, then
// clears them. In memory only: the flags follow from the stored members and mode, so a room
// rebuilt from storage recounts (RoomState.adopt) and starts with no step open.

export class CrowdLedger {
  /** Members in the crowd now. */
  count = 0;
  /** Members whose flag changed in this step, with the flag they had before it. */
  readonly before = new Map<string, boolean>();
  /** Members forgotten in this step, with the flag they had before it (frames about them are still addressed). */
  readonly gone = new Map<string, boolean>();
  /**
   * The count last sent in an `audience` frame, and when (features/crowd.ts). A room rebuilt from
   * storage takes the count it finds as sent: a change waits at most AUDIENCE_EVERY_MS, less than
   * the runtime lets a room idle before it hibernates (about ten seconds), so only an eviction in
   * that window can lose one, until the next change.
   */
  sent = 0;
  sentAt = Number.NEGATIVE_INFINITY;

  /** A member's flag went from `was` to `now`; null: it was not a member (joined) or is no longer one (gone). */
  changed(id: string, was: boolean | null, now: boolean | null): void {
    if (was === true) this.count--;
    if (now === true) this.count++;
    if (was === null) return;
    if (now === null) {
      this.gone.set(id, this.before.get(id) ?? was);
      this.before.delete(id);
      return;
    }
    if (was === now) return;
    // A second change in the same step brings it back where it was: nothing to tell.
    if (this.before.has(id)) this.before.delete(id);
    else this.before.set(id, was);
  }

  /** The roster was read back from storage (the room woke): the count found is taken as told. */
  restored(): void {
    this.sent = this.count;
    this.closeStep();
  }

  /** Whether anything this step must be checked against: a crowd now, or flags that changed. */
  get active(): boolean {
    return this.count > 0 || this.before.size > 0 || this.gone.size > 0;
  }

  /** The step is over. */
  closeStep(): void {
    this.before.clear();
    this.gone.clear();
  }
}
