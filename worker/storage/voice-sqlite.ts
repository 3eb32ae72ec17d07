// The room's voice uploads in the Durable Object's SQLite storage (table voice_uploads,
// voice-migrations.ts): the capability a member was issued, whether the recording is stored, and
// the chat message that carries it. Read by key (a PUT, a GET), and swept by the room when a
// member asks for an upload; never read on a join.

import { isVoiceType } from "../../protocol/protocol";
import type { VoiceStore, VoiceUpload } from "../room/ports";
import type { SchemaState } from "./schema";

interface Row extends Record<string, SqlStorageValue> {
  key: string;
  member: string;
  type: string;
  bytes: number;
  duration_ms: number;
  expires: number;
  cap: string;
  state: string;
  seq: number | null;
}

const STATES: readonly VoiceUpload["state"][] = ["issued", "uploading", "done"];

/** Storage is trusted, but a row this code cannot read is treated as gone. */
function toUpload(r: Row): VoiceUpload | null {
  const state = STATES.find((s) => s === r.state);
  if (!state || !isVoiceType(r.type)) return null;
  return { key: r.key, member: r.member, type: r.type, bytes: r.bytes, durationMs: r.duration_ms, expires: r.expires, cap: r.cap, state, seq: r.seq };
}

export class SqliteVoiceStore implements VoiceStore {
  /** A new room: nothing stored yet, until the first write. */
  private blank: boolean;

  /** The table exists (see schema.ts); `fresh`: it was just created, so it is empty. */
  constructor(private readonly sql: SqlStorage, { fresh }: SchemaState) {
    this.blank = fresh;
  }

  get(key: string): VoiceUpload | null {
    if (this.blank) return null;
    const row = this.sql.exec<Row>("SELECT * FROM voice_uploads WHERE key = ?", key).toArray()[0];
    return row ? toUpload(row) : null;
  }

  put(u: VoiceUpload): void {
    this.blank = false;
    this.sql.exec(
      "INSERT OR REPLACE INTO voice_uploads (key, member, type, bytes, duration_ms, expires, cap, state, seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
      u.key, u.member, u.type, u.bytes, u.durationMs, u.expires, u.cap, u.state, u.seq,
    );
  }

  delete(keys: readonly string[]): void {
    if (this.blank) return;
    for (const key of keys) this.sql.exec("DELETE FROM voice_uploads WHERE key = ?", key);
  }

  unsent(): VoiceUpload[] {
    if (this.blank) return [];
    return this.sql.exec<Row>("SELECT * FROM voice_uploads WHERE seq IS NULL").toArray().flatMap((r) => toUpload(r) ?? []);
  }

  totalBytes(): number {
    if (this.blank) return 0;
    return Number(this.sql.exec<{ total: number }>("SELECT COALESCE(SUM(bytes), 0) AS total FROM voice_uploads").one().total);
  }
}
