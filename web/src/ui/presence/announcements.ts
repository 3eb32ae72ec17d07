// What the live region says (announcer.tsx), decided without a page: messages from others, joins
// and leaves, hands raised in a meeting, and the active speaker, at most once per SPEAKER_GAP_MS.
// Each function takes what changed and returns the sentences to say, as catalog keys.

import type { ChatItem } from "../../engine/features/chat-state";
import type { MessageKey, Params } from "../../i18n/i18n";

export interface Announcement {
  key: MessageKey;
  params: Params;
}

/** The active speaker is said at most this often: a lively talk would otherwise be all the reader says. */
export const SPEAKER_GAP_MS = 3000;
/** A message is said up to this many characters, then "…": the reader must not be held for long. */
export const MESSAGE_CHARS = 140;
/** After a reconnect the missed messages come in a burst: only the newest few are said. */
const MAX_MESSAGES_AT_ONCE = 3;
/** Joins and leaves are said in a room of up to this many people; more, and they would drown the rest. */
export const JOINS_UP_TO = 8;

export const truncate = (text: string, max = MESSAGE_CHARS): string => {
  const chars = [...text.trim().replace(/\s+/g, " ")];
  return chars.length <= max ? chars.join("") : `${chars.slice(0, max - 1).join("").trimEnd()}…`;
};

/** An item's identity in the chat list, or null for our own sends (nothing to tell us). */
function itemId(item: ChatItem): string | null {
  if (item.kind === "chat") return `m${item.message.seq}`;
  if (item.kind === "system") return `s${item.key}`;
  return null;
}

/** Marks everything in `items` as already seen: what was there before the region mounted is not news. */
export function markSeen(items: readonly ChatItem[], seen: Set<string>): void {
  for (const item of items) {
    const id = itemId(item);
    if (id) seen.add(id);
  }
}

/**
 * What is new in the chat since `seen` (which it updates): others' messages, and joins and leaves
 * if `joins`. Only messages sent since we joined (`joinedAt`, the room's clock, as the messages'
 * times; null before the welcome): the history a joiner is sent is not news.
 */
export function chatAnnouncements(items: readonly ChatItem[], seen: Set<string>, selfId: string | null, labels: ReadonlyMap<string, string>, joins: boolean, joinedAt: number | null): Announcement[] {
  const messages: Announcement[] = [];
  const others: Announcement[] = [];
  for (const item of items) {
    const id = itemId(item);
    if (!id || seen.has(id)) continue;
    seen.add(id);
    // Joins and leaves are this device's own notes of live events (on its clock): always news.
    if (item.kind === "system") {
      // A recording's start and stop are the REC banner's to announce (ui/recording/rec-banner.tsx).
      if (joins && (item.event === "joined" || item.event === "left")) others.push({ key: item.event === "joined" ? "announce.joined" : "announce.left", params: { name: item.name } });
    } else if (item.kind === "chat" && item.message.from !== selfId && joinedAt !== null && item.message.ts >= joinedAt) {
      const name = labels.get(item.message.from) ?? item.message.name;
      const text = truncate(item.message.text);
      messages.push(item.message.voice && !text ? { key: "announce.voice", params: { name } } : { key: "announce.message", params: { name, text } });
    }
  }
  return [...others, ...messages.slice(-MAX_MESSAGES_AT_ONCE)];
}

/** Hands that went up since `before`, others' only. */
export function handAnnouncements(before: readonly string[], after: readonly string[], selfId: string | null, labels: ReadonlyMap<string, string>): Announcement[] {
  return after.filter((id) => id !== selfId && !before.includes(id) && labels.has(id)).map((id) => ({ key: "announce.hand", params: { name: labels.get(id)! } }));
}

export interface Clock {
  now(): number;
  set(fn: () => void, ms: number): unknown;
  clear(timer: unknown): void;
}

const realClock: Clock = {
  now: () => performance.now(),
  set: (fn, ms) => setTimeout(fn, ms),
  clear: (timer) => clearTimeout(timer as ReturnType<typeof setTimeout>),
};

/**
 * The active speaker, said at once and then at most once per `gapMs`: a change within the gap
 * waits for its end, and only the latest is said (unless it is the one said last).
 */
export class SpeakerThrottle {
  private lastAt = Number.NEGATIVE_INFINITY;
  private lastSaid: string | null = null;
  private pending: string | null = null;
  private timer: unknown = null;

  constructor(
    private readonly say: (id: string) => void,
    private readonly gapMs = SPEAKER_GAP_MS,
    private readonly clock: Clock = realClock,
  ) {}

  next(id: string | null): void {
    this.pending = id;
    if (id === null || this.timer !== null) return;
    const wait = this.lastAt + this.gapMs - this.clock.now();
    if (wait <= 0) this.flush();
    else this.timer = this.clock.set(() => {
      this.timer = null;
      this.flush();
    }, wait);
  }

  dispose(): void {
    if (this.timer !== null) this.clock.clear(this.timer);
    this.timer = null;
    this.pending = null;
  }

  private flush(): void {
    const id = this.pending;
    this.pending = null;
    if (id === null || id === this.lastSaid) return;
    this.lastSaid = id;
    this.lastAt = this.clock.now();
    this.say(id);
  }
}
