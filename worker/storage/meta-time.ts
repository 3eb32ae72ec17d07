// A time kept in the room's `meta` table (when the room became empty, since when no host has
// been present), read from storage at most once per object and then kept in step with every
// write: the room asks for these on every join and leave.

export class MetaTime {
  /** undefined until read (a woken room); null when none is stored. */
  private value: number | null | undefined;

  /** `fresh`: the tables were just created, so nothing is stored yet and no read is needed. */
  constructor(private readonly sql: SqlStorage, private readonly key: string, fresh: boolean) {
    this.value = fresh ? null : undefined;
  }

  get(): number | null {
    if (this.value === undefined) {
      const rows = this.sql.exec<{ value: number }>("SELECT value FROM meta WHERE key = ?", this.key).toArray();
      this.value = rows.length ? rows[0]!.value : null;
    }
    return this.value;
  }

  /** Returns whether it changed (and was written). */
  set(at: number | null): boolean {
    if (this.get() === at) return false;
    this.value = at;
    if (at === null) this.sql.exec("DELETE FROM meta WHERE key = ?", this.key);
    else this.sql.exec("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", this.key, at);
    return true;
  }
}
