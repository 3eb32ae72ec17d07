// The room's access in the Durable Object's SQLite storage: settings (one row), the lobby's queue,
// and what the room remembers against devices and addresses. Settings and the host-absence time
// are read once and kept in step with every write (a join asks for them); the rest is read only
// when someone knocks, is denied or gives a passcode. Rows are forgotten by time whenever a new
// one of their kind is written, and at most ACCESS_ROWS_MAX are kept per kind, oldest out first.

import { DEFAULT_ACCESS, type AccessStore, type RoomAccess, type StoredKnock } from "../room/ports";
import { ACCESS_ROWS_MAX } from "./access-migrations";
import { MetaTime } from "./meta-time";
import type { SchemaState } from "./schema";

interface AccessRow extends Record<string, SqlStorageValue> {
  lobby: number;
  locked: number;
  passcode: string | null;
  host_key: string | null;
  recording: number;
}

interface KnockRow extends Record<string, SqlStorageValue> {
  id: string;
  name: string;
  mic: number;
  cam: number;
  screen: number;
  device: string | null;
  addr: string | null;
  at: number;
  since: number | null;
}

const removedKeys = (device: string | null, addr: string | null): string[] => [
  ...(device !== null ? [`device:${device}`] : []),
  ...(addr !== null ? [`addr:${addr}`] : []),
];

export class SqliteAccessStore implements AccessStore {
  private settings: RoomAccess | undefined;
  /** Since when no host has been present (the temporary-host clock). */
  private readonly absent: MetaTime;
  /** A new room: no knocks stored. */
  private readonly fresh: boolean;

  /** The tables exist (see schema.ts); `fresh`: they were just created, so they are empty. */
  constructor(private readonly sql: SqlStorage, { fresh }: SchemaState) {
    this.fresh = fresh;
    this.absent = new MetaTime(sql, "host_absent_since", fresh);
    if (fresh) this.settings = { ...DEFAULT_ACCESS };
  }

  access(): RoomAccess {
    if (!this.settings) {
      const row = this.sql.exec<AccessRow>("SELECT lobby, locked, passcode, host_key, recording FROM room_access WHERE id = 1").toArray()[0];
      this.settings = row
        ? { lobby: row.lobby === 1, locked: row.locked === 1, passcode: row.passcode, hostKey: row.host_key, recording: row.recording === 1 }
        : { ...DEFAULT_ACCESS };
    }
    return { ...this.settings };
  }

  setAccess(a: RoomAccess): void {
    this.settings = { ...a };
    this.sql.exec(
      "INSERT OR REPLACE INTO room_access (id, lobby, locked, passcode, host_key, recording) VALUES (1, ?, ?, ?, ?, ?)",
      a.lobby ? 1 : 0, a.locked ? 1 : 0, a.passcode, a.hostKey, a.recording ? 1 : 0,
    );
  }

  hostAbsentSince(): number | null {
    return this.absent.get();
  }

  setHostAbsentSince(at: number | null): void {
    this.absent.set(at);
  }

  knocks(): StoredKnock[] {
    if (this.fresh) return [];
    return this.sql.exec<KnockRow>("SELECT * FROM knocks ORDER BY at").toArray().map((r) => ({
      id: r.id,
      name: r.name,
      media: { mic: r.mic === 1, cam: r.cam === 1, screen: r.screen === 1 },
      device: r.device,
      addr: r.addr,
      at: r.at,
      since: r.since,
    }));
  }

  putKnock(k: StoredKnock): void {
    this.sql.exec(
      "INSERT OR REPLACE INTO knocks (id, name, mic, cam, screen, device, addr, at, since) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
      k.id, k.name, k.media.mic ? 1 : 0, k.media.cam ? 1 : 0, k.media.screen ? 1 : 0, k.device, k.addr, k.at, k.since,
    );
  }

  deleteKnock(id: string): void {
    this.sql.exec("DELETE FROM knocks WHERE id = ?", id);
  }

  clearKnocks(): void {
    this.sql.exec("DELETE FROM knocks");
  }

  denials(key: string, forgetBefore: number): { count: number; last: number } | null {
    const row = this.sql.exec<{ count: number; last: number }>("SELECT count, last FROM denials WHERE key = ? AND last >= ?", key, forgetBefore).toArray()[0];
    return row ? { count: row.count, last: row.last } : null;
  }

  addDenial(key: string, now: number, forgetBefore: number): number {
    this.sql.exec("DELETE FROM denials WHERE last < ?", forgetBefore);
    const row = this.sql
      .exec<{ count: number }>("INSERT INTO denials (key, count, last) VALUES (?, 1, ?) ON CONFLICT (key) DO UPDATE SET count = count + 1, last = excluded.last RETURNING count", key, now)
      .one();
    this.sql.exec("DELETE FROM denials WHERE key NOT IN (SELECT key FROM denials ORDER BY last DESC LIMIT ?)", ACCESS_ROWS_MAX);
    return row.count;
  }

  wasRemoved(device: string | null, addr: string | null, forgetBefore: number): boolean {
    return removedKeys(device, addr).some((key) => this.sql.exec("SELECT 1 FROM removed WHERE key = ? AND at >= ?", key, forgetBefore).toArray().length > 0);
  }

  markRemoved(device: string | null, addr: string | null, now: number, forgetBefore: number): void {
    this.sql.exec("DELETE FROM removed WHERE at < ?", forgetBefore);
    for (const key of removedKeys(device, addr)) this.sql.exec("INSERT OR REPLACE INTO removed (key, at) VALUES (?, ?)", key, now);
    this.sql.exec("DELETE FROM removed WHERE key NOT IN (SELECT key FROM removed ORDER BY at DESC LIMIT ?)", ACCESS_ROWS_MAX);
  }

  passcodeFailures(addr: string, since: number): number[] {
    return this.sql.exec<{ at: number }>("SELECT at FROM passcode_failures WHERE addr = ? AND at >= ? ORDER BY at", addr, since).toArray().map((r) => r.at);
  }

  addPasscodeFailure(addr: string, now: number, forgetBefore: number): void {
    this.sql.exec("DELETE FROM passcode_failures WHERE at < ?", forgetBefore);
    this.sql.exec("INSERT INTO passcode_failures (addr, at) VALUES (?, ?)", addr, now);
    this.sql.exec("DELETE FROM passcode_failures WHERE rowid NOT IN (SELECT rowid FROM passcode_failures ORDER BY at DESC LIMIT ?)", ACCESS_ROWS_MAX);
  }

  clearPasscodeFailures(addr: string): void {
    this.sql.exec("DELETE FROM passcode_failures WHERE addr = ?", addr);
  }
}
