// The AccessStore port in memory: for unit tests of the room core, and the default of a RoomState
// built without durable storage. Same rules as the SQLite store (access-sqlite.ts): rows are
// forgotten by time when a new one is written, and at most ACCESS_ROWS_MAX are kept per kind.

import { DEFAULT_ACCESS, type AccessStore, type RoomAccess, type StoredKnock } from "../room/ports";
import { ACCESS_ROWS_MAX } from "./access-migrations";

export class MemoryAccessStore implements AccessStore {
  settings: RoomAccess = { ...DEFAULT_ACCESS };
  absentSince: number | null = null;
  readonly knockRows = new Map<string, StoredKnock>();
  /** Denials by device key: count and last. */
  readonly denialRows = new Map<string, { count: number; last: number }>();
  /** Removals by "device:<id>" / "addr:<address>", with their time. */
  readonly removedRows = new Map<string, number>();
  readonly failureRows: Array<{ addr: string; at: number }> = [];

  access(): RoomAccess {
    return { ...this.settings };
  }
  setAccess(access: RoomAccess): void {
    this.settings = { ...access };
  }
  hostAbsentSince(): number | null {
    return this.absentSince;
  }
  setHostAbsentSince(at: number | null): void {
    this.absentSince = at;
  }
  knocks(): StoredKnock[] {
    return [...this.knockRows.values()].map((k) => ({ ...k }));
  }
  putKnock(knock: StoredKnock): void {
    this.knockRows.set(knock.id, { ...knock });
  }
  deleteKnock(id: string): void {
    this.knockRows.delete(id);
  }
  clearKnocks(): void {
    this.knockRows.clear();
  }
  denials(key: string, forgetBefore: number): { count: number; last: number } | null {
    const row = this.denialRows.get(key);
    return row && row.last >= forgetBefore ? { ...row } : null;
  }
  addDenial(key: string, now: number, forgetBefore: number): number {
    for (const [k, row] of this.denialRows) if (row.last < forgetBefore) this.denialRows.delete(k);
    const count = (this.denialRows.get(key)?.count ?? 0) + 1;
    this.denialRows.delete(key);
    this.denialRows.set(key, { count, last: now });
    while (this.denialRows.size > ACCESS_ROWS_MAX) this.denialRows.delete(this.denialRows.keys().next().value!);
    return count;
  }
  wasRemoved(device: string | null, addr: string | null, forgetBefore: number): boolean {
    return removedKeys(device, addr).some((k) => (this.removedRows.get(k) ?? -Infinity) >= forgetBefore);
  }
  markRemoved(device: string | null, addr: string | null, now: number, forgetBefore: number): void {
    for (const [k, at] of this.removedRows) if (at < forgetBefore) this.removedRows.delete(k);
    for (const k of removedKeys(device, addr)) {
      this.removedRows.delete(k);
      this.removedRows.set(k, now);
    }
    while (this.removedRows.size > ACCESS_ROWS_MAX) this.removedRows.delete(this.removedRows.keys().next().value!);
  }
  passcodeFailures(addr: string, since: number): number[] {
    return this.failureRows.filter((r) => r.addr === addr && r.at >= since).map((r) => r.at);
  }
  addPasscodeFailure(addr: string, now: number, forgetBefore: number): void {
    const kept = this.failureRows.filter((r) => r.at >= forgetBefore);
    kept.push({ addr, at: now });
    this.failureRows.splice(0, this.failureRows.length, ...kept.slice(-ACCESS_ROWS_MAX));
  }
  clearPasscodeFailures(addr: string): void {
    const kept = this.failureRows.filter((r) => r.addr !== addr);
    this.failureRows.splice(0, this.failureRows.length, ...kept);
  }
}

const removedKeys = (device: string | null, addr: string | null): string[] => [
  ...(device !== null ? [`device:${device}`] : []),
  ...(addr !== null ? [`addr:${addr}`] : []),
];
