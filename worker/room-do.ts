// One Durable Object per room. It adapts the pure RoomCore to the runtime: hibernatable
// WebSockets in, frames out, chat in SQLite. Everything it must remember about a socket lives in
// the socket's attachment, because after hibernation this object is constructed anew and only
// the sockets and storage remain. No timers here: a pending setTimeout keeps the object awake.

import { DurableObject } from "cloudflare:workers";
import {
  CloseCode,
  HEARTBEAT_PING,
  HEARTBEAT_PONG,
  parseClientMessage,
  type PeerInfo,
  type ServerMessage,
} from "../protocol/protocol";
import { SqliteChatLog } from "./chat-log-sqlite";
import { roomConfig, type RoomConfig } from "./config";
import type { Env } from "./env";
import { newPeerId } from "./ids";
import { RoomCore, type Step } from "./room-core";
import { SocketGuard, TokenBucket } from "./socket-guard";
import { iceConfigFor } from "./turn/ice-provider";
import { iceSettings, type IceSettings } from "./turn/ice-settings";

/** Fresh ICE credentials on request: enough for refreshes and restarts, not for harvesting. */
const ICE_REQUEST_RATE = { perSecond: 1 / 30, burst: 5 };

/** What a socket carries through hibernation. */
interface SocketAttachment {
  peer: PeerInfo | null;
}

function attachmentOf(ws: WebSocket): SocketAttachment {
  const a = ws.deserializeAttachment() as SocketAttachment | null;
  return a ?? { peer: null };
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
  /** Joined sockets by peer id; rebuilt from attachments on every construction. */
  private readonly sockets = new Map<string, WebSocket>();
  private readonly guards = new WeakMap<WebSocket, SocketGuard>();
  private readonly iceBuckets = new WeakMap<WebSocket, TokenBucket>();
  private readonly ice: IceSettings;
  /** How often this instance's code ran; read by tests and the idle-cost benchmark. */
  readonly stats = { constructed: Date.now(), messageRuns: 0 };

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.config = roomConfig(env);
    this.ice = iceSettings(env);
    this.core = new RoomCore(this.config, new SqliteChatLog(ctx.storage.sql), { now: Date.now });
    for (const ws of ctx.getWebSockets()) {
      const { peer } = attachmentOf(ws);
      if (peer && ws.readyState === WebSocket.OPEN) {
        this.core.restore(peer);
        this.sockets.set(peer.id, ws);
      }
    }
    // Heartbeats are answered by the runtime itself, so an idle room stays hibernated.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(HEARTBEAT_PING, HEARTBEAT_PONG));
  }

  /** The Worker has already checked the route, the upgrade header and the origin. */
  override async fetch(_request: Request): Promise<Response> {
    const { 0: client, 1: server } = new WebSocketPair();
    this.ctx.acceptWebSocket(server);
    server.serializeAttachment({ peer: null } satisfies SocketAttachment);
    return new Response(null, { status: 101, webSocket: client });
  }

  override async webSocketMessage(ws: WebSocket, frame: string | ArrayBuffer): Promise<void> {
    this.stats.messageRuns++;
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
        this.drop(ws, CloseCode.RateLimited, "rate limit exceeded");
        return;
    }
    const parsed = parseClientMessage(frame, this.config.maxFrameBytes);
    if (!parsed.ok) {
      this.send(ws, { type: "error", ...parsed.error });
      if (parsed.error.code === "bad-version") this.drop(ws, CloseCode.BadVersion, parsed.error.message);
      else if (guard.strike()) this.drop(ws, CloseCode.ProtocolViolation, `too many invalid frames (last: ${parsed.error.code})`);
      return;
    }
    const sender = attachmentOf(ws).peer?.id ?? null;
    const msg = parsed.value;
    if (msg.type === "join" && sender === null) {
      // Credentials are minted for the new member's id, before it is admitted.
      let id = newPeerId();
      while (this.core.has(id)) id = newPeerId();
      const ice = await this.iceFor(id);
      // Other frames may have run meanwhile: the socket may be gone, or joined by a twin frame.
      if (ws.readyState !== WebSocket.OPEN) return;
      this.apply(ws, this.core.handle(attachmentOf(ws).peer?.id ?? null, msg, { id, ice }));
      return;
    }
    const step = this.core.handle(sender, msg);
    this.apply(ws, step);
    if (step.iceRequested && sender !== null) await this.sendIce(ws, sender);
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

  override webSocketClose(ws: WebSocket, _code: number, _reason: string, _wasClean: boolean): void {
    this.forget(ws);
  }

  override webSocketError(ws: WebSocket, _error: unknown): void {
    this.forget(ws);
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
    if (step.member) {
      ws.serializeAttachment({ peer: step.member } satisfies SocketAttachment);
      this.sockets.set(step.member.id, ws);
    }
    if (step.departed) this.unlink(ws);
    this.deliver(ws, step);
    if (step.close) tryClose(ws, step.close.code, step.close.reason);
  }

  private deliver(self: WebSocket, step: Step): void {
    for (const { to, msg } of step.out) {
      const frame = JSON.stringify(msg);
      if (to === "self") {
        trySend(self, frame);
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

  /** Closes a misbehaving socket and tells the others it left. */
  private drop(ws: WebSocket, code: number, reason: string): void {
    this.forget(ws);
    tryClose(ws, code, reason);
  }

  /** The socket is gone or going: remove its member, once, and tell the others. */
  private forget(ws: WebSocket): void {
    const peerId = this.unlink(ws);
    if (peerId) this.deliver(ws, this.core.disconnect(peerId));
  }

  private unlink(ws: WebSocket): string | null {
    const { peer } = attachmentOf(ws);
    if (!peer) return null;
    ws.serializeAttachment({ peer: null } satisfies SocketAttachment);
    if (this.sockets.get(peer.id) === ws) this.sockets.delete(peer.id);
    return peer.id;
  }
}
