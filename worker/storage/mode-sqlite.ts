// The room's mode in the Durable Object's SQLite storage (table room_mode, stage-migrations.ts).
// Read at most once per object and then kept in step with every write: every join asks for it.

import { isMode } from "../../protocol/protocol";
import { DEFAULT_MODE, type ModeStore, type RoomMode } from "../room/ports";
import type { SchemaState } from "./schema";

interface ModeRow extends Record<string, SqlStorageValue> {
  mode: string;
  live_since: number | null;
}

export class SqliteModeStore implements ModeStore {
  /** undefined until read (a woken room). */
  private value: RoomMode | undefined;

  /** The tables exist (see schema.ts); `fresh`: they were just created, so nothing is stored yet. */
  constructor(private readonly sql: SqlStorage, { fresh }: SchemaState) {
    if (fresh) this.value = { ...DEFAULT_MODE };
  }

  mode(): RoomMode {
    if (!this.value) {
      const row = this.sql.exec<ModeRow>("SELECT mode, live_since FROM room_mode WHERE id = 1").toArray()[0];
      // Storage is trusted, but a mode this code does not know runs as a meeting (everyone on camera, as before stages).
      this.value = row && isMode(row.mode) ? { mode: row.mode, liveSince: row.mode === "stage" ? row.live_since : null } : { ...DEFAULT_MODE };
    }
    return { ...this.value };
  }

  setMode(m: RoomMode): void {
    this.value = { ...m };
    this.sql.exec("INSERT OR REPLACE INTO room_mode (id, mode, live_since) VALUES (1, ?, ?)", m.mode, m.liveSince);
  }
}
