// The transport's step in the room schema (registered in schema.ts, which numbers them): the
// room's transport and when it last switched, and each member's announced SFU tracks
// (features/transport.ts in protocol/).

/**
 * Members keep their publication (the SFU session and its tracks as JSON), so that it survives
 * eviction and stays while they are away: both null when they publish nothing.
 */
export const MEMBER_SFU_COLUMNS = ["sfu_session TEXT", "sfu_tracks TEXT"] as const;

/**
 * The room's transport: one row, none in a room made before the SFU (the mesh, never switched).
 * `switched` is when it last switched (ms since the epoch): the switch ration survives eviction.
 */
export const TRANSPORT_TABLE = `
  CREATE TABLE IF NOT EXISTS room_transport (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    kind TEXT NOT NULL DEFAULT 'mesh',
    switched INTEGER
  )`;

/** Version 12: the above, and the members' new columns (added at the end, as ALTER TABLE does). */
export const ADD_TRANSPORT = `
  ALTER TABLE members ADD COLUMN ${MEMBER_SFU_COLUMNS[0]};
  ALTER TABLE members ADD COLUMN ${MEMBER_SFU_COLUMNS[1]};
  ${TRANSPORT_TABLE}`;
