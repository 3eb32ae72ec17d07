// Roster fan-out at 1,000 sockets (issue #16): a stage on a deployment with the SFU configured,
// ~1,000 members joined over loopback WebSockets, and the time from a join frame to its
// `peer-joined` at every other socket. Twice in the same process: roomlink as deployed (roster
// changes batched past ROSTER_BATCH_MIN), and the same Worker with batching off
// (ROSTER_BATCH_MIN past the room's size: one frame per change per socket, each serialised
// once, as before batching). No Realtime call is made: joining needs none.
//
// Two figures: a lone join (the first change after a quiet spell goes at once, so batching
// should cost nothing here), and a burst of BURST joins sent at once (a stage filling up), to
// the last `peer-joined` at the last socket. The clients run in this process on the same
// machine, so every figure includes their own cost of reading the frames.
//
// Since the crowd (protocol/features/crowd.ts) a plain viewer hears of no other plain viewer, so
// "everyone hears of everyone" is measured with members that hold the host key (hosts are never
// in the crowd: the same roster work as before the crowd, on the same Worker). The crowd variant
// is the same stage with one host and plain viewers: a join's `peer-joined` reaches the host
// alone, and a viewer's welcome lists the host only.

import { readFileSync, rmSync, writeFileSync } from "node:fs";
import WebSocket from "ws";
import { startLocal } from "./targets.ts";

/**
 * wrangler.toml without its [build] step: this figure needs the Worker only, and a web build
 * (which the project runs under a lock shared with the browser tests) would only slow it. Written
 * beside wrangler.toml, so that its relative paths hold; removed after.
 */
const CONFIG = ".wrangler-roster-bench.toml";
function workerOnlyConfig(): string {
  const toml = readFileSync("wrangler.toml", "utf8").replace(/^\[build\]\ncommand = .*\n/m, "");
  writeFileSync(CONFIG, toml);
  return CONFIG;
}

const BASE = Number(process.env.BENCH_ROSTER_SOCKETS ?? 950);
const BURST = 50;
const LONE = Number(process.env.BENCH_ROSTER_LONE ?? 10);
const joinFrame = (hostKey: string | null) =>
  JSON.stringify({ type: "join", v: 1, name: "viewer", media: { mic: false, cam: false, screen: false }, ...(hostKey ? { hostKey } : {}) });

/** Roster batching on or off, everyone seen (host keys) or a crowd (plain viewers and one host). */
export type RosterKind = "batched" | "unbatched" | "crowd";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Member {
  ws: WebSocket;
  id: string;
  /** Frames received after the welcome. */
  frames: number;
  /** The welcome's size (bytes): it carries the roster, so it grows with the room. */
  welcomeBytes: number;
}

export interface RosterRun {
  /** Each lone join: its frame sent → its `peer-joined` at the last of the other members (ms). */
  lone: number[];
  /** The burst: the first join sent → the last joiner's `peer-joined` at the last member (ms). */
  burst: number;
  /** Frames one existing viewer received for the burst (a batch counts one). */
  burstFrames: number;
  members: number;
  /** The welcome of the last lone joiner, bytes, and the members it found there. */
  welcomeBytes: number;
  baseMembers: number;
}

/** When each joiner's `peer-joined` reached the members that record (batches unpacked), by joiner id. */
type Arrivals = Map<string, number[]>;

function open(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers: { "CF-Connecting-IP": `roster-${Math.random()}` }, perMessageDeflate: false });
    ws.once("open", () => resolve(ws));
    ws.once("error", reject);
  });
}

/** Joins on an open socket; a member given `arrivals` records every peer-joined it gets from then on. */
function join(ws: WebSocket, arrivals: Arrivals | null, hostKey: string | null): Promise<Member> {
  return new Promise((resolve, reject) => {
    let member: Member | null = null;
    const timer = setTimeout(() => reject(new Error("join timed out")), 120_000);
    ws.on("message", (data) => {
      const at = performance.now();
      const m = JSON.parse(String(data)) as { type: string; you?: { id: string }; peer?: { id: string }; frames?: Array<{ type: string; peer?: { id: string } }> };
      if (!member) {
        if (m.type !== "welcome") return;
        clearTimeout(timer);
        resolve((member = { ws, id: m.you!.id, frames: 0, welcomeBytes: Buffer.byteLength(String(data)) }));
        return;
      }
      member.frames++;
      if (!arrivals) return;
      const joined = m.type === "peer-joined" ? [m] : m.type === "roster" ? m.frames!.filter((f) => f.type === "peer-joined") : [];
      for (const f of joined) {
        const list = arrivals.get(f.peer!.id);
        if (list) list.push(at);
        else arrivals.set(f.peer!.id, [at]);
      }
    });
    ws.send(joinFrame(hostKey));
  });
}

async function waitFor(pred: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > deadline) return false;
    await sleep(5);
  }
  return true;
}

/** One Worker, one stage of BASE members, LONE lone joins, then one burst of BURST (see RosterKind). */
export async function rosterFanOut(kind: RosterKind): Promise<RosterRun> {
  const batched = kind !== "unbatched";
  const plain = (value: string) => ({ type: "plain_text", value });
  const unlimited = (namespace_id: string) => ({ type: "ratelimit", namespace_id, simple: { limit: 1_000_000, period: 60 } });
  const config = workerOnlyConfig();
  const { base, stop } = await startLocal(config, {
    // Realtime configured (never called: a join makes no Realtime call), so the stage takes 1000.
    REALTIME_APP_ID: plain("bench-app"),
    REALTIME_APP_SECRET: plain("bench-secret"),
    REALTIME_API_URL: plain("http://127.0.0.1:9/v1"),
    SFU_STAGE_VIEWERS: plain("1000"),
    ROSTER_BATCH_MIN: plain(batched ? "48" : "1000000"),
    RATE_PER_SECOND: plain("100000"),
    RATE_BURST: plain("100000"),
    // These sockets send no heartbeat (a thousand pings would only add noise); joining them all
    // takes longer than the default 30 s of silence.
    STALE_SOCKET_SECONDS: plain("3600"),
    JOIN_LIMITER: unlimited("7101"),
    CREATE_LIMITER: unlimited("7102"),
  });
  const http = base.replace(/^ws/, "http");
  const all: WebSocket[] = [];
  try {
    const res = await fetch(`${http}/api/rooms`, { method: "POST", body: JSON.stringify({ mode: "stage" }), headers: { "CF-Connecting-IP": "roster-create" } });
    const { id: room, hostKey } = (await res.json()) as { id: string; hostKey: string };
    const url = `${base}/api/rooms/${room}/ws`;
    const arrivals: Arrivals = new Map();
    const members: Member[] = [];
    // Everyone seen: every member holds the host key. The crowd: one host, then plain viewers.
    const key = kind === "crowd" ? null : hostKey;
    if (kind === "crowd") {
      const ws = await open(url);
      all.push(ws);
      members.push(await join(ws, arrivals, hostKey));
    }
    // Twenty at a time: the room takes them one by one anyway. Only the first BASE record arrivals.
    for (let i = members.length; i < BASE; i += 20) {
      const chunk = await Promise.all(Array.from({ length: Math.min(20, BASE - i) }, () => open(url)));
      all.push(...chunk);
      members.push(...(await Promise.all(chunk.map((ws) => join(ws, arrivals, key)))));
      if (members.length % 200 === 0) process.stderr.write(`  ${members.length} joined\n`);
    }
    await sleep(1000);
    // Who hears of a join: every member, or in the crowd the host alone.
    const hearers = kind === "crowd" ? 1 : members.length;
    const reached = (id: string) => (arrivals.get(id)?.length ?? 0) >= hearers;
    const lone: number[] = [];
    let welcomeBytes = NaN;
    for (let i = 0; i < LONE; i++) {
      const ws = await open(url);
      all.push(ws);
      await sleep(200);
      const t0 = performance.now();
      const joiner = await join(ws, null, key);
      welcomeBytes = joiner.welcomeBytes;
      lone.push((await waitFor(() => reached(joiner.id), 60_000)) ? Math.max(...arrivals.get(joiner.id)!) - t0 : NaN);
      ws.send(JSON.stringify({ type: "leave" }));
      await sleep(300);
    }
    const burstSockets = await Promise.all(Array.from({ length: BURST }, () => open(url)));
    all.push(...burstSockets);
    await sleep(500);
    // A viewer's frames (the last member: in the crowd variant a plain viewer, not the host).
    const watcher = members[members.length - 1]!;
    const framesBefore = watcher.frames;
    const t0 = performance.now();
    const joiners = await Promise.all(burstSockets.map((ws) => join(ws, null, key)));
    const ok = await waitFor(() => joiners.every((j) => reached(j.id)), 60_000);
    const burst = ok ? Math.max(...joiners.flatMap((j) => arrivals.get(j.id)!)) - t0 : NaN;
    return { lone, burst, burstFrames: watcher.frames - framesBefore, members: members.length + joiners.length, welcomeBytes, baseMembers: members.length };
  } finally {
    for (const ws of all) ws.terminate();
    await stop();
    rmSync(config, { force: true });
  }
}
