// The VoiceStore port in memory: for unit tests of the room core, and the default of a RoomState
// built without durable storage.

import type { VoiceStore, VoiceUpload } from "../room/ports";

export class MemoryVoiceStore implements VoiceStore {
  readonly rows = new Map<string, VoiceUpload>();

  get(key: string): VoiceUpload | null {
    const row = this.rows.get(key);
    return row ? { ...row } : null;
  }

  put(upload: VoiceUpload): void {
    this.rows.set(upload.key, { ...upload });
  }

  delete(keys: readonly string[]): void {
    for (const key of keys) this.rows.delete(key);
  }

  unsent(): VoiceUpload[] {
    return [...this.rows.values()].filter((r) => r.seq === null).map((r) => ({ ...r }));
  }

  totalBytes(): number {
    let total = 0;
    for (const r of this.rows.values()) total += r.bytes;
    return total;
  }
}
