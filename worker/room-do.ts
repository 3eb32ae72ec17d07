// One Durable Object per room. It adapts the pure RoomCore to the runtime: hibernatable
// WebSockets in, frames out, roster and chat in SQLite. A socket's attachment holds only the id
// of the member it carries; after hibernation or eviction this object is constructed anew and
// rebuilds everything else from storage. No timers here (a pending setTimeout keeps the object
// awake): grace periods, chat retention and dead-socket checks all run from one alarm.

import { DurableObject } from "cloudflare:workers";
import { CloseCode, HEARTBEAT_PING, HEARTBEAT_PONG, parseClientMessage, type ClientMessage, type ServerMessage } from "../protocol/protocol";
import { SqliteChatLog } from "./chat-log-sqlite";
import { roomConfig, type RoomConfig } from "./config";
import type { Env } from "./env";
import { newPeerId, newResumeToken } from "./ids";
import { SqliteMemberStore } from "./member-store-sqlite";
import { ensureRoomSchema } from "./room-schema";
import { RoomCore, type Step } from "./room-core";
import { SocketGuard, TokenBucket } from "./socket-guard";
import { iceConfigFor } from "./turn/ice-provider";
import { iceSettings, type IceSettings } from "./turn/ice-settings";

/**
 * How often each room's code ran, for the idle-cost benchmark. Kept per room at module level,
 * because an instance's own fields start over when a hibernated room wakes.
 */
interface RunCounters {
  constructedAt: number[];
  messageRuns: number;
  alarmRuns: number;
}
const counters = new Map<string, RunCounters>();

/** Fresh ICE credentials on request: enough for refreshes and restarts, not for harvesting. */
const ICE_REQUEST_RATE = { perSecond: 1 / 30, burst: 5 };

/** What a socket carries through hibernation: the member it belongs to, once joined. */
interface SocketAttachment {
  id: string | null;
  /** When the socket was accepted: a socket that never heartbeats is judged from here. */
  opened: number;
}

function attachmentOf(ws: WebSocket): SocketAttachment {
  return (ws.deserializeAttachment() as SocketAttachment | null) ?? { id: null, opened: 0 };
}


/** ws.send/close throw once the peer has gone; a vanished recipient is not the sender's problem. */
function trySend(ws: WebSocket, frame: string): void {
  try {
    ws.send(frame);
  } catch {
    // The socket is closing; its close handler will tidy up.
  }
}

function tryClose(ws: WebSocket, code: number, reason: string): void {
  try {
    ws.close(code, reason);
  } catch {
    // Already closed.
  }
}

export class RoomDO extends DurableObject<Env> {
  private readonly config: RoomConfig;
  private readonly core: RoomCore;
  private readonly ice: IceSettings;
  /** Connected sockets by member id; rebuilt from attachments on every construction. */
  private readonly sockets = new Map<string, WebSocket>();
  /** The member each socket carries: the attachment's id, read once instead of on every frame. */
  private readonly ids = new WeakMap<WebSocket, string>();
  /** The alarm as last set (undefined until read from storage once): saves a storage read per join. */
  private alarmAt: number | null | undefined = undefined;
  private readonly guards = new WeakMap<WebSocket, SocketGuard>();
  private readonly iceBuckets = new WeakMap<WebSocket, TokenBucket>();
  /**
   * Sockets this room has closed. The runtime still delivers what they had already sent (a
   * flood can leave thousands of frames in flight); those are ignored without any work.
   */
  private readonly closing = new WeakSet<WebSocket>();
  /** When dead sockets were last looked for (by the alarm, or on the way through a frame). */
  private lastPrune = Date.now();
  /** How often this instance's code ran; read by tests. */
  readonly stats = { constructed: Date.now(), messageRuns: 0, alarmRuns: 0 };
  private readonly runs: RunCounters;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    const key = ctx.id.toString();
    this.runs = counters.get(key) ?? { constructedAt: [], messageRuns: 0, alarmRuns: 0 };
    counters.set(key, this.runs);
    this.runs.constructedAt.push(Date.now());
    this.config = roomConfig(env);
    this.ice = iceSettings(env);
    const schema = ensureRoomSchema(ctx.storage.sql);
    // A new room has never set an alarm: no need to read it before setting the first.
    if (schema.fresh) this.alarmAt = null;
    this.core = new RoomCore(this.config, new SqliteChatLog(ctx.storage.sql, schema), new SqliteMemberStore(ctx.storage.sql, schema), {
      now: Date.now,
      newToken: newResumeToken,
    });
    for (const ws of ctx.getWebSockets()) {
      const { id } = attachmentOf(ws);
      if (id && ws.readyState === WebSocket.OPEN) {
        this.sockets.set(id, ws);
        this.ids.set(ws, id);
      }
    }
    this.core.restore(new Set(this.sockets.keys()));
    // Heartbeats are answered by the runtime itself, so an idle room stays hibernated.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(HEARTBEAT_PING, HEARTBEAT_PONG));
  }

  /** Counters for the idle-cost benchmark (reached only when STATS_ROUTE is on). */
  counters(): RunCounters {
    return this.runs;
  }

  /** The Worker has already checked the route, the upgrade header and the origin. */
  override async fetch(_request: Request): Promise<Response> {
    const { 0: client, 1: server } = new WebSocketPair();
    this.ctx.acceptWebSocket(server);
    server.serializeAttachment({ id: null, opened: Date.now() } satisfies SocketAttachment);
    this.scheduleAlarm();
    return new Response(null, { status: 101, webSocket: client });
  }

  // Synchronous but for a join (it mints ICE credentials) and an ICE request: the relay path
  // allocates no promise.
  override webSocketMessage(ws: WebSocket, frame: string | ArrayBuffer): void | Promise<void> {
    this.stats.messageRuns++;
    this.runs.messageRuns++;
    if (this.closing.has(ws)) return;
    const now = Date.now();
    if (now - this.lastPrune > this.config.staleMs) this.pruneStale(now, ws);
    const guard = this.guardFor(ws);
    switch (guard.admit(now)) {
      case "ok":
        break;
      case "throttled":
        this.send(ws, { type: "error", code: "rate-limited", message: "too many frames: slow down" });
        return;
      case "drop":
        return;
      case "close":
        this.expel(ws, CloseCode.RateLimited, "rate limit exceeded");
        return;
    }
    const parsed = parseClientMessage(frame, this.config.maxFrameBytes);
    if (!parsed.ok) {
      this.send(ws, { type: "error", ...parsed.error });
      if (parsed.error.code === "bad-version") this.expel(ws, CloseCode.BadVersion, parsed.error.message);
      else if (guard.strike()) this.expel(ws, CloseCode.ProtocolViolation, `too many invalid frames (last: ${parsed.error.code})`);
      return;
    }
    const msg = parsed.value;
    const sender = this.ids.get(ws) ?? null;
    if (msg.type === "join" && sender === null) return this.join(ws, msg);
    const step = this.core.handle(sender, msg);
    this.apply(ws, step);
    if (step.iceRequested && sender !== null) return this.sendIce(ws, sender);
  }

  private async join(ws: WebSocket, msg: Extract<ClientMessage, { type: "join" }>): Promise<void> {
    // Credentials are minted for the member's id before it is admitted: its old id when it
    // resumes, else a fresh one.
    let id = this.core.resumableId(msg) ?? this.freshId();
    const ice = await this.iceFor(id);
    // Other frames may have run meanwhile: the socket may be gone, or joined by a twin frame,
    // or the member it resumes may have expired (then it joins afresh).
    if (ws.readyState !== WebSocket.OPEN) return;
    if (this.core.resumableId(msg) !== id && this.core.has(id)) id = this.freshId();
    this.apply(ws, this.core.handle(this.ids.get(ws) ?? null, msg, { id, ice }));
  }

  private freshId(): string {
    let id: string;
    do id = newPeerId();
    while (this.core.has(id));
    return id;
  }

  /**
   * Closes sockets that stopped heartbeating (a frozen connection the runtime has not noticed).
   * The alarm does this rarely (an idle room should sleep); a room that wakes for a frame anyway
   * does it on the way, at most once per stale period, so that in a live room a dead member shows
   * as away within about that period.
   */
  private pruneStale(now: number, except: WebSocket | null): void {
    this.lastPrune = now;
    for (const ws of this.ctx.getWebSockets()) {
      if (ws === except) continue; // it has just sent a frame: alive
      const lastBeat = this.ctx.getWebSocketAutoResponseTimestamp(ws)?.getTime() ?? attachmentOf(ws).opened;
      if (now - lastBeat > this.config.staleMs) {
        // Presumed dead, not misbehaving: its member becomes away and may still resume.
        this.forget(ws);
        tryClose(ws, CloseCode.HeartbeatTimeout, "no heartbeat");
      }
    }
  }

  override webSocketClose(ws: WebSocket, _code: number, _reason: string, _wasClean: boolean): void {
    this.forget(ws);
  }

  override webSocketError(ws: WebSocket, _error: unknown): void {
    this.forget(ws);
  }

  /** Housekeeping: dead sockets, members whose grace period ran out, chat of a long-empty room. */
  override alarm(): void {
    this.stats.alarmRuns++;
    this.runs.alarmRuns++;
    this.alarmAt = null; // this one has fired
    this.pruneStale(Date.now(), null);
    this.deliver(null, this.core.expire());
    this.scheduleAlarm();
  }

  /**
   * Sets the one alarm to the earliest deadline: a grace period or the chat retention ending, or
   * the next dead-socket check while there are sockets. Storage writes are not awaited: the
   * output gate holds outgoing frames until they are durable.
   */
  private scheduleAlarm(): void {
    if (this.alarmAt === undefined) {
      void this.ctx.storage.getAlarm().then((current) => {
        this.alarmAt ??= current;
        this.scheduleAlarm();
      });
      return;
    }
    let next = this.core.nextDeadline();
    if (this.ctx.getWebSockets().length > 0) {
      const prune = Date.now() + this.config.pruneIntervalMs;
      next = next === null ? prune : Math.min(next, prune);
    }
    if (next === null) {
      if (this.alarmAt !== null) void this.ctx.storage.deleteAlarm();
      this.alarmAt = null;
    } else if (this.alarmAt === null || this.alarmAt > next) {
      this.alarmAt = next;
      void this.ctx.storage.setAlarm(next);
    }
  }

  private iceFor(peerId: string) {
    return iceConfigFor(this.ice, `${this.ctx.id.name ?? this.ctx.id.toString()}/${peerId}`, { now: Date.now });
  }

  private async sendIce(ws: WebSocket, peerId: string): Promise<void> {
    let bucket = this.iceBuckets.get(ws);
    if (!bucket) this.iceBuckets.set(ws, (bucket = new TokenBucket(ICE_REQUEST_RATE, Date.now())));
    if (!bucket.take(Date.now())) {
      this.send(ws, { type: "error", code: "rate-limited", message: "too many ICE credential requests" });
      return;
    }
    this.send(ws, { type: "ice", ice: await this.iceFor(peerId) });
  }

  private guardFor(ws: WebSocket): SocketGuard {
    let guard = this.guards.get(ws);
    if (!guard) {
      guard = new SocketGuard(this.config, Date.now());
      this.guards.set(ws, guard);
    }
    return guard;
  }

  private apply(ws: WebSocket, step: Step): void {
    if (step.replaced) {
      // The member came back on this socket while its old one still looked alive (a frozen
      // connection): the old one is unbound first, so closing it does not make the member away.
      const old = this.sockets.get(step.replaced);
      if (old && old !== ws) {
        this.bind(old, null);
        tryClose(old, CloseCode.Replaced, "resumed on a newer connection");
      }
    }
    // Only a change of member is written to the attachment (a media update is not).
    if (step.member && this.ids.get(ws) !== step.member.id) {
      this.bind(ws, step.member.id);
      this.sockets.set(step.member.id, ws);
    }
    if (step.departed) this.unbind(ws);
    this.deliver(ws, step);
    if (step.close) tryClose(ws, step.close.code, step.close.reason);
    // A join only ever moves deadlines later (the alarm then finds nothing to do and moves on);
    // a leave may start the chat retention clock.
    if (step.departed) this.scheduleAlarm();
  }

  private bind(ws: WebSocket, id: string | null): void {
    ws.serializeAttachment({ ...attachmentOf(ws), id } satisfies SocketAttachment);
    if (id) this.ids.set(ws, id);
    else this.ids.delete(ws);
  }

  private deliver(self: WebSocket | null, step: Step): void {
    for (const { to, msg } of step.out) {
      const frame = JSON.stringify(msg);
      if (to === "self") {
        if (self) trySend(self, frame);
        continue;
      }
      for (const id of to) {
        const ws = this.sockets.get(id);
        if (ws) trySend(ws, frame);
      }
    }
  }

  private send(ws: WebSocket, msg: ServerMessage): void {
    trySend(ws, JSON.stringify(msg));
  }

  /** Closes a misbehaving socket; its member leaves at once (no grace period, no resume). */
  private expel(ws: WebSocket, code: number, reason: string): void {
    this.closing.add(ws);
    const id = this.unbind(ws);
    if (id) this.deliver(ws, this.core.expel(id));
    tryClose(ws, code, reason);
    this.scheduleAlarm();
  }

  /** The socket is gone or going: its member, once, becomes away (and may resume). */
  private forget(ws: WebSocket): void {
    const id = this.unbind(ws);
    if (!id) return;
    this.deliver(ws, this.core.disconnect(id));
    this.scheduleAlarm();
  }

  private unbind(ws: WebSocket): string | null {
    const id = this.ids.get(ws) ?? null;
    if (!id) return null;
    this.bind(ws, null);
    if (this.sockets.get(id) === ws) this.sockets.delete(id);
    return id;
  }
}
