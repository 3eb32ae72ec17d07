// Reactions as this member sees them (protocol/features/reactions.ts): what the person clicks shows
// at once and goes to the room as one `react` frame per REACTION_BATCH_MS; what the others send,
// and what the welcome says they sent in the last seconds, shows too. Each code is its own item in
// `state.reactions` for REACTION_SHOW_MS, at most MAX_SHOWN at once, so a busy room cannot grow
// the list (or the UI's work) without bound. One timer expires them, one more closes a batch;
// both, and the clock, are injected so that tests run them by hand.

import {
  type ClientMessage,
  type ErrorCode,
  isReactionCode,
  MAX_REACTIONS_PER_FRAME,
  REACTION_BATCH_MS,
  REACTION_RATE,
  REACTION_RECENT_MS,
  type ReactionCode,
  type ServerMessage,
} from "../../../../protocol/protocol";
import { realTimers, type Timers } from "../files/timers";
import type { StateUpdate } from "../session/session-state";
import { REACTION_SHOW_MS, type ReactionItem } from "./presence-view";

type Msg<K extends ServerMessage["type"]> = Extract<ServerMessage, { type: K }>;

/** Items on screen at once; past it the oldest go first (they were about to leave anyway). */
export const MAX_SHOWN = 50;

export interface ReactionsDeps {
  send: (msg: ClientMessage) => boolean;
  /** Our peer id; null before the first welcome (nothing to react as). */
  selfId: () => string | null;
  update: StateUpdate<"reactions">;
  /** This device's monotonic clock, ms (performance.now()): what ReactionItem.at is on. */
  now?: () => number;
  timers?: Timers;
}

export class ReactionsFeature {
  private readonly now: () => number;
  private readonly timers: Timers;
  /** On screen, oldest first; a new array on every change (it is the snapshot's). */
  private items: readonly ReactionItem[] = [];
  private keys = 0;
  /** Clicked, shown, not sent yet: the batch the timer closes. */
  private pending: ReactionCode[] = [];
  private batchTimer: unknown = null;
  private expiryTimer: unknown = null;
  /** When the expiry timer is due (this clock), so that a new item behind the first does not re-arm it. */
  private expiryDue: number | null = null;
  /**
   * Our copy of the room's ration (REACTION_RATE, each code a token), spent when a frame leaves as
   * the room spends it when the frame arrives: a click past it is dropped here, where nothing
   * shows, instead of being refused by the room. Frames bunched on the way (one delayed, the next
   * right behind it) can still meet `rate-limited`; then we back off (error()).
   */
  private tokens: number = REACTION_RATE.burst;
  private tokensAt: number | null = null;
  /** The room's clock minus ours, from a fresh welcome's join time; null before one. */
  private roomOffset: number | null = null;
  /** The newest batch heard from the room (its clock): a welcome after a reconnect shows only newer ones. */
  private lastAt = Number.NEGATIVE_INFINITY;
  private disposed = false;

  constructor(private readonly deps: ReactionsDeps) {
    this.now = deps.now ?? (() => performance.now());
    this.timers = deps.timers ?? realTimers;
  }

  /** The person clicked `code`: shown at once, sent with this batch. False if dropped (ration, full frame, not in a room). */
  react(code: ReactionCode): boolean {
    const self = this.deps.selfId();
    if (this.disposed || self === null || !isReactionCode(code)) return false;
    if (this.pending.length >= MAX_REACTIONS_PER_FRAME || this.available() < this.pending.length + 1) return false;
    this.pending.push(code);
    this.batchTimer ??= this.timers.setTimeout(() => this.flush(), REACTION_BATCH_MS);
    this.show([{ from: self, code }], this.now());
    return true;
  }

  /** Another member's batch, relayed by the room. */
  receive(msg: Msg<"reaction">): void {
    if (this.disposed) return;
    this.lastAt = Math.max(this.lastAt, msg.at);
    this.show(
      msg.reactions.map((code) => ({ from: msg.from, code })),
      this.now(),
    );
  }

  /**
   * The welcome's batches of the last REACTION_RECENT_MS: a late joiner sees the applause it walked
   * into. Each shows for what is left of those seconds, at most REACTION_SHOW_MS, backdated so that
   * it leaves when it would have (a UI animating by `at` shows it mid-flight). Not those we heard
   * before a reconnect, and not our own (we showed them when we sent them).
   */
  welcome(msg: Msg<"welcome">): void {
    if (this.disposed) return;
    const now = this.now();
    // A fresh welcome's join time is the room's clock now; a resume's is the old join, so the
    // offset from the first welcome holds (as the stage feature's does).
    if (!msg.resumed) this.roomOffset = msg.you.joined - now;
    if (this.roomOffset === null) return;
    const roomNow = now + this.roomOffset;
    const shown: ReactionItem[] = [];
    for (const batch of msg.reactions) {
      if (batch.at <= this.lastAt || batch.from === msg.you.id) continue;
      const left = Math.min(REACTION_SHOW_MS, REACTION_RECENT_MS - Math.max(0, roomNow - batch.at));
      if (left <= 0) continue;
      const at = now - (REACTION_SHOW_MS - left);
      for (const code of batch.reactions) shown.push({ key: this.nextKey(), from: batch.from, code, at });
    }
    for (const batch of msg.reactions) this.lastAt = Math.max(this.lastAt, batch.at);
    if (shown.length > 0) this.place(shown);
  }

  /** The room refused a frame of ours for its rate: our copy of the ration was ahead of the room's, so it starts again from empty. */
  error(code: ErrorCode): void {
    if (code !== "rate-limited") return;
    this.tokens = 0;
    this.tokensAt = this.now();
  }

  /** Stops both timers; later calls do nothing (react returns false). */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.pending = [];
    if (this.batchTimer !== null) this.timers.clearTimeout(this.batchTimer);
    if (this.expiryTimer !== null) this.timers.clearTimeout(this.expiryTimer);
    this.batchTimer = this.expiryTimer = this.expiryDue = null;
  }

  /** The batch's time is up: one frame with what was clicked. */
  private flush() {
    this.batchTimer = null;
    const reactions = this.pending;
    this.pending = [];
    if (reactions.length === 0) return;
    // Not connected: dropped. A reaction is worth seconds, not an outbox; ours has shown already.
    if (!this.deps.send({ type: "react", reactions })) return;
    this.available();
    this.tokens -= reactions.length;
  }

  /** The ration now, refilled for the time since we last looked. */
  private available(): number {
    const now = this.now();
    if (this.tokensAt !== null) this.tokens = Math.min(REACTION_RATE.burst, this.tokens + ((now - this.tokensAt) / 1000) * REACTION_RATE.perSecond);
    this.tokensAt = now;
    return this.tokens;
  }

  private show(entries: ReadonlyArray<{ from: string; code: ReactionCode }>, at: number) {
    this.place(entries.map(({ from, code }) => ({ key: this.nextKey(), from, code, at })));
  }

  /** Adds items in time order (a welcome's are backdated), keeping the newest MAX_SHOWN. */
  private place(added: readonly ReactionItem[]) {
    const next = [...this.items, ...added].sort((a, b) => a.at - b.at);
    this.items = next.length > MAX_SHOWN ? next.slice(next.length - MAX_SHOWN) : next;
    this.deps.update({ reactions: this.items });
    this.arm();
  }

  private expire() {
    this.expiryTimer = this.expiryDue = null;
    const now = this.now();
    const left = this.items.filter((i) => i.at + REACTION_SHOW_MS > now);
    if (left.length !== this.items.length) {
      this.items = left;
      this.deps.update({ reactions: left });
    }
    this.arm();
  }

  /** One timer, for the oldest item. */
  private arm() {
    const first = this.items[0];
    const due = first ? first.at + REACTION_SHOW_MS : null;
    if (due === this.expiryDue) return;
    if (this.expiryTimer !== null) this.timers.clearTimeout(this.expiryTimer);
    this.expiryTimer = null;
    this.expiryDue = due;
    if (due !== null) this.expiryTimer = this.timers.setTimeout(() => this.expire(), Math.max(0, due - this.now()));
  }

  private nextKey(): string {
    return `reaction-${++this.keys}`;
  }
}
