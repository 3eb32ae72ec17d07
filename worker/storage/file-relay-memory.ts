// The FileRelayStore port in memory: for unit tests of the room core, and the default of a
// RoomState built without durable storage.

import type { FileRelay, FileRelayStore } from "../room/ports";

export class MemoryFileRelayStore implements FileRelayStore {
  readonly rows = new Map<string, FileRelay>();

  get(transfer: string): FileRelay | null {
    const row = this.rows.get(transfer);
    return row ? { ...row } : null;
  }

  byKey(key: string): FileRelay | null {
    for (const r of this.rows.values()) if (r.key === key) return { ...r };
    return null;
  }

  put(relay: FileRelay): void {
    this.rows.set(relay.transfer, { ...relay });
  }

  delete(transfer: string): void {
    this.rows.delete(transfer);
  }

  all(): FileRelay[] {
    return [...this.rows.values()].map((r) => ({ ...r }));
  }
}
