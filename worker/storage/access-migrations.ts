// Access's steps in the room schema (registered in schema.ts, which numbers them): who runs the
// room and who gets in (features/access.ts in protocol/).

/** Rows kept per kind of access memory (denials, removals, wrong passcodes); the oldest go first. */
export const ACCESS_ROWS_MAX = 1000;

/** Members remember the browser's lobby id and the address they joined from: what a removal bars. */
export const MEMBER_ACCESS_COLUMNS = ["device TEXT", "addr TEXT"] as const;

/**
 * The room's access settings (one row; none in a room made before them: defaults), the lobby's
 * queue, and what the room remembers against devices and addresses. `IF NOT EXISTS`, so that
 * running a step twice is harmless.
 */
export const ACCESS_TABLES = `
  CREATE TABLE IF NOT EXISTS room_access (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    lobby INTEGER NOT NULL DEFAULT 0,
    locked INTEGER NOT NULL DEFAULT 0,
    passcode TEXT,
    host_key TEXT
  );
  CREATE TABLE IF NOT EXISTS knocks (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    mic INTEGER NOT NULL,
    cam INTEGER NOT NULL,
    screen INTEGER NOT NULL,
    device TEXT,
    addr TEXT,
    at INTEGER NOT NULL,
    since INTEGER
  );
  CREATE TABLE IF NOT EXISTS denials (key TEXT PRIMARY KEY, count INTEGER NOT NULL, last INTEGER NOT NULL);
  CREATE TABLE IF NOT EXISTS removed (key TEXT PRIMARY KEY, at INTEGER NOT NULL);
  CREATE TABLE IF NOT EXISTS passcode_failures (addr TEXT NOT NULL, at INTEGER NOT NULL)`;

/** Version 7: the above, and the members' new columns (added at the end, as ALTER TABLE does). */
export const ADD_ACCESS = `
  ALTER TABLE members ADD COLUMN ${MEMBER_ACCESS_COLUMNS[0]};
  ALTER TABLE members ADD COLUMN ${MEMBER_ACCESS_COLUMNS[1]};
  ${ACCESS_TABLES}`;
