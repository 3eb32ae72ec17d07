// Recording's step in the room schema (registered in schema.ts, which numbers them): each
// member's recording and the room's switch for it (features/recording.ts in protocol/).

/**
 * Members keep what they record and since when (the room's clock), so that a recording survives
 * eviction and a resume: both null when not recording. Nobody stored before was recording.
 */
export const MEMBER_RECORDING_COLUMNS = ["recording_kind TEXT", "recording_since INTEGER"] as const;

/**
 * Whether members may record: allowed in every room made before the switch, as in a new one. A
 * column of `room_access`, whose table (access-migrations.ts) shipped without it: a new room
 * creates that table and then adds this, as an old one does, so that both end up alike.
 */
export const ACCESS_RECORDING_COLUMN = "recording INTEGER NOT NULL DEFAULT 1";

/** `room_access` gets the switch (added at the end, as ALTER TABLE does). */
export const ADD_ACCESS_RECORDING = `ALTER TABLE room_access ADD COLUMN ${ACCESS_RECORDING_COLUMN}`;

/** Version 10: the above, and the members' new columns. */
export const ADD_RECORDING = `
  ALTER TABLE members ADD COLUMN ${MEMBER_RECORDING_COLUMNS[0]};
  ALTER TABLE members ADD COLUMN ${MEMBER_RECORDING_COLUMNS[1]};
  ${ADD_ACCESS_RECORDING}`;
