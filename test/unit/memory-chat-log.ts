import type { ChatMessage } from "../../protocol/protocol";
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
  tail(n: number): ChatMessage[] {
    return this.rows.slice(-n);
  }
  after(after: number, limit: number): ChatMessage[] {
    return this.rows.filter((r) => r.seq > after).slice(0, limit);
  }
  lastSeq(): number {
    return this.seq;
  }
  clear(): void {
    this.rows = [];
  }
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
