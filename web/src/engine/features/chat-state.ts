// The chat as this client sees it, and the guarantee behind it: a message the user sends is kept
// in an outbox under a client id (cid) until the room echoes it back, and is resent after every
// (re)join; the room stores a (author, cid) pair once, and the list here keeps one item per
// sequence number. So nothing is lost and nothing is shown twice across reconnects, nor when the
// room refuses a message for now (chat-throttled) and it goes out again later. Pure: no I/O.
//
// A voice message is shown at once too, but joins the outbox only once its recording is uploaded
// (features/voice.ts); until then, or if the upload fails, it is a pending item outside it.

import type { ChatMessage } from "../../../../protocol/protocol";
import type { LocalVoice, VoiceFailure } from "../voice/types";

/** The sender's voice message on its way; its recording plays from this device meanwhile. */
export interface PendingVoice extends LocalVoice {
  /** "uploading": the recording goes to the server; "sending": uploaded, in the outbox; "failed": see `error`. */
  status: "uploading" | "sending" | "failed";
  error: VoiceFailure | null;
}

export type ChatItem =
  /** `localUrl`: this device's copy of its own voice message, so that it plays without a download. */
  | { kind: "chat"; message: ChatMessage; pending: false; localUrl?: string }
  /** `held`: the room asked this client to slow down, and the message waits its turn to be sent again. */
  | { kind: "pending"; cid: string; text: string; pending: true; held: boolean; voice?: PendingVoice }
  | { kind: "system"; event: SystemEvent; name: string; ts: number; key: string };

/** What a system note says about `name`: joined or left (the roster), started or stopped recording (features/recording.ts). */
export type SystemEvent = "joined" | "left" | "recording-started" | "recording-stopped";

type Pending = Extract<ChatItem, { kind: "pending" }>;

/** What goes out for an unconfirmed message, and again after each rejoin. */
export interface Outgoing {
  cid: string;
  text: string;
  voice?: { key: string };
}

const newCid = (): string =>
  typeof crypto !== "undefined" && typeof crypto.randomUUID === "function" ? crypto.randomUUID() : `${Date.now()}-${Math.random().toString(36).slice(2)}`;

export class ChatState {
  private itemsValue: readonly ChatItem[] = [];
  private readonly seen = new Set<number>();
  private readonly outbox = new Map<string, Outgoing>();
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
  unconfirmed(): Outgoing[] {
    return [...this.outbox.values()];
  }

  /** Queues a message; returns what to send (now, if connected and not `held`, and again after each rejoin). */
  send(text: string, held = false): Outgoing {
    const out = { cid: newCid(), text };
    this.outbox.set(out.cid, out);
    this.itemsValue = [...this.itemsValue, { kind: "pending", cid: out.cid, text, pending: true, held }];
    return out;
  }

  /** Shows a voice message whose recording is being uploaded; returns its cid. Not in the outbox yet. */
  draftVoice(voice: LocalVoice): string {
    const cid = newCid();
    this.itemsValue = [...this.itemsValue, { kind: "pending", cid, text: "", pending: true, held: false, voice: { ...voice, status: "uploading", error: null } }];
    return cid;
  }

  /** The recording is uploaded: the message joins the outbox. Null if it is no longer shown. */
  voiceUploaded(cid: string, key: string, held: boolean): Outgoing | null {
    if (!this.pendingVoice(cid)) return null;
    const out = { cid, text: "", voice: { key } };
    this.outbox.set(cid, out);
    this.patchVoice(cid, { status: "sending" }, held);
    return out;
  }

  /** The voice message did not go out: it leaves the outbox and shows why. */
  voiceFailed(cid: string, error: VoiceFailure): boolean {
    if (!this.pendingVoice(cid)) return false;
    this.outbox.delete(cid);
    this.patchVoice(cid, { status: "failed", error }, false);
    return true;
  }

  /** A failed voice message goes again: uploading once more. */
  voiceRetry(cid: string): boolean {
    if (this.pendingVoice(cid)?.status !== "failed") return false;
    this.patchVoice(cid, { status: "uploading", error: null }, false);
    return true;
  }

  /** Removes a failed voice message from the list; false if there is none (a message on its way stays). */
  discard(cid: string): boolean {
    if (this.pendingVoice(cid)?.status !== "failed") return false;
    this.itemsValue = this.itemsValue.filter((i) => !(i.kind === "pending" && i.cid === cid));
    return true;
  }

  /** Marks every message in the outbox as held back (or no longer); false if none changed. */
  hold(held: boolean): boolean {
    const changes = (i: ChatItem): i is Pending => i.kind === "pending" && this.outbox.has(i.cid) && i.held !== held;
    if (!this.itemsValue.some(changes)) return false;
    this.itemsValue = this.itemsValue.map((i) => (changes(i) ? { ...i, held } : i));
    return true;
  }

  /**
   * Confirmed messages from the room (live, welcome or history), in any order, with repeats.
   * Returns the cids of this client's messages that they confirmed.
   */
  receive(messages: readonly ChatMessage[]): string[] {
    let items = this.itemsValue;
    const confirmed: string[] = [];
    for (const message of messages) {
      this.lastSeqValue = Math.max(this.lastSeqValue, message.seq);
      // A pending voice message is confirmed even outside the outbox: a refusal may have been
      // pinned on it (features/voice.ts) when the room had in fact stored it.
      const pending = items.find((i): i is Pending => i.kind === "pending" && i.cid === message.cid);
      if (this.outbox.delete(message.cid) || pending?.voice) {
        confirmed.push(message.cid);
        items = items.filter((i) => i !== pending);
      }
      if (this.seen.has(message.seq)) continue;
      this.seen.add(message.seq);
      const localUrl = pending?.voice && message.voice ? pending.voice.url : undefined;
      items = insertBySeq(items, { kind: "chat", message, pending: false, ...(localUrl ? { localUrl } : {}) });
    }
    this.itemsValue = items;
    return confirmed;
  }

  system(event: SystemEvent, name: string, ts: number): void {
    this.itemsValue = [...this.itemsValue, { kind: "system", event, name, ts, key: `system-${++this.systemCount}` }];
  }

  private pendingVoice(cid: string): PendingVoice | undefined {
    const item = this.itemsValue.find((i): i is Pending => i.kind === "pending" && i.cid === cid);
    return item?.voice;
  }

  private patchVoice(cid: string, patch: Partial<PendingVoice>, held: boolean): void {
    this.itemsValue = this.itemsValue.map((i) => (i.kind === "pending" && i.cid === cid && i.voice ? { ...i, held, voice: { ...i.voice, ...patch } } : i));
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
