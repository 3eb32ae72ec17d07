// Relayed files' step in the room schema (registered in schema.ts, which numbers them): the
// transfers the room relays through its bucket (features/file-relay.ts in protocol/), and the
// ends it keeps for a member's next resume (its welcome lists those it may have missed).

/** The open transfers. `IF NOT EXISTS`, so that running the step twice is harmless. */
const RELAYS = `
  CREATE TABLE IF NOT EXISTS file_relays (
    transfer TEXT PRIMARY KEY,
    sender TEXT NOT NULL,
    recipient TEXT NOT NULL,
    name TEXT NOT NULL,
    size INTEGER NOT NULL,
    mime TEXT NOT NULL,
    file_id TEXT NOT NULL,
    state TEXT NOT NULL,
    key TEXT UNIQUE,
    cap TEXT,
    expires INTEGER NOT NULL
  )`;

/** Ended transfers, one row per member told; a member keeps its newest FILE_RELAY_ENDS_KEPT. */
const ENDS = `
  CREATE TABLE IF NOT EXISTS file_relay_ends (
    member TEXT NOT NULL,
    transfer TEXT NOT NULL,
    reason TEXT NOT NULL,
    at INTEGER NOT NULL,
    PRIMARY KEY (member, transfer)
  )`;

/** Version 13: both tables. */
export const FILE_RELAY_TABLE = `${RELAYS};
  ${ENDS}`;
