// One Durable Object per room. It adapts the pure RoomCore to the runtime: hibernatable
// WebSockets in, frames out, roster and chat in SQLite. A socket's attachment holds only the id
// of the member it carries; after hibernation or eviction this object is constructed anew and
// rebuilds everything else from storage. No timers here (a pending setTimeout keeps the object
// awake): grace periods, chat retention and dead-socket checks all run from one alarm.

import { DurableObject } from "cloudflare:workers";
import { CloseCode, HEARTBEAT_PING, HEARTBEAT_PONG, parseClientMessage, type ServerMessage } from "../protocol/protocol";
import { SqliteChatLog } from "./chat-log-sqlite";
import { roomConfig, type RoomConfig } from "./config";
import type { Env } from "./env";
import { newPeerId, newResumeToken } from "./ids";
import { SqliteMemberStore } from "./member-store-sqlite";
import { RoomCore, type Step } from "./room-core";
import { SocketGuard, TokenBucket } from "./socket-guard";
import { iceConfigFor } from "./turn/ice-provider";
import { iceSettings, type IceSettings } from "./turn/ice-settings";

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

function setMember(ws: WebSocket, id: string | null): void {
  ws.serializeAttachment({ ...attachmentOf(ws), id } satisfies SocketAttachment);
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
  private readonly guards = new WeakMap<WebSocket, SocketGuard>();
  private readonly iceBuckets = new WeakMap<WebSocket, TokenBucket>();
  /**
   * Sockets this room has closed. The runtime still delivers what they had already sent (a
   * flood can leave thousands of frames in flight); those are ignored without any work.
   */
  private readonly closing = new WeakSet<WebSocket>();
  /** How often this instance's code ran; read by tests and the idle-cost benchmark. */
  readonly stats = { constructed: Date.now(), messageRuns: 0, alarmRuns: 0 };

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.config = roomConfig(env);
    this.ice = iceSettings(env);
    this.core = new RoomCore(this.config, new SqliteChatLog(ctx.storage.sql), new SqliteMemberStore(ctx.storage.sql), {
      now: Date.now,
      newToken: newResumeToken,
    });
    for (const ws of ctx.getWebSockets()) {
      const { id } = attachmentOf(ws);
      if (id && ws.readyState === WebSocket.OPEN) this.sockets.set(id, ws);
    }
    this.core.restore(new Set(this.sockets.keys()));
    // Heartbeats are answered by the runtime itself, so an idle room stays hibernated.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(HEARTBEAT_PING, HEARTBEAT_PONG));
  }

  /** The Worker has already checked the route, the upgrade header and the origin. */
  override async fetch(_request: Request): Promise<Response> {
    const { 0: client, 1: server } = new WebSocketPair();
    this.ctx.acceptWebSocket(server);
    server.serializeAttachment({ id: null, opened: Date.now() } satisfies SocketAttachment);
    await this.scheduleAlarm();
    return new Response(null, { status: 101, webSocket: client });
  }

  override async webSocketMessage(ws: WebSocket, frame: string | ArrayBuffer): Promise<void> {
    this.stats.messageRuns++;
    if (this.closing.has(ws)) return;
    const guard = this.guardFor(ws);
    switch (guard.admit(Date.now())) {
      case "ok":
        break;
      case "throttled":
        this.send(ws, { type: "error", code: "rate-limited", message: "too many frames: slow down" });
        return;
      case "drop":
        return;
      case "close":
        await this.expel(ws, CloseCode.RateLimited, "rate limit exceeded");
        return;
    }
    const parsed = parseClientMessage(frame, this.config.maxFrameBytes);
    if (!parsed.ok) {
      this.send(ws, { type: "error", ...parsed.error });
      if (parsed.error.code === "bad-version") await this.expel(ws, CloseCode.BadVersion, parsed.error.message);
      else if (guard.strike()) await this.expel(ws, CloseCode.ProtocolViolation, `too many invalid frames (last: ${parsed.error.code})`);
      return;
    }
    const msg = parsed.value;
    const sender = attachmentOf(ws).id;
    if (msg.type === "join" && sender === null) {
      // Credentials are minted for the member's id before it is admitted: its old id when it
      // resumes, else a fresh one.
      let id = this.core.resumableId(msg);
      if (!id) do id = newPeerId(); while (this.core.has(id));
      const ice = await this.iceFor(id);
      // Other frames may have run meanwhile: the socket may be gone, or joined by a twin frame,
      // or the member it resumes may have expired (then it joins afresh).
      if (ws.readyState !== WebSocket.OPEN) return;
      if (this.core.resumableId(msg) !== id && this.core.has(id)) do id = newPeerId(); while (this.core.has(id));
      await this.apply(ws, this.core.handle(attachmentOf(ws).id, msg, { id, ice }));
      return;
    }
    const step = this.core.handle(sender, msg);
    await this.apply(ws, step);
    if (step.iceRequested && sender !== null) await this.sendIce(ws, sender);
  }

  override async webSocketClose(ws: WebSocket, _code: number, _reason: string, _wasClean: boolean): Promise<void> {
    await this.forget(ws);
  }

  override async webSocketError(ws: WebSocket, _error: unknown): Promise<void> {
    await this.forget(ws);
  }

  /** Housekeeping: dead sockets, members whose grace period ran out, chat of a long-empty room. */
  override async alarm(): Promise<void> {
    this.stats.alarmRuns++;
    const now = Date.now();
    for (const ws of this.ctx.getWebSockets()) {
      const lastBeat = this.ctx.getWebSocketAutoResponseTimestamp(ws)?.getTime() ?? attachmentOf(ws).opened;
      if (now - lastBeat > this.config.staleMs) {
        // Presumed dead, not misbehaving: its member becomes away and may still resume.
        await this.forget(ws);
        tryClose(ws, CloseCode.HeartbeatTimeout, "no heartbeat");
      }
    }
    this.deliver(null, this.core.expire());
    await this.scheduleAlarm();
  }

  private async scheduleAlarm(): Promise<void> {
    let next = this.core.nextDeadline();
    if (this.ctx.getWebSockets().length > 0) {
      const prune = Date.now() + this.config.pruneIntervalMs;
      next = next === null ? prune : Math.min(next, prune);
    }
    const current = await this.ctx.storage.getAlarm();
    if (next === null) {
      if (current !== null) await this.ctx.storage.deleteAlarm();
    } else if (current === null || current > next) {
      await this.ctx.storage.setAlarm(next);
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

  private async apply(ws: WebSocket, step: Step): Promise<void> {
    if (step.replaced) {
      // The member came back on this socket while its old one still looked alive (a frozen
      // connection): the old one is unbound first, so closing it does not make the member away.
      const old = this.sockets.get(step.replaced);
      if (old && old !== ws) {
        setMember(old, null);
        tryClose(old, CloseCode.Replaced, "resumed on a newer connection");
      }
    }
    if (step.member) {
      setMember(ws, step.member.id);
      this.sockets.set(step.member.id, ws);
    }
    if (step.departed) this.unbind(ws);
    this.deliver(ws, step);
    if (step.close) tryClose(ws, step.close.code, step.close.reason);
    if (step.member || step.departed) await this.scheduleAlarm();
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
  private async expel(ws: WebSocket, code: number, reason: string): Promise<void> {
    this.closing.add(ws);
    const id = this.unbind(ws);
    if (id) this.deliver(ws, this.core.expel(id));
    tryClose(ws, code, reason);
    await this.scheduleAlarm();
  }

  /** The socket is gone or going: its member, once, becomes away (and may resume). */
  private async forget(ws: WebSocket): Promise<void> {
    const id = this.unbind(ws);
    if (!id) return;
    this.deliver(ws, this.core.disconnect(id));
    await this.scheduleAlarm();
  }

  private unbind(ws: WebSocket): string | null {
    const { id } = attachmentOf(ws);
    if (!id) return null;
    setMember(ws, null);
    if (this.sockets.get(id) === ws) this.sockets.delete(id);
    return id;
  }
}
