// The TURN usernames a room handed out and may still revoke (Cloudflare's), in the Durable
// Object's SQLite, so that a member who leaves after the room slept still has them revoked.
// Rows are few (one per member per mint, a mint every few minutes at most) and short-lived:
// the issuer prunes expired ones whenever it adds one, and a release takes the member's all.

import type { IssuedCredential, IssuedStore } from "../turn/issued-store";

/** The table, for the schema's migrations (schema.ts). `IF NOT EXISTS`, so running it twice is harmless. */
export const TURN_ISSUED_DDL =
  "CREATE TABLE IF NOT EXISTS turn_issued (peer TEXT NOT NULL, username TEXT NOT NULL, expires_at INTEGER NOT NULL, PRIMARY KEY (peer, username))";

interface Row extends Record<string, SqlStorageValue> {
  username: string;
  expires_at: number;
}

export class SqliteIssuedCredentials implements IssuedStore {
  constructor(private readonly sql: SqlStorage) {}

  add(peerId: string, username: string, expiresAt: number): void {
    this.sql.exec("INSERT OR REPLACE INTO turn_issued (peer, username, expires_at) VALUES (?, ?, ?)", peerId, username, expiresAt);
  }

  take(peerId: string, now: number): IssuedCredential[] {
    // One statement reads and deletes: expired rows go too, and are simply not returned.
    const rows = this.sql.exec<Row>("DELETE FROM turn_issued WHERE peer = ? RETURNING username, expires_at", peerId).toArray();
    return rows.filter((r) => r.expires_at > now).map((r) => ({ username: r.username, expiresAt: r.expires_at }));
  }

  prune(now: number): void {
    this.sql.exec("DELETE FROM turn_issued WHERE expires_at <= ?", now);
  }
}
