// The room's chat history in the Durable Object's SQLite storage. SQL calls on a Durable Object
// are synchronous and local, so the room core can use this port without awaiting.
//
// Each row stores its size (chatBytes: the message as JSON), so that pages and the room's cap
// count bytes without re-encoding what they skip. Rows written before that column existed, or by
// code rolled back to before it, have none (NULL); they are sized here when met. A voice
// message's recording reference is a JSON column (NULL for text).

import type { ChatMessage } from "../../protocol/protocol";
import { voiceRef } from "../../protocol/features/voice";
import { chatBytes } from "../room/features/chat-quota";
import type { ChatLog } from "../room/ports";
import type { SchemaState } from "./schema";

interface Row extends Record<string, SqlStorageValue> {
  seq: number;
  author: string;
  name: string;
  text: string;
  ts: number;
  cid: string;
  bytes: number | null;
  voice: string | null;
}

function toMessage(r: Row): ChatMessage {
  const message: ChatMessage = { seq: r.seq, from: r.author, name: r.name, text: r.text, ts: r.ts, cid: r.cid };
  const voice = r.voice === null ? null : readVoice(r.voice);
  return voice ? { ...message, voice } : message;
}

/** Storage is trusted, but a reference this code cannot read is left out (the text stays). */
function readVoice(json: string) {
  try {
    return voiceRef(JSON.parse(json));
  } catch {
    return null;
  }
}

/** The voice keys among rows a DELETE … RETURNING voice gave back. */
function voiceKeys(rows: Iterable<{ voice: string | null }>): string[] {
  const keys: string[] = [];
  for (const r of rows) {
    const ref = r.voice === null ? null : readVoice(r.voice);
    if (ref) keys.push(ref.key);
  }
  return keys;
}

/** Rows sized per statement when old rows without a size are met: bounds what is in memory at once. */
const SIZE_BATCH = 50;

export class SqliteChatLog implements ChatLog {
  /** Read once (or known to be 0 in a new room), then kept in step with appends (every welcome carries it). */
  private last: number | undefined;
  /** How much is stored: read when the cap is first checked (or known to be nothing), then kept in step. */
  private stored: { messages: number; bytes: number } | undefined;

  /** The table exists (see schema.ts); `fresh`: it was just created, so it is empty. */
  constructor(private readonly sql: SqlStorage, { fresh }: SchemaState) {
    this.last = fresh ? 0 : undefined;
    this.stored = fresh ? { messages: 0, bytes: 0 } : undefined;
  }

  append(m: Omit<ChatMessage, "seq">): ChatMessage {
    // The number AUTOINCREMENT would hand out, given here so that the size can be stored with the
    // row: sqlite_sequence still moves on, and a number is never handed out twice.
    const message: ChatMessage = { seq: this.lastSeq() + 1, from: m.from, name: m.name, text: m.text, ts: m.ts, cid: m.cid, ...(m.voice ? { voice: m.voice } : {}) };
    const bytes = chatBytes(message);
    this.sql.exec(
      "INSERT INTO chat (seq, author, name, text, ts, cid, bytes, voice) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
      message.seq, message.from, message.name, message.text, message.ts, message.cid, bytes, message.voice ? JSON.stringify(message.voice) : null,
    );
    this.last = message.seq;
    if (this.stored) {
      this.stored.messages++;
      this.stored.bytes += bytes;
    }
    return message;
  }

  findByClientId(from: string, cid: string): ChatMessage | null {
    const rows = this.sql.exec<Row>("SELECT * FROM chat WHERE author = ? AND cid = ?", from, cid).toArray();
    return rows.length ? toMessage(rows[0]!) : null;
  }

  tail(n: number, maxBytes = Infinity): ChatMessage[] {
    if (this.lastSeq() === 0) return []; // nothing was ever written
    return this.fit(this.sql.exec<Row>("SELECT * FROM chat ORDER BY seq DESC LIMIT ?", n), maxBytes).reverse();
  }

  after(after: number, limit: number, maxBytes = Infinity): ChatMessage[] {
    if (after >= this.lastSeq()) return [];
    return this.fit(this.sql.exec<Row>("SELECT * FROM chat WHERE seq > ? ORDER BY seq LIMIT ?", after, limit), maxBytes);
  }

  trim(cap: { messages: number; bytes: number }): string[] {
    const dropped: string[] = [];
    const stored = this.measure(cap.messages, dropped);
    const messages = stored.messages - cap.messages;
    const bytes = stored.bytes - cap.bytes;
    if (messages <= 0 && bytes <= 0) return dropped;
    // Oldest first, read lazily: only as far as the excess goes (usually a row or two).
    let count = 0;
    let freed = 0;
    let upTo = 0;
    for (const r of this.sql.exec<{ seq: number; bytes: number }>("SELECT seq, bytes FROM chat ORDER BY seq")) {
      count++;
      freed += r.bytes;
      upTo = r.seq;
      if (count >= messages && freed >= bytes) break;
    }
    dropped.push(...voiceKeys(this.sql.exec<{ voice: string | null }>("DELETE FROM chat WHERE seq <= ? RETURNING voice", upTo)));
    stored.messages -= count;
    stored.bytes -= freed;
    return dropped;
  }

  clear(): void {
    this.sql.exec("DELETE FROM chat");
    this.stored = { messages: 0, bytes: 0 };
  }

  lastSeq(): number {
    if (this.last === undefined) {
      // sqlite_sequence remembers the highest seq ever issued, even when the newest rows are gone.
      const rows = this.sql.exec<{ seq: number }>("SELECT seq FROM sqlite_sequence WHERE name = 'chat'").toArray();
      this.last = rows.length ? rows[0]!.seq : 0;
    }
    return this.last;
  }

  /** The cursor's rows while they fit in `maxBytes`, the first always. Read lazily: nothing past the budget is loaded. */
  private fit(rows: Iterable<Row>, maxBytes: number): ChatMessage[] {
    const out: ChatMessage[] = [];
    let total = 0;
    for (const r of rows) {
      const message = toMessage(r);
      const size = r.bytes ?? chatBytes(message);
      if (out.length > 0 && total + size > maxBytes) break;
      out.push(message);
      total += size;
    }
    return out;
  }

  /**
   * Counts what is stored, once per instance. A room written by older code may hold any amount
   * of unsized chat: the newest `keep` rows are all the cap can leave, so the rest is dropped
   * first (by the primary key), and only those are sized. The voice keys of what it drops are
   * added to `dropped`.
   */
  private measure(keep: number, dropped: string[]): { messages: number; bytes: number } {
    if (this.stored) return this.stored;
    const old = this.sql.exec<{ voice: string | null }>("DELETE FROM chat WHERE seq <= (SELECT seq FROM chat ORDER BY seq DESC LIMIT 1 OFFSET ?) RETURNING voice", keep);
    dropped.push(...voiceKeys(old));
    for (;;) {
      const unsized = this.sql.exec<Row>("SELECT * FROM chat WHERE bytes IS NULL LIMIT ?", SIZE_BATCH).toArray();
      for (const r of unsized) this.sql.exec("UPDATE chat SET bytes = ? WHERE seq = ?", chatBytes(toMessage(r)), r.seq);
      if (unsized.length < SIZE_BATCH) break;
    }
    const row = this.sql.exec<{ messages: number; bytes: number }>("SELECT COUNT(*) AS messages, TOTAL(bytes) AS bytes FROM chat").one();
    return (this.stored = { messages: row.messages, bytes: row.bytes });
  }
}
