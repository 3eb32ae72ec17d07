// The FileRelayStore port in memory: for unit tests of the room core, and the default of a
// RoomState built without durable storage.

import { FILE_RELAY_ENDS_KEPT } from "../../protocol/protocol";
import type { FileRelay, FileRelayEnded, FileRelayStore } from "../room/ports";

export class MemoryFileRelayStore implements FileRelayStore {
  readonly rows = new Map<string, FileRelay>();
  /** Each member's ends, oldest first. */
  readonly ends = new Map<string, FileRelayEnded[]>();

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

  ended(member: string, end: FileRelayEnded): void {
    const kept = (this.ends.get(member) ?? []).filter((e) => e.transfer !== end.transfer);
    kept.push({ ...end });
    this.ends.set(member, kept.slice(-FILE_RELAY_ENDS_KEPT));
  }

  endsFor(member: string): FileRelayEnded[] {
    return (this.ends.get(member) ?? []).map((e) => ({ ...e }));
  }

  forgetEnds(member: string): void {
    this.ends.delete(member);
  }
}
