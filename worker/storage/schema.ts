// The room's tables, versioned. The version lives in the `meta` table (key 'schema_version'),
// because the Durable Object SQL API refuses `PRAGMA user_version` (SQLITE_AUTH). Rooms made
// before versions were recorded have no such row: they are version 1.
//
// A new room creates the current tables in one statement batch. A room that had to is new: it
// has no members, no chat and no alarm, and its stores skip the reads that would only confirm it
// (a join into a new room is the common case, and each SQL call costs the room's single thread).
// A room made by older code gets the migrations it has not had when it next wakes.

/**
 * One step from version `to - 1` to `to`. Never edit one that has shipped: add another. Keep them
 * additive (new tables, new columns with defaults), so that code rolled back to an older version
 * still works on the newer tables.
 */
interface Migration {
  to: number;
  sql: string;
}

const MIGRATIONS: readonly Migration[] = [
  // Members carry a role; every member so far is a plain member.
  { to: 2, sql: "ALTER TABLE members ADD COLUMN role TEXT NOT NULL DEFAULT 'member'" },
];

export const SCHEMA_VERSION = MIGRATIONS.at(-1)?.to ?? 1;

/**
 * The current schema: what version 1 plus every migration adds up to (a workerd test holds the
 * two equal). `IF NOT EXISTS` as in version 1, for rooms from before the members table.
 */
const CURRENT = `
  CREATE TABLE members (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    mic INTEGER NOT NULL,
    cam INTEGER NOT NULL,
    screen INTEGER NOT NULL,
    joined INTEGER NOT NULL,
    token TEXT NOT NULL,
    away_since INTEGER,
    role TEXT NOT NULL DEFAULT 'member'
  );
  CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER);
  -- AUTOINCREMENT, so that a sequence number is never handed out twice, even after old rows
  -- are deleted: clients resume "after seq N" and must never miss a reused number.
  CREATE TABLE IF NOT EXISTS chat (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    author TEXT NOT NULL,
    name TEXT NOT NULL,
    text TEXT NOT NULL,
    ts INTEGER NOT NULL,
    cid TEXT NOT NULL,
    UNIQUE (author, cid)
  );
  INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ${SCHEMA_VERSION});`;

export interface SchemaState {
  /** The tables were just created: they are empty. */
  fresh: boolean;
}

/**
 * Creates or upgrades the tables. `transaction` runs its function atomically (the Durable
 * Object's transactionSync), so that a room never wakes with half a migration applied.
 */
export function migrateRoomSchema(sql: SqlStorage, transaction: (run: () => void) => void): SchemaState {
  const existing = sql.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'members'").toArray();
  if (existing.length === 0) {
    sql.exec(CURRENT);
    return { fresh: true };
  }
  const rows = sql.exec<{ value: number }>("SELECT value FROM meta WHERE key = 'schema_version'").toArray();
  const version = rows[0]?.value ?? 1;
  const pending = MIGRATIONS.filter((m) => m.to > version);
  if (pending.length > 0) {
    transaction(() => {
      for (const m of pending) sql.exec(m.sql);
      sql.exec("INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?)", SCHEMA_VERSION);
    });
  }
  return { fresh: false };
}
