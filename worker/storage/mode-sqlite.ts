// The room's mode in the Durable Object's SQLite storage (table room_mode, stage-migrations.ts).

import { isMode } from "../../protocol/protocol";
import { DEFAULT_MODE, type ModeStore, type RoomMode } from "../room/ports";
import type { SchemaState } from "./schema";
import { SingleRow } from "./single-row";

interface ModeRow extends Record<string, SqlStorageValue> {
  mode: string;
  live_since: number | null;
}

export class SqliteModeStore implements ModeStore {
  private readonly row: SingleRow<RoomMode>;

  constructor(sql: SqlStorage, schema: SchemaState) {
    const read = (): RoomMode => {
      const row = sql.exec<ModeRow>("SELECT mode, live_since FROM room_mode WHERE id = 1").toArray()[0];
      // Storage is trusted, but a mode this code does not know runs as a meeting (everyone on camera, as before stages).
      return row && isMode(row.mode) ? { mode: row.mode, liveSince: row.mode === "stage" ? row.live_since : null } : { ...DEFAULT_MODE };
    };
    const write = (m: RoomMode): void => void sql.exec("INSERT OR REPLACE INTO room_mode (id, mode, live_since) VALUES (1, ?, ?)", m.mode, m.liveSince);
    this.row = new SingleRow(read, write, DEFAULT_MODE, schema);
  }

  mode(): RoomMode {
    return this.row.get();
  }

  setMode(m: RoomMode): void {
    this.row.set(m);
  }
}
