// Idle cost: a room with 4 connected, quiet clients that heartbeat as the web app does (every
// 2.5 s) for 60 s. Counts how often the room's code ran meanwhile: message handler, alarm and
// constructor. The runtime answers heartbeats itself (auto-response), so it should be none. The
// first client is the room's host (its creator, with the host key): in a room without one, a
// temporary host is appointed after 60 s (worker/room/features/hosts.ts), a real event that would
// fall inside the window.

import type { Target } from "./targets.ts";

export async function idleCost(target: Target, seconds = 60): Promise<{ runs: number; detail: string; pongs: number }> {
  if (!target.counters) throw new Error("idle cost needs roomlink's counters");
  const room = await target.room();
  const sockets = [];
  for (let i = 0; i < 4; i++) sockets.push(await target.join(room, { host: i === 0 }));
  let pongs = 0;
  for (const s of sockets) s.ws.on("message", (d) => void (String(d) === "pong" && pongs++));
  const timers = sockets.map((s) => setInterval(() => s.ws.send("ping"), 2500));
  await new Promise((r) => setTimeout(r, 2000));
  const before = await target.counters(room);
  const windowStart = Date.now();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  // Reading the counters wakes a hibernated room: that construction is the reading's, not the idle room's.
  const windowEnd = Date.now();
  const after = await target.counters(room);
  for (const t of timers) clearInterval(t);
  for (const s of sockets) s.close();
  const d = {
    messageRuns: after.messageRuns - before.messageRuns,
    alarmRuns: after.alarmRuns - before.alarmRuns,
    constructions: after.constructedAt.filter((t) => t >= windowStart && t < windowEnd).length,
  };
  const hibernated = after.constructedAt.some((t) => t >= windowEnd);
  return {
    runs: d.messageRuns + d.alarmRuns + d.constructions,
    detail: `message ${d.messageRuns}, alarm ${d.alarmRuns}, constructor ${d.constructions}${hibernated ? "; the room had hibernated" : ""}`,
    pongs,
  };
}
