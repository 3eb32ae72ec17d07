// The Realtime stand-in on a loopback port, for the browser harness (test infrastructure only):
// a real Node HTTP server on 127.0.0.1 and an ephemeral port, each request handed to the
// stand-in's `handle` as a fetch Request. Point the Worker at `apiUrl` (REALTIME_API_URL) with the
// same app id and secret. A client that goes away aborts its request, so a "timeout" fault ends
// with it; `stop()` releases whatever still hangs, closes the server, and shuts the engine down.

import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { MediaEngine } from "./engine";
import { RealtimeStandIn } from "./http";

export interface RunningStandIn {
  /** What REALTIME_API_URL should be, e.g. http://127.0.0.1:39123/v1 */
  apiUrl: string;
  standIn: RealtimeStandIn;
  stop(): Promise<void>;
}

export interface StandInOptions {
  appId: string;
  secret: string;
  engine: MediaEngine;
}

/** Largest body the server reads: far above any real call, and a bound all the same. */
const MAX_BODY_BYTES = 4 * 1024 * 1024;

async function readBody(req: IncomingMessage): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of req) {
    total += (chunk as Buffer).byteLength;
    if (total > MAX_BODY_BYTES) return null;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

async function serve(standIn: RealtimeStandIn, req: IncomingMessage, res: ServerResponse, base: string): Promise<void> {
  const aborted = new AbortController();
  res.on("close", () => {
    if (!res.writableFinished) aborted.abort(new Error("the client went away"));
  });
  const body = await readBody(req);
  if (body === null) {
    res.writeHead(413, { "content-type": "application/json" }).end(JSON.stringify({ errorCode: "too_large", errorDescription: "body too large" }));
    return;
  }
  const headers = new Headers();
  for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
  const request = new Request(new URL(req.url ?? "/", base), {
    method: req.method ?? "GET",
    headers,
    ...(body.byteLength > 0 && req.method !== "GET" && req.method !== "HEAD" ? { body: new Uint8Array(body) } : {}),
  });
  let answer: Response;
  try {
    answer = await standIn.handle(request, aborted.signal);
  } catch {
    // A call left hanging was given up on: nobody is there to answer.
    if (!res.writableEnded) res.destroy();
    return;
  }
  res.writeHead(answer.status, Object.fromEntries(answer.headers));
  res.end(Buffer.from(await answer.arrayBuffer()));
}

export async function startRealtimeStandIn(o: StandInOptions): Promise<RunningStandIn> {
  const standIn = new RealtimeStandIn(o.appId, o.secret, o.engine);
  let base = "http://127.0.0.1";
  const server = createServer((req, res) => {
    serve(standIn, req, res, base).catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  base = `http://127.0.0.1:${port}`;
  return {
    apiUrl: `${base}/v1`,
    standIn,
    async stop() {
      standIn.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await o.engine.shutdown();
    },
  };
}
