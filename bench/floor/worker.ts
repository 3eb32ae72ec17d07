// The platform floor for the signaling benchmark: the least a Durable Object relay can do on the
// same runtime. One object per room, hibernatable sockets, every frame forwarded as is to the
// room's other sockets; no validation, no storage, no protocol. Not part of the product.
//
// With `?features=1` it also does the platform calls a join into a real room needs, and nothing
// else: a per-address rate-limit check, a join frame answered after writing one row to the room's
// SQLite storage, and (once per room) an alarm. The connect storm is reported against this too,
// to tell what those platform features cost from what roomlink's own code costs.

import { DurableObject } from "cloudflare:workers";

interface Env {
  ROOMS: DurableObjectNamespace<FloorRoom>;
  LIMITER: RateLimit;
}

export class FloorRoom extends DurableObject<Env> {
  private alarmSet = false;

  override async fetch(request: Request): Promise<Response> {
    const { 0: client, 1: server } = new WebSocketPair();
    this.ctx.acceptWebSocket(server);
    if (new URL(request.url).searchParams.has("features")) {
      if (!this.alarmSet) {
        this.alarmSet = true;
        this.ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS members (id TEXT PRIMARY KEY, joined INTEGER)");
        void this.ctx.storage.setAlarm(Date.now() + 90_000);
      }
    } else {
      server.send("{}"); // the "welcome", so that a join can be timed the same way
    }
    return new Response(null, { status: 101, webSocket: client });
  }

  override webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): void {
    if (typeof message === "string" && message.startsWith('{"type":"join"')) {
      this.ctx.storage.sql.exec("INSERT INTO members VALUES (?, ?)", crypto.randomUUID(), Date.now());
      ws.send("{}");
      return;
    }
    for (const other of this.ctx.getWebSockets()) if (other !== ws) other.send(message);
  }

  override alarm(): void {}
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const url = new URL(request.url);
    if (url.searchParams.has("features")) await env.LIMITER.limit({ key: request.headers.get("CF-Connecting-IP") ?? "" });
    return env.ROOMS.get(env.ROOMS.idFromName(url.searchParams.get("room") ?? "default")).fetch(request);
  },
} satisfies ExportedHandler<Env>;
