// Chat's steps in the room schema (registered in schema.ts, which numbers them).

/**
 * Chat rows carry their size in bytes (chatBytes: the message as JSON), so that history pages
 * and the room's cap count bytes without re-encoding rows. Nullable, with no default: rows from
 * before, and rows written by code rolled back to before, have none, and SqliteChatLog sizes
 * those itself. So the step is additive both ways.
 */
export const ADD_CHAT_BYTES = "ALTER TABLE chat ADD COLUMN bytes INTEGER";

/** The same column in the current schema's CREATE TABLE chat. */
export const CHAT_BYTES_COLUMN = "bytes INTEGER";
