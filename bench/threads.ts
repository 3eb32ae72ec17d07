// CPU time per thread of every process this Node process started (the browsers, wrangler's
// workerd), from /proc/<pid>/task/<tid>/stat: where a browser's CPU goes during a window, by
// process kind (browser, renderer, gpu, network, …) and thread name (`comm`, 15 characters).
// Two snapshots, one diff. Linux only. Threads that ended within the window are missed.

import { readdir, readFile } from "node:fs/promises";

/** USER_HZ: /proc counts CPU time in these ticks. */
const TICKS_PER_SECOND = 100;

interface ThreadTime {
  pid: number;
  kind: string;
  comm: string;
  ticks: number;
}

export interface Snapshot {
  at: number;
  threads: Map<string, ThreadTime>;
  /** /proc/stat's "cpu" line: all ticks and idle ticks, machine-wide. */
  machine: { total: number; idle: number };
}

async function stat(path: string): Promise<{ comm: string; ppid: number; ticks: number } | null> {
  const text = await readFile(path, "utf8").catch(() => null);
  if (!text) return null;
  // comm may hold spaces and parentheses: it ends at the last ")".
  const close = text.lastIndexOf(")");
  const comm = text.slice(text.indexOf("(") + 1, close);
  const f = text.slice(close + 2).split(" ");
  // After comm: state(0) ppid(1) … utime(11) stime(12).
  return { comm, ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]) };
}

/** The pids descended from `root`. */
export async function descendants(root: number): Promise<number[]> {
  const parent = new Map<number, number>();
  for (const name of await readdir("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const s = await stat(`/proc/${name}/stat`);
    if (s) parent.set(Number(name), s.ppid);
  }
  const out: number[] = [];
  for (const pid of parent.keys()) {
    for (let p = parent.get(pid); p !== undefined && p > 1; p = parent.get(p)) {
      if (p === root) {
        out.push(pid);
        break;
      }
    }
  }
  return out;
}

export async function kindOf(pid: number): Promise<string> {
  // Chromium rewrites its children's argv into one space-separated string: read flags by pattern.
  const cmd = (await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "")).replaceAll("\0", " ");
  const type = /--type=(\S+)/.exec(cmd)?.[1];
  const sub = /--utility-sub-type=(\S+)/.exec(cmd)?.[1];
  if (type === "utility") return sub?.includes("Network") ? "network" : sub?.includes("Storage") ? "storage" : sub?.includes("Audio") ? "audio" : `utility:${sub ?? "?"}`;
  if (type) return type;
  const exe = cmd.split(" ")[0]?.split("/").pop() ?? "?";
  return /chrom/.test(exe) ? "browser" : exe;
}

export async function snapshot(root = process.pid): Promise<Snapshot> {
  const threads = new Map<string, ThreadTime>();
  for (const pid of await descendants(root)) {
    const kind = await kindOf(pid);
    const tids = await readdir(`/proc/${pid}/task`).catch(() => [] as string[]);
    for (const tid of tids) {
      const s = await stat(`/proc/${pid}/task/${tid}/stat`);
      if (s) threads.set(`${pid}/${tid}`, { pid, kind, comm: s.comm, ticks: s.ticks });
    }
  }
  const cpu = (await readFile("/proc/stat", "utf8")).split("\n")[0]!.trim().split(/\s+/).slice(1).map(Number);
  // idle + iowait
  return { at: performance.now(), threads, machine: { total: cpu.reduce((a, b) => a + b, 0), idle: cpu[3]! + cpu[4]! } };
}

export interface ThreadRow {
  /** "renderer 1234", "browser", … */
  process: string;
  comm: string;
  /** % of one core over the window. */
  percent: number;
}

export interface Profile {
  seconds: number;
  rows: ThreadRow[];
  /** Sum over our processes, % of one core. */
  ours: number;
  /** Machine-wide busy, % of one core (200 = both cores of this machine). */
  machineBusy: number;
}

/** CPU per (process, thread name) between two snapshots, largest first. */
export function diff(a: Snapshot, b: Snapshot): Profile {
  const seconds = (b.at - a.at) / 1000;
  const sums = new Map<string, ThreadRow>();
  for (const [key, t] of b.threads) {
    const before = a.threads.get(key)?.ticks ?? 0;
    const process = t.kind === "renderer" || t.kind.startsWith("utility") ? `${t.kind} ${t.pid}` : t.kind;
    // Pool threads share a name; summed per process.
    const name = `${process}\t${t.comm}`;
    const row = sums.get(name) ?? { process, comm: t.comm, percent: 0 };
    row.percent += ((t.ticks - before) / TICKS_PER_SECOND / seconds) * 100;
    sums.set(name, row);
  }
  const rows = [...sums.values()].filter((r) => r.percent > 0).sort((x, y) => y.percent - x.percent);
  const machineTicks = b.machine.total - a.machine.total;
  const cores = machineTicks / TICKS_PER_SECOND / seconds;
  return {
    seconds,
    rows,
    ours: rows.reduce((s, r) => s + r.percent, 0),
    machineBusy: machineTicks > 0 ? ((machineTicks - (b.machine.idle - a.machine.idle)) / machineTicks) * cores * 100 : 0,
  };
}

export function formatProfile(p: Profile, top = 18): string {
  const lines = [`${p.seconds.toFixed(1)} s; our processes ${p.ours.toFixed(0)} % of a core; machine busy ${p.machineBusy.toFixed(0)} %`];
  const byProcess = new Map<string, number>();
  for (const r of p.rows) byProcess.set(r.process, (byProcess.get(r.process) ?? 0) + r.percent);
  lines.push("  by process: " + [...byProcess].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v.toFixed(0)}`).join(", "));
  for (const r of p.rows.slice(0, top)) lines.push(`  ${r.percent.toFixed(1).padStart(6)} %  ${r.process.padEnd(18)} ${r.comm}`);
  return lines.join("\n");
}

/**
 * Snapshots every `everyMs` from start() to stop(), each thread's latest count kept: a process
 * that starts and ends inside the window (a page closed before stop()) still counts, less at most
 * its last `everyMs`.
 */
export function recorder(everyMs = 500): { stop(): Promise<Profile> } {
  let running = true;
  const first = snapshot();
  let latest: Snapshot | null = null;
  const loop = (async () => {
    await first;
    while (running) {
      const s = await snapshot();
      if (latest) for (const [k, t] of latest.threads) if (!s.threads.has(k)) s.threads.set(k, t);
      latest = s;
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      const end = await snapshot();
      for (const [k, t] of latest?.threads ?? []) if (!end.threads.has(k)) end.threads.set(k, t);
      return diff(await first, end);
    },
  };
}
