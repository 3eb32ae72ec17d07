// One Durable Object per room. It adapts the pure RoomCore to the runtime: hibernatable
// WebSockets in, the core's effects carried out by one executor, roster and chat in SQLite. A
// socket's attachment holds only the id of the member it carries; after hibernation or eviction
// this object is constructed anew and rebuilds everything else from storage. No timers here (a
// pending setTimeout keeps the object awake): grace periods, chat retention and dead-socket
// checks all run from one alarm.

import { DurableObject } from "cloudflare:workers";
import { assertNever, CloseCode, HEARTBEAT_PING, HEARTBEAT_PONG, parseClientMessage, type ServerMessage } from "../../protocol/protocol";
import { roomConfig, type RoomConfig } from "../config";
import type { Env } from "../env";
import { newPeerId, newResumeToken } from "../ids";
import { RoomCore } from "../room/core";
import type { Effect, MintIce } from "../room/effects";
import { SocketGuard } from "../socket-guard";
import { SqliteChatLog } from "../storage/chat-log-sqlite";
import { SqliteMemberStore } from "../storage/member-store-sqlite";
import { migrateRoomSchema } from "../storage/schema";
import { iceConfigFor } from "../turn/ice-provider";
import { iceSettings, type IceSettings } from "../turn/ice-settings";
import { AlarmClock } from "./alarm-clock";
import { attachmentOf, newAttachment } from "./attachment";
import { countConstruction, type RunCounts } from "./run-stats";
import { SocketRegistry, tryClose, trySend } from "./sockets";

/** RFC 6455 §7.4.1: the server met a condition it did not expect. The client reconnects (and resumes). */
const INTERNAL_ERROR = 1011;

export class RoomDO extends DurableObject<Env> {
  private readonly config: RoomConfig;
  private readonly core: RoomCore;
  private readonly ice: IceSettings;
  private readonly sockets: SocketRegistry;
  private readonly alarmClock: AlarmClock;
  private readonly guards = new WeakMap<WebSocket, SocketGuard>();
  /**
   * Sockets this room has closed. The runtime still delivers what they had already sent (a
   * flood can leave thousands of frames in flight); those are ignored without any work.
   */
  private readonly closing = new WeakSet<WebSocket>();
  /** When dead sockets were last looked for (by the alarm, or on the way through a frame). */
  private lastPrune = Date.now();
  /** How often this instance's code ran; read by tests. */
  readonly stats = { constructed: Date.now(), messageRuns: 0, alarmRuns: 0 };
  /** The same across constructions, for the benchmark; null unless STATS_ROUTE is on. */
  private readonly runs: RunCounts | null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.runs = env.STATS_ROUTE === "on" ? countConstruction(ctx.id.toString(), Date.now()) : null;
    this.config = roomConfig(env);
    this.ice = iceSettings(env);
    const sql = ctx.storage.sql;
    const schema = migrateRoomSchema(sql, (run) => ctx.storage.transactionSync(run));
    this.core = new RoomCore(this.config, new SqliteChatLog(sql, schema), new SqliteMemberStore(sql, schema), {
      now: Date.now,
      newToken: newResumeToken,
      newPeerId,
    });
    // A new room has never set an alarm: no need to read it before setting the first.
    this.alarmClock = new AlarmClock(ctx.storage, schema.fresh, () => this.nextAlarm());
    this.sockets = new SocketRegistry(ctx.getWebSockets());
    this.core.restore(this.sockets.connected());
    // Heartbeats are answered by the runtime itself, so an idle room stays hibernated.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(HEARTBEAT_PING, HEARTBEAT_PONG));
  }

  /** Counts for the idle-cost benchmark; null unless STATS_ROUTE is on. */
  counters(): RunCounts | null {
    return this.runs;
  }

  /** The Worker has already checked the route, the upgrade header and the origin. */
  override async fetch(_request: Request): Promise<Response> {
    const { 0: client, 1: server } = new WebSocketPair();
    this.ctx.acceptWebSocket(server);
    server.serializeAttachment(newAttachment(Date.now()));
    this.alarmClock.schedule();
    return new Response(null, { status: 101, webSocket: client });
  }

  // Synchronous but while ICE credentials are minted (a join, an `ice` request): the relay path
  // allocates no promise.
  override webSocketMessage(ws: WebSocket, frame: string | ArrayBuffer): void | Promise<void> {
    this.stats.messageRuns++;
    if (this.runs) this.runs.messageRuns++;
    if (this.closing.has(ws)) return;
    const now = Date.now();
    if (now - this.lastPrune > this.config.staleMs) this.pruneStale(now, ws);
    const guard = this.guardFor(ws, now);
    const admission = guard.admit(now);
    switch (admission) {
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
      default:
        return assertNever(admission);
    }
    const parsed = parseClientMessage(frame, this.config.maxFrameBytes);
    if (!parsed.ok) {
      this.send(ws, { type: "error", ...parsed.error });
      if (parsed.error.code === "bad-version") this.expel(ws, CloseCode.BadVersion, parsed.error.message);
      else if (guard.strike()) this.expel(ws, CloseCode.ProtocolViolation, `too many invalid frames (last: ${parsed.error.code})`);
      return;
    }
    return this.execute(ws, this.core.handle(this.sockets.memberOf(ws), parsed.value));
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
    if (this.runs) this.runs.alarmRuns++;
    this.alarmClock.fired();
    this.pruneStale(Date.now(), null);
    // Ends with a schedule effect: the next alarm is always set from here.
    void this.execute(null, this.core.expire());
  }

  /**
   * Carries out the core's effects, in order, on behalf of `ws` (null for the alarm's). The one
   * place where effects meet the runtime. Returns a promise only while credentials are minted;
   * it never rejects (see mint), so a caller that cannot wait for it may drop it.
   */
  private execute(ws: WebSocket | null, effects: readonly Effect[]): Promise<void> | undefined {
    let minting: Promise<void> | undefined;
    for (const effect of effects) {
      switch (effect.kind) {
        case "send":
          this.sockets.deliver(ws, effect.to, JSON.stringify(effect.msg));
          break;
        case "bind":
          if (ws) this.sockets.bind(ws, effect.peerId);
          break;
        case "replace": {
          // Unbound first, so that closing it does not make the member away.
          const old = this.sockets.socketOf(effect.peerId);
          if (old && old !== ws) {
            this.sockets.unbind(old);
            this.closing.add(old);
            tryClose(old, CloseCode.Replaced, "resumed on a newer connection");
          }
          break;
        }
        case "unbind":
          if (ws) this.sockets.unbind(ws);
          break;
        case "close":
          if (ws) {
            this.closing.add(ws);
            tryClose(ws, effect.code, effect.reason);
          }
          break;
        case "mint-ice":
          if (ws) {
            const minted = this.mint(ws, effect);
            minting = minting ? Promise.all([minting, minted]).then(() => undefined) : minted;
          }
          break;
        case "schedule":
          this.alarmClock.schedule();
          break;
        default:
          assertNever(effect);
      }
    }
    return minting;
  }

  /**
   * Mints credentials for the member the core named, then hands them back to the core for the
   * socket that asked. Other frames run meanwhile (minting awaits crypto or the TURN API), so
   * by then the socket may be gone: it gets nothing. Returned to the runtime, so that the event
   * lasts until the join completes. Never rejects: an unexpected failure closes the socket with
   * 1011, and the client's reconnect recovers (nothing was stored for a join not yet admitted).
   */
  private mint(ws: WebSocket, effect: MintIce): Promise<void> {
    const name = `${this.ctx.id.name ?? this.ctx.id.toString()}/${effect.peerId}`;
    return iceConfigFor(this.ice, name, { now: Date.now })
      .then((ice) => {
        if (this.closing.has(ws) || ws.readyState !== WebSocket.OPEN) return;
        return this.execute(ws, this.core.minted(this.sockets.memberOf(ws), effect, ice));
      })
      .catch(() => tryClose(ws, INTERNAL_ERROR, "internal error"));
  }

  /** The alarm's next due time: a core deadline, or the next dead-socket check while there are sockets. */
  private nextAlarm(): number | null {
    const next = this.core.nextDeadline();
    if (this.ctx.getWebSockets().length === 0) return next;
    const prune = Date.now() + this.config.pruneIntervalMs;
    return next === null ? prune : Math.min(next, prune);
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

  private guardFor(ws: WebSocket, now: number): SocketGuard {
    let guard = this.guards.get(ws);
    if (!guard) this.guards.set(ws, (guard = new SocketGuard(this.config, now)));
    return guard;
  }

  private send(ws: WebSocket, msg: ServerMessage): void {
    trySend(ws, JSON.stringify(msg));
  }

  /** Closes a misbehaving socket; its member leaves at once (no grace period, no resume). */
  private expel(ws: WebSocket, code: number, reason: string): void {
    this.closing.add(ws);
    const id = this.sockets.unbind(ws);
    if (id) void this.execute(ws, this.core.expel(id));
    tryClose(ws, code, reason);
  }

  /** The socket is gone or going: its member, once, becomes away (and may resume). */
  private forget(ws: WebSocket): void {
    const id = this.sockets.unbind(ws);
    if (id) void this.execute(ws, this.core.disconnect(id));
  }
}
