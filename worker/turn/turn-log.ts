// What the TURN code reports: a provider, or the room's store of issued usernames, that failed.
// Reasons are built here from status codes and timeouts only, never from a token, a username or
// a credential (nor from a storage error's message, which may quote the statement's values).

export type TurnLogEvent =
  /** The provider did not mint: members get STUN only for now. */
  | { event: "turn-unavailable"; reason: string }
  /** Credentials of a departed member could not be revoked; they live out their TTL. */
  | { event: "turn-revoke-failed"; reason: string }
  /** The room's store of revocable usernames failed: those involved are revoked only while the room object lives. */
  | { event: "turn-store-failed"; reason: string };

export type TurnLog = (e: TurnLogEvent) => void;

/** One line per failure; nothing when all is well. */
export const consoleTurnLog: TurnLog = (e) => console.warn(`${e.event}: ${e.reason}`);
