// The room's tables, created in one statement batch the first time a room runs. A room that had
// to create them is new: it has no members, no chat and no alarm, and its stores skip the reads
// that would only confirm it (a join into a new room is the common case, and each SQL call
// costs the room's single thread).

export function ensureRoomSchema(sql: SqlStorage): { fresh: boolean } {
  const existing = sql.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'members'").toArray();
  if (existing.length > 0) return { fresh: false };
  sql.exec(`
    CREATE TABLE members (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL,
      mic INTEGER NOT NULL,
      cam INTEGER NOT NULL,
      screen INTEGER NOT NULL,
      joined INTEGER NOT NULL,
      token TEXT NOT NULL,
      away_since INTEGER
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
    );`);
  return { fresh: true };
}
