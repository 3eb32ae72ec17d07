// The platform floor for the signaling benchmark: the least a Durable Object relay can do on the
// same runtime. One object per room, hibernatable sockets, every frame forwarded as is to the
// room's other sockets; no validation, no storage, no protocol. Not part of the product.

import { DurableObject } from "cloudflare:workers";

interface Env {
  ROOMS: DurableObjectNamespace<FloorRoom>;
}

export class FloorRoom extends DurableObject<Env> {
  override async fetch(): Promise<Response> {
    const { 0: client, 1: server } = new WebSocketPair();
    this.ctx.acceptWebSocket(server);
    server.send("{}"); // the "welcome", so that a join can be timed the same way
    return new Response(null, { status: 101, webSocket: client });
  }

  override webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): void {
    for (const other of this.ctx.getWebSockets()) if (other !== ws) other.send(message);
  }
}

export default {
  fetch(request: Request, env: Env): Response | Promise<Response> {
    const room = new URL(request.url).searchParams.get("room") ?? "default";
    return env.ROOMS.get(env.ROOMS.idFromName(room)).fetch(request);
  },
} satisfies ExportedHandler<Env>;
