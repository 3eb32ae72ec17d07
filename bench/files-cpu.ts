// Where the CPU goes while a file crosses: the per-thread CPU of every browser process (threads.ts)
// during the in-page floor and during roomlink's transfer (both members in one browser, cameras and
// mics off: the target's placement), side by side. Not part of `npm run bench`; run it on its own:
//   node bench/files-cpu.ts   (FILE_MIB=200, REPS=1, VARIANTS=floor,quiet,persistent)
// "persistent": the same transfer with the pages in a persistent profile (OPFS on disk) instead of
// Playwright's default incognito-like context (OPFS in memory); "stopped": the muted mics' tracks
// stopped and the pages' media elements paused (files.ts), so that the call's audio costs nothing.

import { readFile, rm, writeFile } from "node:fs/promises";
import { startBrowserBench } from "./browser.ts";
import { fileFloor, fileTransfer, type TransferOptions } from "./files.ts";
import { diff, formatProfile, type Profile, recorder, snapshot } from "./threads.ts";

const MiB = 1024 * 1024;
const bytes = Number(process.env.FILE_MIB ?? 200) * MiB;
const reps = Number(process.env.REPS ?? 1);
const variants = (process.env.VARIANTS ?? "floor,quiet,persistent").split(",");
const log = (s: string) => process.stdout.write(`${s}\n`);

/** A probe for fileTransfer: the profile from accept until the receiver's card says done. */
function profiler(into: Profile[]): NonNullable<TransferOptions["probe"]> {
  return async (_sender, receiver) => {
    const a = await snapshot();
    for (;;) {
      const status = await receiver.evaluate(() => {
        const s = (globalThis as unknown as { roomlink: { session: { state: { files: { incoming: Array<{ status: string }> } } } } }).roomlink.session;
        return s.state.files.incoming[0]?.status ?? "none";
      });
      if (status === "done" || status === "failed") break;
      await new Promise((r) => setTimeout(r, 250));
    }
    into.push(diff(a, await snapshot()));
  };
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

/** A probe that records a V8 CPU profile of both pages for `ms`, `afterMs` into the transfer, and prints self time per function. */
function jsProfiler(afterMs: number, ms: number): NonNullable<TransferOptions["probe"]> {
  return async (sender, receiver) => {
    await new Promise((r) => setTimeout(r, afterMs));
    const sessions = await Promise.all([sender, receiver].map((p) => p.context().newCDPSession(p)));
    for (const s of sessions) {
      await s.send("Profiler.enable");
      await s.send("Profiler.setSamplingInterval", { interval: 200 });
      await s.send("Profiler.start");
    }
    await new Promise((r) => setTimeout(r, ms));
    for (const [i, s] of sessions.entries()) {
      const { profile } = (await s.send("Profiler.stop")) as { profile: { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] } };
      const self = new Map<number, number>();
      profile.samples.forEach((id, k) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[k] ?? 0)));
      const byName = new Map<string, number>();
      let total = 0;
      for (const n of profile.nodes) {
        const us = self.get(n.id) ?? 0;
        total += us;
        const f = n.callFrame;
        const key = `${f.functionName || "(anon)"} ${f.url.split("/").pop()}:${f.lineNumber}`;
        byName.set(key, (byName.get(key) ?? 0) + us);
      }
      log(`${i === 0 ? "sender" : "receiver"} main thread, ${(total / 1000).toFixed(0)} ms sampled:`);
      for (const [k, us] of [...byName].sort((a, b) => b[1] - a[1]).slice(0, 25)) log(`  ${(us / 1000).toFixed(0).padStart(6)} ms  ${k}`);
    }
  };
}

// OTHER_DIST=dir: also serve that build of the web app (another wrangler config, in the project
// root, naming it as the assets directory) and run each transfer variant against it too, right
// after the same variant against dist/: two builds weighed in one session, interleaved.
const otherDist = process.env.OTHER_DIST;
let otherConfig: string | null = null;
if (otherDist) {
  otherConfig = `wrangler.files-cpu-${process.pid}.toml`;
  const toml = (await readFile("wrangler.toml", "utf8")).replace(/^directory = "\.\/dist"$/m, `directory = "./${otherDist}"`);
  if (!toml.includes(otherDist)) throw new Error("no assets directory line in wrangler.toml");
  await writeFile(otherConfig, toml);
}
const b = await startBrowserBench();
const other = otherConfig ? await startBrowserBench({}, otherConfig) : null;
try {
  await fileFloor(b.kit, 16 * MiB);
  for (let rep = 1; rep <= reps; rep++) {
    if (variants.includes("floor")) {
      const rec = recorder();
      const f = await fileFloor(b.kit, bytes);
      const p = await rec.stop();
      log(`rep ${rep} floor: ${f.mbps.toFixed(1)} MB/s (${f.ms.toFixed(0)} ms)\n${formatProfile(p)}`);
    }
    if (variants.includes("js")) {
      await fileTransfer(b.kit, bytes, { place: "one-browser", media: "off", probe: jsProfiler(3000, 10_000) });
    }
    for (const v of ["quiet", "persistent", "stopped"]) {
      if (!variants.includes(v)) continue;
      for (const [build, kit] of [["dist", b.kit], [otherDist, other?.kit]] as const) {
      if (!kit) continue;
      const profiles: Profile[] = [];
      const r = await fileTransfer(kit, bytes, { place: "one-browser", media: v === "stopped" ? "stopped" : "off", persistent: v === "persistent", probe: profiler(profiles) });
      log(`rep ${rep} roomlink ${v} (${build}): ${r.mbps.toFixed(1)} MB/s (${r.ms.toFixed(0)} ms; raw channel ${r.linkMbps.toFixed(1)}); receiver +${r.receiverGrowthMiB.toFixed(1)} MiB\n${formatProfile(profiles[0]!)}`);
      }
    }
  }
} finally {
  await b.stop();
  await other?.stop();
  if (otherConfig) await rm(otherConfig, { force: true });
}
