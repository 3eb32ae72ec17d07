// The room's relayed files in the Durable Object's SQLite storage (table file_relays,
// file-relay-migrations.ts). Rows are few (each member has at most a handful open, and each goes
// when its transfer ends); read by transfer (a frame), by key (a PUT, a GET), and all of them by
// the alarm's sweep. Ends (table file_relay_ends) are kept per member, the newest
// FILE_RELAY_ENDS_KEPT, for its next resume; they go when it leaves.

import { FILE_RELAY_ENDS_KEPT, RELAY_ENDS } from "../../protocol/protocol";
import type { FileRelay, FileRelayEnded, FileRelayStore } from "../room/ports";
import type { SchemaState } from "./schema";

interface Row extends Record<string, SqlStorageValue> {
  transfer: string;
  sender: string;
  recipient: string;
  name: string;
  size: number;
  mime: string;
  file_id: string;
  state: string;
  key: string | null;
  cap: string | null;
  expires: number;
}

const STATES: readonly FileRelay["state"][] = ["offered", "accepted", "uploading", "stored"];

/** Storage is trusted, but a row this code cannot read is treated as gone. */
function toRelay(r: Row): FileRelay | null {
  const state = STATES.find((s) => s === r.state);
  if (!state) return null;
  return { transfer: r.transfer, from: r.sender, to: r.recipient, name: r.name, size: r.size, mime: r.mime, id: r.file_id, state, key: r.key, cap: r.cap, expires: r.expires };
}

export class SqliteFileRelayStore implements FileRelayStore {
  /** A new room: nothing stored yet, until the first write. */
  private blank: boolean;

  constructor(private readonly sql: SqlStorage, { fresh }: SchemaState) {
    this.blank = fresh;
  }

  get(transfer: string): FileRelay | null {
    return this.one("SELECT * FROM file_relays WHERE transfer = ?", transfer);
  }

  byKey(key: string): FileRelay | null {
    return this.one("SELECT * FROM file_relays WHERE key = ?", key);
  }

  put(f: FileRelay): void {
    this.blank = false;
    this.sql.exec(
      "INSERT OR REPLACE INTO file_relays (transfer, sender, recipient, name, size, mime, file_id, state, key, cap, expires) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      f.transfer, f.from, f.to, f.name, f.size, f.mime, f.id, f.state, f.key, f.cap, f.expires,
    );
  }

  delete(transfer: string): void {
    if (!this.blank) this.sql.exec("DELETE FROM file_relays WHERE transfer = ?", transfer);
  }

  all(): FileRelay[] {
    if (this.blank) return [];
    return this.sql.exec<Row>("SELECT * FROM file_relays").toArray().flatMap((r) => toRelay(r) ?? []);
  }

  ended(member: string, end: FileRelayEnded, at: number): void {
    this.blank = false;
    this.sql.exec("INSERT OR REPLACE INTO file_relay_ends (member, transfer, reason, at) VALUES (?, ?, ?, ?)", member, end.transfer, end.reason, at);
    this.sql.exec(
      "DELETE FROM file_relay_ends WHERE member = ? AND rowid NOT IN (SELECT rowid FROM file_relay_ends WHERE member = ? ORDER BY at DESC, rowid DESC LIMIT ?)",
      member, member, FILE_RELAY_ENDS_KEPT,
    );
  }

  endsFor(member: string): FileRelayEnded[] {
    if (this.blank) return [];
    const rows = this.sql.exec<{ transfer: string; reason: string }>("SELECT transfer, reason FROM file_relay_ends WHERE member = ? ORDER BY at, rowid", member).toArray();
    // A reason this code cannot read is left out, as a relay row is.
    return rows.flatMap((r) => {
      const reason = RELAY_ENDS.find((x) => x === r.reason);
      return reason ? [{ transfer: r.transfer, reason }] : [];
    });
  }

  forgetEnds(member: string): void {
    if (!this.blank) this.sql.exec("DELETE FROM file_relay_ends WHERE member = ?", member);
  }

  private one(query: string, value: string): FileRelay | null {
    if (this.blank) return null;
    const row = this.sql.exec<Row>(query, value).toArray()[0];
    return row ? toRelay(row) : null;
  }
}
