// Relayed files' step in the room schema (registered in schema.ts, which numbers them): the
// transfers the room relays through its bucket (features/file-relay.ts in protocol/).

/** `IF NOT EXISTS`, so that running the step twice is harmless. */
export const FILE_RELAY_TABLE = `
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
