// Where a room keeps the revocable TURN usernames it handed out, member by member, so that it
// can still revoke them when the member leaves after the room object has hibernated or been
// evicted (and its memory is gone). The calls are synchronous: the Durable Object's SQLite is
// local, and a leave's revocation list is then taken in the same turn as the leave itself.
//
// Only usernames are kept, never the credential: they are the credential's public half, and all
// a revoke needs.

export interface IssuedCredential {
  username: string;
  /** When the credential stops working anyway (ms since the epoch). */
  expiresAt: number;
}

export interface IssuedStore {
  /** Records a username given to this member. Adding one already recorded changes nothing but its expiry. */
  add(peerId: string, username: string, expiresAt: number): void;
  /** The member's usernames still unexpired at `now`; every row of the member is gone afterwards. */
  take(peerId: string, now: number): IssuedCredential[];
  /** Forgets every username expired at `now`, whoever it was given to. */
  prune(now: number): void;
}
