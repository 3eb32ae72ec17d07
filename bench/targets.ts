// The three relays the signaling benchmark compares, behind one small interface: roomlink's own
// Worker (wrangler's local runtime, as `npm start` runs it), a minimal Durable Object relay on the
// same runtime (the platform floor), and a minimal Node `ws` relay (the machine floor).

import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { unstable_startWorker } from "wrangler";
import WebSocket from "ws";

process.env.CLOUDFLARE_CF_FETCH_ENABLED = "false";
process.env.WRANGLER_SEND_METRICS = "false";

export interface BenchSocket {
  ws: WebSocket;
  /** The id other sockets address it by (roomlink's peer id; the others need none). */
  id: string;
  /** Every payload that reaches this socket, with its arrival time (performance.now()). */
  onPayload(fn: (payload: string, at: number) => void): void;
  close(): void;
}

export interface Target {
  name: string;
  /** A new room's id (roomlink: created with POST /api/rooms, as the web app does). */
  room(): Promise<string>;
  /**
   * Opens a socket in a room and resolves once it is joined (roomlink: welcome). `host`: roomlink
   * only, join with the room's host key (from its creation), as the creator's browser does.
   */
  join(room: string, opts?: { host?: boolean }): Promise<BenchSocket>;
  /** A ~300-byte frame that carries `payload` to one socket. */
  signal(to: BenchSocket, payload: string): string;
  /** A frame that carries `payload` to everyone else in the room. */
  broadcast(payload: string): string;
  /** The server's processes, for memory readings. */
  pids(): number[];
  /** roomlink only: how often a room's code has run (GET /api/rooms/:id/stats). */
  counters?(room: string): Promise<{ constructedAt: number[]; messageRuns: number; alarmRuns: number }>;
  stop(): Promise<void>;
}

const PAD = "x".repeat(220);
export const newRoom = () => randomBytes(16).toString("base64url");

function workerdPids(): number[] {
  try {
    return execFileSync("pgrep", ["-x", "workerd"], { encoding: "utf8" }).trim().split("\n").filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

export function rssKiB(pids: number[]): number {
  let total = 0;
  for (const pid of pids) {
    try {
      // Read directly, not through a child process: sampling during a measurement must not stall this event loop.
      const status = readFileSync(`/proc/${pid}/status`, "utf8");
      total += Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    } catch {
      // gone
    }
  }
  return total;
}

function openSocket(
  url: string,
  headers: Record<string, string>,
  readId: (first: string) => string | null,
  payloadOf: (frame: string) => string | null,
  hello?: string,
): Promise<BenchSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers, perMessageDeflate: false });
    if (hello) ws.on("open", () => ws.send(hello));
    const listeners: Array<(p: string, at: number) => void> = [];
    let joined = false;
    const timer = setTimeout(() => reject(new Error("join timed out")), 30_000);
    ws.on("message", (data) => {
      const at = performance.now();
      const text = String(data);
      if (!joined) {
        const id = readId(text);
        if (id === null) return;
        joined = true;
        clearTimeout(timer);
        resolve({ ws, id, onPayload: (fn) => listeners.push(fn), close: () => ws.close() });
        return;
      }
      const payload = payloadOf(text);
      if (payload !== null) for (const fn of listeners) fn(payload, at);
    });
    ws.on("error", (e) => {
      clearTimeout(timer);
      if (!joined) reject(e);
    });
    ws.on("close", () => {
      clearTimeout(timer);
      if (!joined) reject(new Error("closed before joining"));
    });
  });
}

const rawFrame = (payload: string) => JSON.stringify({ p: payload, pad: PAD });
const rawPayload = (frame: string) => {
  try {
    return (JSON.parse(frame) as { p?: string }).p ?? null;
  } catch {
    return null;
  }
};

let clientNumber = 0;

/** A Worker on wrangler's local runtime: its ws:// base and the workerd processes it started. */
export async function startLocal(config: string, bindings: Record<string, unknown> = {}) {
  const before = new Set(workerdPids());
  const worker = await unstable_startWorker({
    config,
    bindings,
    dev: { server: { hostname: "127.0.0.1", port: 0 }, inspector: false, watch: false, persist: false, logLevel: "error" },
  } as Parameters<typeof unstable_startWorker>[0]);
  await worker.ready;
  const base = (await worker.url).toString().replace(/^http/, "ws").replace(/\/$/, "");
  return { base, pids: workerdPids().filter((p) => !before.has(p)), stop: () => worker.dispose() };
}

export async function roomlinkTarget(): Promise<Target> {
  const plain = (value: string) => ({ type: "plain_text", value });
  // The benchmark measures the relay, not the abuse limits: they are lifted for it.
  const unlimited = (namespace_id: string) => ({ type: "ratelimit", namespace_id, simple: { limit: 1_000_000, period: 60 } });
  const { base, pids, stop } = await startLocal("wrangler.toml", {
    ROOM_CAPACITY: plain("200"),
    RATE_PER_SECOND: plain("100000"),
    RATE_BURST: plain("100000"),
    // The fan-out broadcasts chat at 50 a second; history's ration stays as deployed (slow-reader.ts).
    CHAT_PER_SECOND: plain("100000"),
    CHAT_BURST: plain("100000"),
    STATS_ROUTE: plain("on"),
    JOIN_LIMITER: unlimited("7001"),
    CREATE_LIMITER: unlimited("7002"),
  });
  const http = base.replace(/^ws/, "http");
  const hostKeys = new Map<string, string>();
  return {
    name: "roomlink",
    room: async () => {
      const res = await fetch(`${http}/api/rooms`, { method: "POST", headers: { "CF-Connecting-IP": `bench-create-${++clientNumber}` } });
      if (!res.ok) throw new Error(`create room: ${res.status}`);
      const { id, hostKey } = (await res.json()) as { id: string; hostKey: string };
      hostKeys.set(id, hostKey);
      return id;
    },
    join: (room, opts = {}) =>
      openSocket(
        `${base}/api/rooms/${room}/ws`,
        { "CF-Connecting-IP": `bench-${++clientNumber}` },
        (first) => {
          const m = JSON.parse(first) as { type: string; you?: { id: string } };
          return m.type === "welcome" ? m.you!.id : null;
        },
        (frame) => {
          if (frame === "pong") return null;
          const m = JSON.parse(frame) as { type: string; data?: { candidate?: { candidate: string } }; message?: { text: string } };
          if (m.type === "signal") return m.data!.candidate!.candidate.split(" ")[0]!;
          if (m.type === "chat") return m.message!.text;
          return null;
        },
        opts.host ? JSON.stringify({ ...JSON.parse(JOIN_FRAME), hostKey: hostKeys.get(room) }) : JOIN_FRAME,
      ),
    signal: (to, payload) => JSON.stringify({ type: "signal", to: to.id, data: { kind: "candidate", candidate: { candidate: `${payload} ${PAD}`, sdpMid: "0", sdpMLineIndex: 0 } } }),
    broadcast: (payload) => JSON.stringify({ type: "chat", text: payload, cid: `${payload}-${++clientNumber}` }),
    pids: () => pids,
    counters: async (room) => {
      const res = await fetch(`${http}/api/rooms/${room}/stats`);
      if (!res.ok) throw new Error(`stats: ${res.status}`);
      return (await res.json()) as { constructedAt: number[]; messageRuns: number; alarmRuns: number };
    },
    stop,
  };
}

const JOIN_FRAME = JSON.stringify({ type: "join", v: 1, name: "bench", media: { mic: false, cam: false, screen: false } });

/** The floor DO; `features`: with the platform calls a real join needs (see bench/floor/worker.ts). */
export async function floorDoTarget(features = false): Promise<Target> {
  const { base, pids, stop } = await startLocal("bench/floor/wrangler.toml");
  return {
    name: features ? "floor-do-features" : "floor-do",
    room: async () => newRoom(),
    join: (room) =>
      features
        ? openSocket(`${base}/ws?room=${room}&features=1`, { "CF-Connecting-IP": `bench-${++clientNumber}` }, (first) => (first === "{}" ? "" : null), rawPayload, JOIN_FRAME)
        : openSocket(`${base}/ws?room=${room}`, {}, (first) => (first === "{}" ? "" : null), rawPayload),
    signal: (_to, payload) => rawFrame(payload),
    broadcast: rawFrame,
    pids: () => pids,
    stop,
  };
}

export async function nodeWsTarget(): Promise<Target> {
  const child: ChildProcess = spawn(process.execPath, ["bench/node-relay.ts"], { stdio: ["ignore", "pipe", "inherit"] });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.once("data", (d) => resolve(Number(String(d).trim())));
    child.once("exit", () => reject(new Error("node relay exited")));
  });
  return {
    name: "node-ws",
    room: async () => newRoom(),
    join: (room) => openSocket(`ws://127.0.0.1:${port}/?room=${room}`, {}, (first) => (first === "{}" ? "" : null), rawPayload),
    signal: (_to, payload) => rawFrame(payload),
    broadcast: rawFrame,
    pids: () => (child.pid ? [child.pid] : []),
    stop: async () => {
      child.kill();
    },
  };
}
