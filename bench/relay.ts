// Signaling scenarios, each run against one target and returning its figures.

import { rssKiB, type BenchSocket, type Target } from "./targets.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
}

async function joinAll(target: Target, room: string, n: number): Promise<BenchSocket[]> {
  const out: BenchSocket[] = [];
  for (let i = 0; i < n; i++) out.push(await target.join(room));
  return out;
}

/** 2 peers exchanging ~300-byte signals at 200/s in all (100/s each way) for 5 s: one-way latency. */
export async function latency(target: Target): Promise<{ p50: number; p99: number; delivered: number; expected: number }> {
  const [a, b] = await joinAll(target, await target.room(), 2);
  const samples: number[] = [];
  for (const s of [a!, b!]) s.onPayload((p, at) => samples.push(at - Number(p)));
  const PER_SIDE = 500;
  for (let i = 0; i < PER_SIDE; i++) {
    a!.ws.send(target.signal(b!, String(performance.now())));
    b!.ws.send(target.signal(a!, String(performance.now())));
    await sleep(10);
  }
  await waitFor(() => samples.length >= PER_SIDE * 2, 5000);
  a!.close();
  b!.close();
  samples.sort((x, y) => x - y);
  return { p50: percentile(samples, 0.5), p99: percentile(samples, 0.99), delivered: samples.length, expected: PER_SIDE * 2 };
}

/** One message to a room of n sockets: latency until the last receiver has it, and how many arrived. */
export async function fanout(target: Target, n: number): Promise<{ p50: number; p99: number; delivered: number; expected: number }> {
  const sockets = await joinAll(target, await target.room(), n);
  const sender = sockets[0]!;
  const MESSAGES = 100;
  const arrivals = new Map<string, number[]>();
  for (const s of sockets.slice(1)) s.onPayload((p, at) => arrivals.get(p)?.push(at));
  const lastArrival: number[] = [];
  let delivered = 0;
  for (let i = 0; i < MESSAGES; i++) {
    const id = `m${i}-${Math.random().toString(36).slice(2, 8)}`;
    arrivals.set(id, []);
    const t0 = performance.now();
    sender.ws.send(target.broadcast(id));
    const got = arrivals.get(id)!;
    await waitFor(() => got.length >= n - 1, 5000);
    delivered += got.length;
    if (got.length) lastArrival.push(Math.max(...got) - t0);
    await sleep(20);
  }
  for (const s of sockets) s.close();
  lastArrival.sort((x, y) => x - y);
  return { p50: percentile(lastArrival, 0.5), p99: percentile(lastArrival, 0.99), delivered, expected: MESSAGES * (n - 1) };
}

/** A bounded burst from one peer to another: messages per second at the receiver. */
export async function throughput(target: Target, count = 3000): Promise<{ perSecond: number; delivered: number }> {
  const [a, b] = await joinAll(target, await target.room(), 2);
  let received = 0;
  let last = 0;
  b!.onPayload((_p, at) => {
    received++;
    last = at;
  });
  const t0 = performance.now();
  for (let i = 0; i < count; i++) a!.ws.send(target.signal(b!, String(i)));
  await waitFor(() => received >= count, 30_000);
  a!.close();
  b!.close();
  return { perSecond: (received / (last - t0)) * 1000, delivered: received };
}

/** 500 sockets into 250 rooms at once: time until all are joined, failures, and server memory. */
export async function storm(target: Target, sockets = 500): Promise<{ ms: number; failures: number; rssIdleKiB: number; rssLoadedKiB: number }> {
  const rssIdleKiB = rssKiB(target.pids());
  const rooms: string[] = [];
  for (let i = 0; i < sockets / 2; i++) rooms.push(await target.room());
  const t0 = performance.now();
  const results = await Promise.allSettled(Array.from({ length: sockets }, (_, i) => target.join(rooms[i % rooms.length]!)));
  const ms = performance.now() - t0;
  const open = results.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
  await sleep(300);
  const rssLoadedKiB = rssKiB(target.pids());
  for (const s of open) s.close();
  // 500 closes are work for the server too (roomlink marks each member away): let it finish
  // before the next target's storm starts.
  await sleep(1000);
  return { ms, failures: sockets - open.length, rssIdleKiB, rssLoadedKiB };
}

async function waitFor(check: () => boolean, ms: number) {
  const deadline = Date.now() + ms;
  while (!check() && Date.now() < deadline) await sleep(2);
}
