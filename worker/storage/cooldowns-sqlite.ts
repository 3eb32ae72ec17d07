// Addresses whose member the room expelled for abuse (flooding, garbage): refused for a short
// cool-down, so that an expelled client cannot come straight back for more (and new TURN
// credentials). In SQLite, because a room may hibernate within the cool-down. Rows are few (one
// per expulsion) and short-lived: expired ones go whenever a new one is written.

export class SqliteCooldowns {
  constructor(private readonly sql: SqlStorage) {}

  /** Until when this address is refused (ms since the epoch), or null if it is not. */
  until(addr: string, now: number): number | null {
    const row = this.sql.exec<{ until: number }>("SELECT until FROM cooldowns WHERE addr = ?", addr).toArray()[0];
    return row && row.until > now ? row.until : null;
  }

  refuse(addr: string, until: number, now: number): void {
    this.sql.exec("DELETE FROM cooldowns WHERE until <= ?", now);
    this.sql.exec("INSERT OR REPLACE INTO cooldowns (addr, until) VALUES (?, ?)", addr, until);
  }
}
