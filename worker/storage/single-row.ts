// A room-wide setting kept in one SQLite row (id = 1): read at most once per object, then kept in
// step with every write, since the room core asks for it on every join, leave and seat change.
// The stores of the room's mode and transport each say how their row reads and writes.

import type { SchemaState } from "./schema";

export class SingleRow<T extends object> {
  /** undefined until read (a woken room). */
  private value: T | undefined;

  /**
   * `read` loads the row, falling back to the default when there is none (a room made before the
   * setting) or it holds what this code does not know; `fresh`: the tables were just created, so
   * there is nothing to read yet.
   */
  constructor(
    private readonly read: () => T,
    private readonly write: (value: T) => void,
    initial: T,
    { fresh }: SchemaState,
  ) {
    if (fresh) this.value = { ...initial };
  }

  get(): T {
    this.value ??= this.read();
    return { ...this.value };
  }

  set(value: T): void {
    this.value = { ...value };
    this.write(value);
  }
}
