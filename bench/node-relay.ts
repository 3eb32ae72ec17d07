// The machine floor for the signaling benchmark: a minimal relay in Node with `ws`, run in its
// own process so that its memory can be read. Every frame goes as is to the room's other sockets.
import { WebSocketServer, type WebSocket } from "ws";

const rooms = new Map<string, Set<WebSocket>>();
const server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
server.on("connection", (ws, req) => {
  const room = new URL(req.url ?? "/", "http://x").searchParams.get("room") ?? "default";
  let peers = rooms.get(room);
  if (!peers) rooms.set(room, (peers = new Set()));
  peers.add(ws);
  ws.send("{}");
  ws.on("message", (data, isBinary) => {
    for (const other of peers!) if (other !== ws) other.send(data, { binary: isBinary });
  });
  ws.on("close", () => peers!.delete(ws));
});
server.on("listening", () => {
  const address = server.address();
  process.stdout.write(`${typeof address === "object" && address ? address.port : 0}\n`);
});
