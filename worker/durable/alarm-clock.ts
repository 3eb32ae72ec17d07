// The room's one alarm (grace periods, chat retention, dead-socket checks), set to the earliest
// deadline. What is set is remembered, so that most changes cost no storage call; it is unknown
// (undefined) in a woken room until read once, and known to be unset in a brand-new room.

export class AlarmClock {
  private at: number | null | undefined;
  private reading = false;

  constructor(
    private readonly storage: DurableObjectStorage,
    knownUnset: boolean,
    /** When the alarm should next fire, or null for never. */
    private readonly due: () => number | null,
  ) {
    this.at = knownUnset ? null : undefined;
  }

  /** The alarm has fired: none is set now. */
  fired(): void {
    this.at = null;
  }

  /**
   * Moves the alarm earlier if a deadline came closer, or deletes it when nothing is due. A later
   * deadline leaves it where it is: the alarm then finds nothing to do and sets the next one.
   * Storage writes are not awaited: the output gate holds outgoing frames until they are durable.
   */
  schedule(): void {
    if (this.at === undefined) {
      if (!this.reading) void this.load();
      return;
    }
    const next = this.due();
    if (next === null) {
      if (this.at !== null) this.storage.deleteAlarm().catch(this.forget);
      this.at = null;
    } else if (this.at === null || this.at > next) {
      this.at = next;
      this.storage.setAlarm(next).catch(this.forget);
    }
  }

  /** Never rejects: a failed read leaves the alarm unknown, and the next schedule reads again. */
  private async load(): Promise<void> {
    this.reading = true;
    try {
      const current = await this.storage.getAlarm();
      this.at ??= current;
      this.schedule();
    } catch {
      // The runtime restarts an object whose storage fails; until then there is nothing better to do.
    } finally {
      this.reading = false;
    }
  }

  /**
   * A failed alarm write. The runtime restarts the object and drops the frames the output gate
   * held (https://blog.cloudflare.com/durable-objects-easy-fast-correct-choose-three/); until
   * then, forget what was set, so that the next schedule reads it again.
   */
  private readonly forget = (): void => {
    this.at = undefined;
  };
}
