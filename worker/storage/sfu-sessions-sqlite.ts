// The SFU sessions members created through this room (realtime/session-store.ts), in the room's
// SQLite. Rows are few: at most SFU_SESSIONS_PER_MEMBER per member, and a departed member's go
// at the next session anyone creates.

import type { SfuSessionStore } from "../realtime/session-store";

/** The table, for the schema's migrations (schema.ts). `IF NOT EXISTS`, so running it twice is harmless. */
export const SFU_SESSIONS_DDL =
  "CREATE TABLE IF NOT EXISTS sfu_sessions (session_id TEXT PRIMARY KEY, member TEXT NOT NULL, created INTEGER NOT NULL)";

export class SqliteSfuSessions implements SfuSessionStore {
  constructor(private readonly sql: SqlStorage) {}

  owner(sessionId: string): string | null {
    const rows = this.sql.exec<{ member: string }>("SELECT member FROM sfu_sessions WHERE session_id = ?", sessionId).toArray();
    return rows[0]?.member ?? null;
  }

  bind(sessionId: string, member: string, created: number): void {
    this.sql.exec("INSERT OR REPLACE INTO sfu_sessions (session_id, member, created) VALUES (?, ?, ?)", sessionId, member, created);
  }

  ofMember(member: string): string[] {
    return this.sql.exec<{ session_id: string }>("SELECT session_id FROM sfu_sessions WHERE member = ? ORDER BY created, rowid", member).toArray().map((r) => r.session_id);
  }

  forget(sessionIds: readonly string[]): void {
    for (const id of sessionIds) this.sql.exec("DELETE FROM sfu_sessions WHERE session_id = ?", id);
  }

  sweep(stays: (member: string) => boolean): void {
    const members = this.sql.exec<{ member: string }>("SELECT DISTINCT member FROM sfu_sessions").toArray().map((r) => r.member);
    for (const m of members) if (!stays(m)) this.sql.exec("DELETE FROM sfu_sessions WHERE member = ?", m);
  }
}
