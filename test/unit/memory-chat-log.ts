import type { ChatMessage } from "../../protocol/protocol";
import { chatBytes } from "../../worker/room/features/chat-quota";
import type { ChatLog, MemberStore, StoredMember } from "../../worker/room/ports";

/** The ChatLog port over an array, for testing the room core without a runtime. */
export class MemoryChatLog implements ChatLog {
  rows: ChatMessage[] = [];
  private seq = 0;
  append(m: Omit<ChatMessage, "seq">): ChatMessage {
    const message = { ...m, seq: ++this.seq };
    this.rows.push(message);
    return message;
  }
  findByClientId(from: string, cid: string): ChatMessage | null {
    return this.rows.find((r) => r.from === from && r.cid === cid) ?? null;
  }
  tail(n: number, maxBytes = Infinity): ChatMessage[] {
    return fit(this.rows.slice(-n).reverse(), maxBytes).reverse();
  }
  after(after: number, limit: number, maxBytes = Infinity): ChatMessage[] {
    return fit(this.rows.filter((r) => r.seq > after).slice(0, limit), maxBytes);
  }
  lastSeq(): number {
    return this.seq;
  }
  trim(cap: { messages: number; bytes: number }): string[] {
    let bytes = this.bytes();
    const voice: string[] = [];
    while (this.rows.length > cap.messages || bytes > cap.bytes) {
      const dropped = this.rows.shift()!;
      bytes -= chatBytes(dropped);
      if (dropped.voice) voice.push(dropped.voice.key);
    }
    return voice;
  }
  clear(): void {
    this.rows = [];
  }
  /** What the stored messages cost, as the room counts it. */
  bytes(): number {
    return this.rows.reduce((n, r) => n + chatBytes(r), 0);
  }
}

/** Messages in order while they fit in `maxBytes`, the first always. */
function fit(rows: ChatMessage[], maxBytes: number): ChatMessage[] {
  const out: ChatMessage[] = [];
  let total = 0;
  for (const r of rows) {
    if (out.length > 0 && total + chatBytes(r) > maxBytes) break;
    out.push(r);
    total += chatBytes(r);
  }
  return out;
}

/** The MemberStore port over a map. */
export class MemoryMemberStore implements MemberStore {
  readonly rows = new Map<string, StoredMember>();
  private empty: number | null = null;
  all(): StoredMember[] {
    return [...this.rows.values()];
  }
  put(m: StoredMember): void {
    this.rows.set(m.id, { ...m });
  }
  delete(id: string): void {
    this.rows.delete(id);
  }
  emptySince(): number | null {
    return this.empty;
  }
  setEmptySince(at: number | null): void {
    this.empty = at;
  }
}
