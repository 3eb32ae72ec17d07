// Voice messages' step in the room schema (registered in schema.ts, which numbers them): the
// uploads the room issued capabilities for, each chat message's recording, and each member's
// media token (features/voice.ts in protocol/).

/** The table of uploads. `IF NOT EXISTS`, so that running the step twice is harmless. */
export const VOICE_TABLE = `
  CREATE TABLE IF NOT EXISTS voice_uploads (
    key TEXT PRIMARY KEY,
    member TEXT NOT NULL,
    type TEXT NOT NULL,
    bytes INTEGER NOT NULL,
    duration_ms INTEGER NOT NULL,
    expires INTEGER NOT NULL,
    cap TEXT NOT NULL,
    state TEXT NOT NULL,
    seq INTEGER
  )`;

/**
 * Members keep their media token (the capability their playback URLs carry); members stored
 * before have none, and get one when they resume.
 */
export const MEMBER_VOICE_COLUMN = "media_token TEXT";

/** A chat message's recording (VoiceRef as JSON), NULL for text; rows from before have none. */
export const CHAT_VOICE_COLUMN = "voice TEXT";

/** Version 9: the above (columns added at the end, as ALTER TABLE does). */
export const ADD_VOICE = `
  ALTER TABLE members ADD COLUMN ${MEMBER_VOICE_COLUMN};
  ALTER TABLE chat ADD COLUMN ${CHAT_VOICE_COLUMN};
  ${VOICE_TABLE}`;
