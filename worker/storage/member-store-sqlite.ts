// The durable roster in the Durable Object's SQLite storage: who is in the room, with their
// resume tokens, so that members survive hibernation and eviction. Plus the room's one piece of
// housekeeping state (when it became empty, for chat retention).

import { isRole } from "../../protocol/protocol";
import type { MemberStore, StoredMember } from "../room/ports";
import type { SchemaState } from "./schema";

interface Row extends Record<string, SqlStorageValue> {
  id: string;
  name: string;
  mic: number;
  cam: number;
  screen: number;
  joined: number;
  token: string;
  away_since: number | null;
  role: string;
  prev_token: string | null;
  device: string | null;
  addr: string | null;
}

export class SqliteMemberStore implements MemberStore {
  /** Read once (or known in a new room), then kept in step with every write (it is asked on every join and leave). */
  private empty: number | null | undefined;
  /** A new room: nothing stored yet, until the first write. */
  private blank: boolean;

  /** The tables exist (see schema.ts); `fresh`: they were just created, so they are empty. */
  constructor(private readonly sql: SqlStorage, { fresh }: SchemaState) {
    this.blank = fresh;
    this.empty = fresh ? null : undefined;
  }

  all(): StoredMember[] {
    if (this.blank) return [];
    return this.sql.exec<Row>("SELECT * FROM members").toArray().map((r) => ({
      id: r.id,
      name: r.name,
      media: { mic: r.mic === 1, cam: r.cam === 1, screen: r.screen === 1 },
      joined: r.joined,
      token: r.token,
      // Storage is trusted, but a role this code does not know grants nothing.
      role: isRole(r.role) ? r.role : "member",
      prevToken: r.prev_token,
      awaySince: r.away_since,
      device: r.device,
      addr: r.addr,
    }));
  }

  put(m: StoredMember): void {
    this.blank = false;
    this.sql.exec(
      "INSERT OR REPLACE INTO members (id, name, mic, cam, screen, joined, token, away_since, role, prev_token, device, addr) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      m.id, m.name, m.media.mic ? 1 : 0, m.media.cam ? 1 : 0, m.media.screen ? 1 : 0, m.joined, m.token, m.awaySince, m.role, m.prevToken, m.device, m.addr,
    );
  }

  delete(id: string): void {
    this.sql.exec("DELETE FROM members WHERE id = ?", id);
  }

  emptySince(): number | null {
    if (this.empty === undefined) {
      const rows = this.sql.exec<{ value: number }>("SELECT value FROM meta WHERE key = 'empty_since'").toArray();
      this.empty = rows.length ? rows[0]!.value : null;
    }
    return this.empty;
  }

  setEmptySince(at: number | null): void {
    if (this.emptySince() === at) return;
    this.empty = at;
    this.blank = false;
    if (at === null) this.sql.exec("DELETE FROM meta WHERE key = 'empty_since'");
    else this.sql.exec("INSERT OR REPLACE INTO meta (key, value) VALUES ('empty_since', ?)", at);
  }
}
