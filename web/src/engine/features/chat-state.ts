// The chat as this client sees it, and the guarantee behind it: a message the user sends is kept
// in an outbox under a client id (cid) until the room echoes it back, and is resent after every
// (re)join; the room stores a (author, cid) pair once, and the list here keeps one item per
// sequence number. So nothing is lost and nothing is shown twice across reconnects, nor when the
// room refuses a message for now (chat-throttled) and it goes out again later. Pure: no I/O.

import type { ChatMessage } from "../../../../protocol/protocol";

export type ChatItem =
  | { kind: "chat"; message: ChatMessage; pending: false }
  /** `held`: the room asked this client to slow down, and the message waits its turn to be sent again. */
  | { kind: "pending"; cid: string; text: string; pending: true; held: boolean }
  | { kind: "system"; event: "joined" | "left"; name: string; ts: number; key: string };

const newCid = (): string =>
  typeof crypto !== "undefined" && typeof crypto.randomUUID === "function" ? crypto.randomUUID() : `${Date.now()}-${Math.random().toString(36).slice(2)}`;

export class ChatState {
  private itemsValue: readonly ChatItem[] = [];
  private readonly seen = new Set<number>();
  private readonly outbox = new Map<string, string>();
  private lastSeqValue = 0;
  private systemCount = 0;

  /** Immutable snapshot: a new array after every change. */
  get items(): readonly ChatItem[] {
    return this.itemsValue;
  }

  /** The newest sequence number received; a rejoin asks for what came after it. */
  get lastSeq(): number {
    return this.lastSeqValue;
  }

  /** Messages sent but not yet confirmed, oldest first: resend them after every (re)join. */
  unconfirmed(): Array<{ cid: string; text: string }> {
    return [...this.outbox].map(([cid, text]) => ({ cid, text }));
  }

  /** Queues a message; returns what to send (now, if connected and not `held`, and again after each rejoin). */
  send(text: string, held = false): { cid: string; text: string } {
    const cid = newCid();
    this.outbox.set(cid, text);
    this.itemsValue = [...this.itemsValue, { kind: "pending", cid, text, pending: true, held }];
    return { cid, text };
  }

  /** Marks every unconfirmed message as held back (or no longer); false if none changed. */
  hold(held: boolean): boolean {
    if (!this.itemsValue.some((i) => i.kind === "pending" && i.held !== held)) return false;
    this.itemsValue = this.itemsValue.map((i) => (i.kind === "pending" ? { ...i, held } : i));
    return true;
  }

  /**
   * Confirmed messages from the room (live, welcome or history), in any order, with repeats.
   * Returns how many of them confirmed a message of this client's outbox.
   */
  receive(messages: readonly ChatMessage[]): number {
    let items = this.itemsValue;
    let confirmed = 0;
    for (const message of messages) {
      this.lastSeqValue = Math.max(this.lastSeqValue, message.seq);
      if (this.outbox.delete(message.cid)) {
        confirmed++;
        items = items.filter((i) => !(i.kind === "pending" && i.cid === message.cid));
      }
      if (this.seen.has(message.seq)) continue;
      this.seen.add(message.seq);
      items = insertBySeq(items, { kind: "chat", message, pending: false });
    }
    this.itemsValue = items;
    return confirmed;
  }

  system(event: "joined" | "left", name: string, ts: number): void {
    this.itemsValue = [...this.itemsValue, { kind: "system", event, name, ts, key: `system-${++this.systemCount}` }];
  }
}

/**
 * Confirmed messages stay in the room's order (a history page can arrive after live messages),
 * system notes stay where they happened, and unconfirmed sends stay last.
 */
function insertBySeq(chat: readonly ChatItem[], item: Extract<ChatItem, { kind: "chat" }>): readonly ChatItem[] {
  let at = chat.findIndex((i) => (i.kind === "chat" && i.message.seq > item.message.seq) || i.kind === "pending");
  if (at < 0) at = chat.length;
  return [...chat.slice(0, at), item, ...chat.slice(at)];
}
