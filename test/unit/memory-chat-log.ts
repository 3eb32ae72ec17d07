import type { ChatMessage } from "../../protocol/protocol";
import type { ChatLog } from "../../worker/room-core";

/** The ChatLog port over an array, for testing the room core without a runtime. */
export class MemoryChatLog implements ChatLog {
  readonly rows: ChatMessage[] = [];
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
}
