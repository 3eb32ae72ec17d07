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
import { ACCESS_TABLES, ADD_ACCESS, MEMBER_ACCESS_COLUMNS } from "./access-migrations";
import { ADD_CHAT_BYTES, CHAT_BYTES_COLUMN } from "./chat-migrations";
import { ADD_ACCESS_RECORDING, ADD_RECORDING, MEMBER_RECORDING_COLUMNS } from "./recording-migrations";
import { FILE_RELAY_TABLE } from "./file-relay-migrations";
import { ADD_STAGE, MEMBER_STAGE_COLUMNS, MODE_TABLE } from "./stage-migrations";
import { SFU_SESSIONS_DDL } from "./sfu-sessions-sqlite";
import { ADD_TRANSPORT, MEMBER_SFU_COLUMNS, TRANSPORT_TABLE } from "./transport-migrations";
import { TURN_ISSUED_DDL } from "./turn-issued-sqlite";
import { ADD_VOICE, CHAT_VOICE_COLUMN, MEMBER_VOICE_COLUMN, VOICE_TABLE } from "./voice-migrations";

interface Migration {
  to: number;
  sql: string;
}

const MIGRATIONS: readonly Migration[] = [
  // Members carry a role; every member so far is a plain member.
  { to: 2, sql: "ALTER TABLE members ADD COLUMN role TEXT NOT NULL DEFAULT 'member'" },
  // Addresses whose member was expelled for abuse, refused until `until` (ms since the epoch).
  { to: 3, sql: "CREATE TABLE IF NOT EXISTS cooldowns (addr TEXT PRIMARY KEY, until INTEGER NOT NULL)" },
  // Revocable TURN usernames handed to members, so that a departure after hibernation revokes them.
  { to: 4, sql: TURN_ISSUED_DDL },
  // Chat rows carry their size, so that pages and the room's cap count bytes cheaply.
  { to: 5, sql: ADD_CHAT_BYTES },
  // Resume tokens rotate; the previous one is kept until the member confirms the new one.
  { to: 6, sql: "ALTER TABLE members ADD COLUMN prev_token TEXT" },
  // Hosts, lobby and passcode: members' device and address, the access settings, the lobby's
  // queue, and denials, removals and wrong passcodes (access-migrations.ts).
  { to: 7, sql: ADD_ACCESS },
  // Stages: the room's mode, and members' seats and raised hands (stage-migrations.ts).
  { to: 8, sql: ADD_STAGE },
  // Voice messages: the uploads, chat messages' recordings, members' media tokens (voice-migrations.ts).
  { to: 9, sql: ADD_VOICE },
  // Recording consent: members' recordings, and the room's switch for them (recording-migrations.ts).
  { to: 10, sql: ADD_RECORDING },
  // The SFU: which member created each Realtime session through this room (sfu-sessions-sqlite.ts).
  { to: 11, sql: SFU_SESSIONS_DDL },
  // The transport choice: the room's transport, and members' announced SFU tracks (transport-migrations.ts).
  { to: 12, sql: ADD_TRANSPORT },
  // Files relayed through the bucket on the SFU (file-relay-migrations.ts).
  { to: 13, sql: FILE_RELAY_TABLE },
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
    role TEXT NOT NULL DEFAULT 'member',
    prev_token TEXT,
    ${MEMBER_ACCESS_COLUMNS.join(",\n    ")},
    ${MEMBER_STAGE_COLUMNS.join(",\n    ")},
    ${MEMBER_VOICE_COLUMN},
    ${MEMBER_RECORDING_COLUMNS.join(",\n    ")},
    ${MEMBER_SFU_COLUMNS.join(",\n    ")}
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
    ${CHAT_BYTES_COLUMN},
    ${CHAT_VOICE_COLUMN},
    UNIQUE (author, cid)
  );
  CREATE TABLE IF NOT EXISTS cooldowns (addr TEXT PRIMARY KEY, until INTEGER NOT NULL);
  ${TURN_ISSUED_DDL};
  ${ACCESS_TABLES};
  ${ADD_ACCESS_RECORDING};
  ${MODE_TABLE};
  ${VOICE_TABLE};
  ${SFU_SESSIONS_DDL};
  ${TRANSPORT_TABLE};
  ${FILE_RELAY_TABLE};
  INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ${SCHEMA_VERSION});`;

export interface SchemaState {
  /** The tables were just created: they are empty. */
  fresh: boolean;
}

/**
 * Whether this id names a room: `POST /api/rooms` created its tables. Only reads, so that a
 * socket or request for an id this deployment never minted leaves no storage behind.
 */
export function roomExists(sql: SqlStorage): boolean {
  return sql.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'members'").toArray().length > 0;
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
