// The room's transport in the Durable Object's SQLite storage (table room_transport,
// transport-migrations.ts). Read at most once per object and then kept in step with every write:
// every join, leave and seat change asks for it.

import { isTransportKind } from "../../protocol/protocol";
import { DEFAULT_TRANSPORT, type RoomTransport, type TransportStore } from "../room/ports";
import type { SchemaState } from "./schema";

interface TransportRow extends Record<string, SqlStorageValue> {
  kind: string;
  switched: number | null;
}

export class SqliteTransportStore implements TransportStore {
  /** undefined until read (a woken room). */
  private value: RoomTransport | undefined;

  /** The tables exist (see schema.ts); `fresh`: they were just created, so nothing is stored yet. */
  constructor(private readonly sql: SqlStorage, { fresh }: SchemaState) {
    if (fresh) this.value = { ...DEFAULT_TRANSPORT };
  }

  transport(): RoomTransport {
    if (!this.value) {
      const row = this.sql.exec<TransportRow>("SELECT kind, switched FROM room_transport WHERE id = 1").toArray()[0];
      // A kind this code does not know (a newer deploy's, rolled back) runs as the mesh.
      this.value = row && isTransportKind(row.kind) ? { kind: row.kind, switched: row.switched } : { ...DEFAULT_TRANSPORT };
    }
    return { ...this.value };
  }

  setTransport(t: RoomTransport): void {
    this.value = { ...t };
    this.sql.exec("INSERT OR REPLACE INTO room_transport (id, kind, switched) VALUES (1, ?, ?)", t.kind, t.switched);
  }
}
