// Stage's steps in the room schema (registered in schema.ts, which numbers them): the room's mode
// and each member's seat and raised hand (features/stage.ts in protocol/).

/**
 * Members keep their seat and their raised hand, so that both survive eviction and a resume.
 * Every member so far sat in a meeting, where everyone is a speaker; nobody had a hand up.
 */
export const MEMBER_STAGE_COLUMNS = ["seat TEXT NOT NULL DEFAULT 'speaker'", "hand INTEGER"] as const;

/**
 * The room's mode: one row, none in a room made before stages (a meeting). `live_since` is when
 * it last became a stage (ms since the epoch), null in a meeting. `IF NOT EXISTS`, so that running
 * the step twice is harmless.
 */
export const MODE_TABLE = `
  CREATE TABLE IF NOT EXISTS room_mode (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    mode TEXT NOT NULL DEFAULT 'meeting',
    live_since INTEGER
  )`;

/** Version 8: the above, and the members' new columns (added at the end, as ALTER TABLE does). */
export const ADD_STAGE = `
  ALTER TABLE members ADD COLUMN ${MEMBER_STAGE_COLUMNS[0]};
  ALTER TABLE members ADD COLUMN ${MEMBER_STAGE_COLUMNS[1]};
  ${MODE_TABLE}`;
