// The room's transport in the Durable Object's SQLite storage (table room_transport,
// transport-migrations.ts).

import { isTransportKind } from "../../protocol/protocol";
import { DEFAULT_TRANSPORT, type RoomTransport, type TransportStore } from "../room/ports";
import type { SchemaState } from "./schema";
import { SingleRow } from "./single-row";

interface TransportRow extends Record<string, SqlStorageValue> {
  kind: string;
  switched: number | null;
}

export class SqliteTransportStore implements TransportStore {
  private readonly row: SingleRow<RoomTransport>;

  constructor(sql: SqlStorage, schema: SchemaState) {
    const read = (): RoomTransport => {
      const row = sql.exec<TransportRow>("SELECT kind, switched FROM room_transport WHERE id = 1").toArray()[0];
      // A kind this code does not know (a newer deploy's, rolled back) runs as the mesh.
      return row && isTransportKind(row.kind) ? { kind: row.kind, switched: row.switched } : { ...DEFAULT_TRANSPORT };
    };
    const write = (t: RoomTransport): void => void sql.exec("INSERT OR REPLACE INTO room_transport (id, kind, switched) VALUES (1, ?, ?)", t.kind, t.switched);
    this.row = new SingleRow(read, write, DEFAULT_TRANSPORT, schema);
  }

  transport(): RoomTransport {
    return this.row.get();
  }

  setTransport(t: RoomTransport): void {
    this.row.set(t);
  }
}
