// The slow reader (issue #10, item 1): one member asks for history at 50 requests a second for
// 10 s and never reads its socket, in a room whose history is 100 messages of 4000 Cyrillic
// characters (two bytes each in UTF-8: ~8 KB a message as JSON), while two other members chat.
// Before the fix each 30-byte request was answered with the whole history (~800 KB), all of it
// buffered for a socket that never drains: the local runtime grew by ~600 MB in 10 s, and a
// production room object (128 MB) would be reset. Now a reply carries a one-time token that the
// next request must present, so at most one page (≤ 64 KiB) waits for a socket that does not read.
//
// Reports the workerd processes' RSS growth during the attack, the others' chat latency during
// it against the same room quiet, and how many history pages the attacker had buffered.

import type { Socket } from "node:net";
import { percentile } from "./relay.ts";
import { rssKiB, type BenchSocket, type Target } from "./targets.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface SlowReaderResult {
  rssGrowthKiB: number;
  quiet: { p50: number; p99: number };
  attack: { p50: number; p99: number };
  requests: number;
  /** History replies the attacker found waiting once it read again. */
  pagesBuffered: number;
}

const HISTORY_MESSAGES = 100;
const TEXT = "ж".repeat(4000);
const CHAT_EVERY_MS = 50;
/** The attack's pace: 50 requests a second, the per-socket frame rate the room allows. */
const TICK_MS = 20;
const RSS_EVERY_TICKS = 10;

/**
 * One message from `a` every 50 ms for `ms`, until `samples` (filled by the receiver) has them
 * all. Meanwhile `tick` runs every 20 ms, on schedule (it catches up when a timer fires late).
 */
async function chatLatency(a: BenchSocket, ms: number, samples: number[], tick: () => void): Promise<void> {
  const start = performance.now();
  let n = 0;
  let ticks = 0;
  const ticker = setInterval(() => {
    const due = Math.floor((performance.now() - start) / TICK_MS);
    for (; ticks < due; ticks++) tick();
  }, TICK_MS);
  while (performance.now() - start < ms) {
    a.ws.send(JSON.stringify({ type: "chat", text: String(performance.now()), cid: `lat-${++n}-${Math.random().toString(36).slice(2, 8)}` }));
    await sleep(CHAT_EVERY_MS);
  }
  clearInterval(ticker);
  const deadline = Date.now() + 5000;
  while (samples.length < n && Date.now() < deadline) await sleep(10);
}

export async function slowReader(target: Target, seconds = 10): Promise<SlowReaderResult> {
  const room = await target.room();
  const seeder = await target.join(room);
  let seeded = 0;
  seeder.onPayload(() => seeded++);
  for (let i = 0; i < HISTORY_MESSAGES; i++) seeder.ws.send(JSON.stringify({ type: "chat", text: TEXT, cid: `seed-${i}` }));
  while (seeded < HISTORY_MESSAGES) await sleep(10);
  seeder.close();

  const a = await target.join(room);
  const b = await target.join(room);
  // One-way latency at B of what A sends; `sink` is the phase being measured.
  const quiet: number[] = [];
  const during: number[] = [];
  let sink = quiet;
  b.onPayload((p, at) => {
    const sent = Number(p);
    if (Number.isFinite(sent)) sink.push(at - sent);
  });
  // Memory is sampled in both phases alike, so that sampling weighs on both measurements the same.
  let peak = 0;
  let ticks = 0;
  const sampleRss = () => {
    if (++ticks % RSS_EVERY_TICKS === 0) peak = Math.max(peak, rssKiB(target.pids()));
  };
  await chatLatency(a, seconds * 1000, quiet, sampleRss);

  const attacker = await target.join(room);
  let pagesBuffered = 0;
  attacker.ws.on("message", (d) => void (String(d).startsWith('{"type":"history"') && pagesBuffered++));
  // Stop reading: what the room sends piles up in the kernel's buffers and then in workerd's.
  // `ws` exposes no pause for reading; its underlying TCP socket does.
  const tcp = (attacker.ws as unknown as { _socket: Socket })._socket;
  tcp.pause();

  sink = during;
  const before = rssKiB(target.pids());
  peak = before;
  let requests = 0;
  await chatLatency(a, seconds * 1000, during, () => {
    attacker.ws.send('{"type":"history","after":0}');
    requests++;
    sampleRss();
  });
  await sleep(1000);
  peak = Math.max(peak, rssKiB(target.pids()));

  // Read again: how many replies had been waiting?
  tcp.resume();
  await sleep(2000);
  for (const s of [a, b]) s.close();
  attacker.ws.terminate();
  quiet.sort((x, y) => x - y);
  during.sort((x, y) => x - y);
  return {
    rssGrowthKiB: peak - before,
    quiet: { p50: percentile(quiet, 0.5), p99: percentile(quiet, 0.99) },
    attack: { p50: percentile(during, 0.5), p99: percentile(during, 0.99) },
    requests,
    pagesBuffered,
  };
}
