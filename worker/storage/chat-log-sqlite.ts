// The room's chat history in the Durable Object's SQLite storage. SQL calls on a Durable Object
// are synchronous and local, so the room core can use this port without awaiting.

import type { ChatMessage } from "../../protocol/protocol";
import type { ChatLog } from "../room/ports";
import type { SchemaState } from "./schema";

interface Row extends Record<string, SqlStorageValue> {
  seq: number;
  author: string;
  name: string;
  text: string;
  ts: number;
  cid: string;
}

const toMessage = (r: Row): ChatMessage => ({ seq: r.seq, from: r.author, name: r.name, text: r.text, ts: r.ts, cid: r.cid });

export class SqliteChatLog implements ChatLog {
  /** Read once (or known to be 0 in a new room), then kept in step with appends (every welcome carries it). */
  private last: number | undefined;

  /** The table exists (see schema.ts); `fresh`: it was just created, so it is empty. */
  constructor(private readonly sql: SqlStorage, { fresh }: SchemaState) {
    this.last = fresh ? 0 : undefined;
  }

  append(m: Omit<ChatMessage, "seq">): ChatMessage {
    const row = this.sql
      .exec<{ seq: number }>(
        "INSERT INTO chat (author, name, text, ts, cid) VALUES (?, ?, ?, ?, ?) RETURNING seq",
        m.from, m.name, m.text, m.ts, m.cid,
      )
      .one();
    this.last = row.seq;
    return { ...m, seq: row.seq };
  }

  findByClientId(from: string, cid: string): ChatMessage | null {
    const rows = this.sql.exec<Row>("SELECT * FROM chat WHERE author = ? AND cid = ?", from, cid).toArray();
    return rows.length ? toMessage(rows[0]!) : null;
  }

  tail(n: number): ChatMessage[] {
    if (this.lastSeq() === 0) return []; // nothing was ever written
    return this.sql
      .exec<Row>("SELECT * FROM (SELECT * FROM chat ORDER BY seq DESC LIMIT ?) ORDER BY seq ASC", n)
      .toArray()
      .map(toMessage);
  }

  after(after: number, limit: number): ChatMessage[] {
    if (after >= this.lastSeq()) return [];
    return this.sql.exec<Row>("SELECT * FROM chat WHERE seq > ? ORDER BY seq ASC LIMIT ?", after, limit).toArray().map(toMessage);
  }

  clear(): void {
    this.sql.exec("DELETE FROM chat");
  }

  lastSeq(): number {
    if (this.last === undefined) {
      // sqlite_sequence remembers the highest seq ever issued, even when the newest rows are gone.
      const rows = this.sql.exec<{ seq: number }>("SELECT seq FROM sqlite_sequence WHERE name = 'chat'").toArray();
      this.last = rows.length ? rows[0]!.seq : 0;
    }
    return this.last;
  }
}
