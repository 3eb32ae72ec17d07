// Every frame the room sends goes through here: each is serialised once, whoever its recipients,
// and in a large room roster changes (peer-joined, peer-left, peer-presence, peer-sfu) are held
// for a moment and sent as one `roster` frame (protocol/features/roster-batch.ts). A stage
// filling up with a thousand viewers is a thousand joins, each told to everyone: a million socket
// sends one by one, a few thousand batched.
//
// The first change after a quiet spell goes at once (a lone join costs no delay); changes within
// ROSTER_BATCH_MS of a send are held and go together when the window ends, so a burst costs one
// frame per window, whatever its size.
//
// The batch is per member: each change keeps the recipients it was sent to, and each member gets,
// in order, exactly the changes it would have got one by one (a joiner hears nothing of what its
// welcome showed). Members who are due the same changes share one serialised frame. Order is kept
// per member: before any other frame reaches a member with changes pending, the batch goes out,
// and a socket that is about to change hands (bind, replace, close) gets its batch first.
//
// The one timer in the room object (STYLE.md prefers alarms): an alarm is a storage write and
// fires in the order of a second, which is no window for a batch. This one runs at most
// ROSTER_BATCH_MS and only while changes are pending, so it delays hibernation by that much at
// most; an evicted object loses only frames for sockets that eviction closes anyway.

import { isRosterBatchType } from "../../protocol/protocol";
import type { Outgoing, Target } from "../room/effects";

/** What the fan-out needs of the room's sockets (durable/sockets.ts SocketRegistry). */
export interface FanOutSockets {
  /** Sends a frame as the effect says: to the socket being handled, to members, or to knocks. */
  deliver(self: WebSocket | null, to: Target, frame: string): void;
  /** Sends a frame to a member's socket, if it has one. */
  sendToMember(id: string, frame: string): void;
  memberOf(ws: WebSocket): string | null;
}

export interface FanOutPolicy {
  /** Recipients a roster change must have to be batched (config.rosterBatchMin). */
  min: number;
  /** Longest a change is held. */
  windowMs: number;
  /** Most changes in one batch: the batch goes out when it is full. */
  max: number;
}

interface Held {
  json: string;
  to: ReadonlySet<string>;
}

export class FanOut {
  private held: Held[] = [];
  /** Everyone due a held change. */
  private readonly due = new Set<string>();
  private timer: ReturnType<typeof setTimeout> | null = null;
  /** Until when a change is held rather than sent at once (ms, this.now's clock). */
  private quietAt = 0;
  /** Frames and batches sent, for tests and the bench (GET …/stats). */
  readonly counts = { batches: 0, batched: 0 };

  constructor(
    private readonly sockets: FanOutSockets,
    private readonly policy: FanOutPolicy,
    private readonly now: () => number = Date.now,
  ) {}

  /** Delivers `msg` to `to` on behalf of the socket being handled (`self`). */
  send(self: WebSocket | null, to: Target, msg: Outgoing): void {
    if (Array.isArray(to) && to.length >= this.policy.min && isRosterBatchType(msg.type)) return this.hold(to, JSON.stringify(msg));
    if (this.due.size > 0) this.flushFor(self, to);
    this.sockets.deliver(self, to, JSON.stringify(msg));
  }

  /** The member's socket is about to change (bound, replaced, closed): what it is due goes out first. */
  before(peerId: string): void {
    if (this.due.has(peerId)) this.flush();
  }

  /** Sends everything held. */
  flush(): void {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    const held = this.held;
    if (held.length === 0) return;
    this.held = [];
    // Members grouped by the changes they are due: a key lists the changes' indexes.
    const groups = new Map<string, string[]>();
    for (const id of this.due) {
      let key = "";
      for (let i = 0; i < held.length; i++) if (held[i]!.to.has(id)) key += key === "" ? `${i}` : `,${i}`;
      const ids = groups.get(key);
      if (ids) ids.push(id);
      else groups.set(key, [id]);
    }
    this.due.clear();
    for (const [key, ids] of groups) {
      const parts = key.split(",").map((i) => held[Number(i)]!.json);
      // One change alone goes as itself: the same frame it would have been unbatched.
      const frame = parts.length === 1 ? parts[0]! : `{"type":"roster","frames":[${parts.join(",")}]}`;
      if (parts.length > 1) this.counts.batches++;
      for (const id of ids) this.sockets.sendToMember(id, frame);
    }
    this.counts.batched += held.length;
  }

  private hold(to: readonly string[], json: string): void {
    this.held.push({ json, to: new Set(to) });
    for (const id of to) this.due.add(id);
    const now = this.now();
    if (this.held.length >= this.policy.max || now >= this.quietAt) {
      this.quietAt = now + this.policy.windowMs;
      return this.flush();
    }
    this.timer ??= setTimeout(() => {
      this.timer = null;
      this.quietAt = this.now() + this.policy.windowMs;
      this.flush();
    }, Math.max(1, this.quietAt - now));
  }

  private flushFor(self: WebSocket | null, to: Target): void {
    if (to === "self") {
      const id = self ? this.sockets.memberOf(self) : null;
      if (id !== null && this.due.has(id)) this.flush();
    } else if (Array.isArray(to)) {
      for (const id of to) if (this.due.has(id)) return this.flush();
    }
  }
}
