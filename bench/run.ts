// npm run bench: roomlink against its floors, on loopback, bounded in count and time.
// Every figure is the median of REPS interleaved repetitions (roomlink, then each baseline, then
// again), so that a noisy moment on this machine hits all of them alike. Prints a markdown table
// with pass/fail against the targets and writes bench-results/latest.json.

import { mkdir, writeFile } from "node:fs/promises";
import { startBrowserBench } from "./browser.ts";
import { bundleSizes } from "./bundle.ts";
import { speakerDelay, statsPollCost } from "./presence.ts";
import { recordingCpu, recordingMemory } from "./recording.ts";
import { FILE_BYTES, fileFloor, fileTransfer, type FileRun, type FloorRun, twoBrowserFloor } from "./files.ts";
import { idleCost } from "./idle.ts";
import { fanout, latency, storm, throughput } from "./relay.ts";
import { rosterFanOut, type RosterRun } from "./roster.ts";
import { slowReader } from "./slow-reader.ts";
import { lateViewerMs, speakerLoad, type SpeakerLoad } from "./stage.ts";
import { switchOver } from "./switch.ts";
import { voicePlayableMs } from "./voice.ts";
import { floorDoTarget, nodeWsTarget, roomlinkTarget, type Target } from "./targets.ts";

const REPS = Number(process.env.BENCH_REPS ?? 5);
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const log = (s: string) => process.stderr.write(`${s}\n`);

interface Row {
  figure: string;
  roomlink: number;
  baseline: number | null;
  baselineName: string;
  node?: number;
  unit: string;
  target: string;
  pass: boolean | null;
  note?: string;
}

async function relayFigures(): Promise<Row[]> {
  log("starting relays…");
  const targets: Target[] = [await roomlinkTarget(), await floorDoTarget(), await nodeWsTarget()];
  // Only for relay latency and the connect storm: the floor plus the platform calls a join needs.
  const featureFloor = await floorDoTarget(true);
  const runs: Record<string, Record<string, number[]>> = {};
  const put = (t: string, k: string, v: number) => ((runs[t] ??= {})[k] ??= []).push(v);
  try {
    for (let rep = 1; rep <= REPS; rep++) {
      for (const t of targets) {
        log(`rep ${rep}/${REPS}: ${t.name}`);
        const l = await latency(t);
        put(t.name, "lat50", l.p50);
        put(t.name, "lat99", l.p99);
        put(t.name, "latDelivered", l.delivered / l.expected);
        for (const n of [8, 32, 128]) {
          const f = await fanout(t, n);
          put(t.name, `fan${n}p50`, f.p50);
          put(t.name, `fan${n}p99`, f.p99);
          put(t.name, `fan${n}delivered`, f.delivered / f.expected);
        }
        put(t.name, "tput", (await throughput(t)).perSecond);
        const s = await storm(t);
        put(t.name, "storm", s.ms);
        put(t.name, "stormFail", s.failures);
        put(t.name, "rssIdle", s.rssIdleKiB / 1024);
        put(t.name, "rssLoaded", s.rssLoadedKiB / 1024);
      }
      log(`rep ${rep}/${REPS}: ${featureFloor.name} (latency, storm)`);
      const fl = await latency(featureFloor);
      put(featureFloor.name, "lat50", fl.p50);
      put(featureFloor.name, "lat99", fl.p99);
      put(featureFloor.name, "storm", (await storm(featureFloor)).ms);
    }
  } finally {
    for (const t of [...targets, featureFloor]) await t.stop();
  }
  const m = (t: string, k: string) => median(runs[t]![k]!);
  const rows: Row[] = [];
  const ratioRow = (figure: string, key: string, unit: string, limit: number, higherIsBetter = false, extra?: Partial<Row>): Row => {
    const ours = m("roomlink", key);
    const floor = m("floor-do", key);
    const ratio = ours / floor;
    return {
      figure, roomlink: ours, baseline: floor, baselineName: "floor DO", node: m("node-ws", key), unit,
      target: higherIsBetter ? `≥ ${limit}× floor DO` : `≤ ${limit}× floor DO`,
      pass: higherIsBetter ? ratio >= limit : ratio <= limit,
      ...extra,
    };
  };
  rows.push(ratioRow("relay latency p50, 2 peers, 200 msg/s", "lat50", "ms", 1.15));
  rows.push(ratioRow("relay latency p99, 2 peers, 200 msg/s", "lat99", "ms", 1.15));
  for (const [p, key] of [["p50", "lat50"], ["p99", "lat99"]] as const) {
    rows.push({
      figure: `relay latency ${p} against the floor DO that also rate-limited, wrote a member row and set an alarm when its sockets joined`,
      roomlink: m("roomlink", key), baseline: m("floor-do-features", key), baselineName: "floor DO + features", unit: "ms", target: "(reported)", pass: null,
    });
  }
  for (const n of [8, 32]) {
    rows.push({ ...ratioRow(`fan-out p99 to the last of ${n}`, `fan${n}p99`, "ms", Infinity), target: "(reported)", pass: null, note: `p50 ${m("roomlink", `fan${n}p50`).toFixed(2)} ms; delivered ${(m("roomlink", `fan${n}delivered`) * 100).toFixed(1)} %` });
  }
  const fan128 = ratioRow("fan-out p99 to the last of 128", "fan128p99", "ms", 1.15);
  const delivered128 = m("roomlink", "fan128delivered");
  fan128.pass = fan128.pass! && delivered128 === 1;
  fan128.target = "≤ 1.15× floor DO; 100 % delivered";
  fan128.note = `p50 ${m("roomlink", "fan128p50").toFixed(2)} ms; delivered ${(delivered128 * 100).toFixed(1)} %`;
  rows.push(fan128);
  rows.push(ratioRow("throughput, 2 peers, 3000 messages", "tput", "msg/s", 0.8, true));
  const stormRow = ratioRow("connect storm: 500 sockets into 250 rooms", "storm", "ms", 1.25);
  const failures = m("roomlink", "stormFail");
  stormRow.pass = stormRow.pass! && failures === 0;
  stormRow.target = "≤ 1.25× floor DO; 0 failures";
  stormRow.note = `${failures} failures`;
  rows.push(stormRow);
  const featureStorm = m("floor-do-features", "storm");
  rows.push({
    figure: "connect storm against the floor DO that also rate-limits, writes a member row and sets an alarm",
    roomlink: m("roomlink", "storm"), baseline: featureStorm, baselineName: "floor DO + features", unit: "ms", target: "(reported)", pass: null,
  });
  rows.push({ ...ratioRow("server memory, idle (RSS)", "rssIdle", "MiB", Infinity), target: "(reported)", pass: null });
  rows.push({ ...ratioRow("server memory, 500 sockets (RSS)", "rssLoaded", "MiB", Infinity), target: "(reported)", pass: null });
  return rows;
}

async function slowReaderFigures(): Promise<Row[]> {
  log("slow reader: history at 50/s from a socket that never reads, 10 s…");
  const t = await roomlinkTarget();
  const runs: Array<Awaited<ReturnType<typeof slowReader>>> = [];
  try {
    for (let rep = 1; rep <= REPS; rep++) {
      const r = await slowReader(t);
      runs.push(r);
      log(`  rep ${rep}/${REPS}: RSS +${(r.rssGrowthKiB / 1024).toFixed(1)} MiB; chat p99 quiet ${r.quiet.p99.toFixed(2)} ms, attacked ${r.attack.p99.toFixed(2)} ms; ${r.requests} requests, ${r.pagesBuffered} page(s) buffered`);
    }
  } finally {
    await t.stop();
  }
  const m = (f: (r: (typeof runs)[number]) => number) => median(runs.map(f));
  const growth = m((r) => r.rssGrowthKiB) / 1024;
  const quiet = m((r) => r.quiet.p99);
  const attacked = m((r) => r.attack.p99);
  const pages = Math.max(...runs.map((r) => r.pagesBuffered));
  return [
    {
      figure: "slow reader: workerd RSS growth while one member asks for history (100 × 4000 Cyrillic characters) at 50/s for 10 s and never reads",
      roomlink: growth, baseline: null, baselineName: "", unit: "MiB", target: "≤ 32 MiB", pass: growth <= 32,
      note: `${m((r) => r.requests)} requests; at most ${pages} history page(s) waiting for it`,
    },
    {
      figure: "slow reader: the two other members' chat p99 during the attack",
      roomlink: attacked, baseline: quiet, baselineName: "same room, quiet", unit: "ms", target: "≤ 2× quiet", pass: attacked <= 2 * quiet,
      note: `p50 ${m((r) => r.attack.p50).toFixed(2)} ms, quiet ${m((r) => r.quiet.p50).toFixed(2)} ms`,
    },
  ];
}

async function browserFigures(): Promise<Row[]> {
  log("starting browser…");
  const b = await startBrowserBench();
  const floor: number[] = [];
  const join: number[] = [];
  const mesh: number[] = [];
  const late: number[] = [];
  const loads: SpeakerLoad[] = [];
  const voice: number[] = [];
  const stage = process.env.BENCH_STAGE !== "off";
  try {
    await b.floorMs(); // a warm-up: the first browser context pays for cold caches
    for (let rep = 1; rep <= REPS; rep++) {
      log(`browser rep ${rep}/${REPS}`);
      floor.push(await b.floorMs());
      join.push(await b.joinMs());
      mesh.push(await b.meshMs());
      if (stage) late.push(await lateViewerMs(b.kit));
      voice.push(await voicePlayableMs(b.kit));
      log(`  voice message: Send → playable at the other member ${voice.at(-1)!.toFixed(0)} ms`);
      log(`  floor ${floor.at(-1)!.toFixed(0)} ms, join ${join.at(-1)!.toFixed(0)} ms, mesh ${mesh.at(-1)!.toFixed(0)} ms${stage ? `, late viewer ${late.at(-1)!.toFixed(0)} ms` : ""}`);
      if (stage) {
        for (const n of [1, 2, 4]) {
          const l = await speakerLoad(b.kit, n);
          loads.push(l);
          log(`  speaker with ${n} viewer(s): ${l.uploadKbps.toFixed(0)} kbps up, ${l.cpuPercent.toFixed(0)} % CPU, video to ${l.videoViewers}${l.cpuLimited ? ", CPU-limited" : ""}`);
        }
      }
    }
  } finally {
    await b.stop();
  }
  const f = median(floor);
  const j = median(join);
  const mm = median(mesh);
  const rows: Row[] = [
    { figure: "open room link → first remote frame, 2 peers", roomlink: j, baseline: f, baselineName: "in-page floor", unit: "ms", target: "≤ 1.3× floor + 100 ms", pass: j <= 1.3 * f + 100 },
    { figure: "4-peer mesh, all open the link → all connected", roomlink: mm, baseline: null, baselineName: "", unit: "ms", target: "≤ 2500 ms", pass: mm <= 2500 },
    { figure: "voice message (2 s): Send → playable at the other member (upload, chat, metadata fetched)", roomlink: median(voice), baseline: null, baselineName: "", unit: "ms", target: "(reported)", pass: null },
  ];
  if (!stage) return rows;
  const lv = median(late);
  rows.push({ figure: "stage: a late viewer opens the link → first frame (speaker and one viewer settled)", roomlink: lv, baseline: j, baselineName: "2-peer join", unit: "ms", target: "≤ 1.3× 2-peer join", pass: lv <= 1.3 * j });
  const budget = Number(process.env.UPLOAD_BUDGET_KBPS ?? 2500);
  for (const n of [1, 2, 4]) {
    const of = loads.filter((l) => l.viewers === n);
    const up = median(of.map((l) => l.uploadKbps));
    rows.push({
      figure: `stage: speaker's upload with ${n} viewer${n > 1 ? "s" : ""}`,
      roomlink: up, baseline: null, baselineName: "", unit: "kbps", target: `≤ ${budget} kbps budget`, pass: up <= budget,
      note: `CPU ${median(of.map((l) => l.cpuPercent)).toFixed(0)} % of a core; video to ${median(of.map((l) => l.videoViewers))}; CPU-limited in ${of.filter((l) => l.cpuLimited).length}/${of.length} runs`,
    });
  }
  return rows;
}

async function stageUploadFigures(): Promise<Row[]> {
  // The curve that shows why the SFU exists: a speaker's upload on a stage with 1, 4 and 8
  // viewers, on the mesh (one encoded copy per viewer, up to the upload budget) and on the SFU
  // through the Realtime stand-in (one copy, its simulcast layers, whatever the audience). The
  // SFU's app has STAGE_VIEWERS=0, so that even one viewer is on the SFU (the room's own line is
  // 25). Interleaved (mesh, then SFU, at each count); one repetition takes 4–7 minutes on this
  // machine, 2 by default (BENCH_STAGE_REPS for more, up to BENCH_REPS).
  const reps = Math.min(REPS, Number(process.env.BENCH_STAGE_REPS ?? 2));
  const counts = [1, 4, 8];
  log(`stage upload, mesh against SFU: ${counts.join(", ")} viewers, ${reps} repetitions…`);
  const { startStandIn } = await import("../test/browser/stand-in.ts");
  const standIn = await startStandIn("bench-sfu-app", "bench-sfu-secret");
  const loads: Record<"mesh" | "sfu", SpeakerLoad[]> = { mesh: [], sfu: [] };
  let mesh: Awaited<ReturnType<typeof startBrowserBench>> | null = null;
  let sfu: Awaited<ReturnType<typeof startBrowserBench>> | null = null;
  try {
    mesh = await startBrowserBench();
    sfu = await startBrowserBench({
      REALTIME_APP_ID: "bench-sfu-app", REALTIME_APP_SECRET: "bench-sfu-secret", REALTIME_API_URL: standIn.apiUrl, STAGE_VIEWERS: "0", TRANSPORT_SWITCH_MS: "0",
    });
    for (let rep = 1; rep <= reps; rep++) {
      for (const n of counts) {
        for (const [kind, b] of [["mesh", mesh], ["sfu", sfu]] as const) {
          const l = await speakerLoad(b.kit, n, kind);
          loads[kind].push(l);
          log(`  rep ${rep}/${reps}, ${kind}, ${n} viewer(s): ${l.uploadKbps.toFixed(0)} kbps up, ${l.cpuPercent.toFixed(0)} % CPU, video on ${l.videoViewers} connection(s)${l.cpuLimited ? ", CPU-limited" : ""}`);
        }
      }
    }
  } finally {
    await sfu?.stop();
    await mesh?.stop();
    await standIn.stop();
  }
  const m = (kind: "mesh" | "sfu", n: number, f: (l: SpeakerLoad) => number) => median(loads[kind].filter((l) => l.viewers === n).map(f));
  const rows: Row[] = counts.map((n) => ({
    figure: `stage: the speaker's upload with ${n} viewer${n > 1 ? "s" : ""}, SFU (Realtime stand-in) against mesh`,
    roomlink: m("sfu", n, (l) => l.uploadKbps), baseline: m("mesh", n, (l) => l.uploadKbps), baselineName: "mesh", unit: "kbps", target: "(reported)", pass: null,
    note: `medians of ${reps}; speaker's CPU ${m("sfu", n, (l) => l.cpuPercent).toFixed(0)} % of a core on the SFU, ${m("mesh", n, (l) => l.cpuPercent).toFixed(0)} % on the mesh, video to ${m("mesh", n, (l) => l.videoViewers)} on the mesh`,
  }));
  const one = m("sfu", 1, (l) => l.uploadKbps);
  const eight = m("sfu", 8, (l) => l.uploadKbps);
  rows.push({
    figure: "stage on the SFU: the speaker's upload with 8 viewers against 1 (one copy, whatever the audience)",
    roomlink: eight, baseline: one, baselineName: "SFU, 1 viewer", unit: "kbps", target: "≤ 1.3× 1 viewer", pass: eight <= 1.3 * one,
  });
  return rows;
}

async function filesFigures(): Promise<Row[]> {
  // Three transfers per repetition, each against the in-page floor of the same repetition:
  // - the target's: both members as pages of one browser (as the floor's two ends are; two whole
  //   browsers on this 2-core machine compete for it, where two people each have a machine), with
  //   cameras and mics off, so the figure weighs the file code against the platform and not the
  //   call's video encoders sharing the same two cores;
  // - the same with the call running (cameras and mics on), reported, next to a raw channel on
  //   the members' own connection;
  // - each member in a browser of its own, for the receiver's memory (its renderers are its page
  //   and nothing else), reported with the floor's channel between two browsers.
  // On this machine 200 MiB takes the floor ~20 s and a transfer 40–100 s: 2 repetitions by
  // default keep this part within about 10 minutes (BENCH_FILE_REPS for more, up to BENCH_REPS;
  // BENCH_FILE_MIB for another size).
  const reps = Math.min(REPS, Number(process.env.BENCH_FILE_REPS ?? 2));
  const bytes = Number(process.env.BENCH_FILE_MIB ?? FILE_BYTES / 1024 / 1024) * 1024 * 1024;
  const mib = bytes / 1024 / 1024;
  log(`peer-to-peer files: ${mib} MiB, ${reps} repetitions…`);
  const b = await startBrowserBench();
  const floors: FloorRun[] = [];
  const apart: FloorRun[] = [];
  const quiet: FileRun[] = [];
  const inCall: FileRun[] = [];
  const runs: FileRun[] = [];
  const line = (r: FileRun) =>
    `${r.mbps.toFixed(1)} MB/s (${r.ms.toFixed(0)} ms accept → done; raw channel on the same connection ${r.linkMbps.toFixed(1)} MB/s), hashing ${r.hashMs.toFixed(0)} ms`;
  try {
    await fileFloor(b.kit, 16 * 1024 * 1024); // a warm-up: the first browser context pays for cold caches
    for (let rep = 1; rep <= reps; rep++) {
      const f = await fileFloor(b.kit, bytes);
      floors.push(f);
      log(`  rep ${rep}/${reps}: floor ${f.mbps.toFixed(1)} MB/s (${f.ms.toFixed(0)} ms, ${f.chunk}-byte messages)`);
      const q = await fileTransfer(b.kit, bytes, { place: "one-browser", media: "off" });
      quiet.push(q);
      log(`  rep ${rep}/${reps}: roomlink, one browser, cameras and mics off: ${line(q)}`);
      const c = await fileTransfer(b.kit, bytes, { place: "one-browser", media: "call" });
      inCall.push(c);
      log(`  rep ${rep}/${reps}: roomlink, one browser, in a call: ${line(c)}`);
      const two = await twoBrowserFloor(b.kit, bytes);
      apart.push(two);
      log(`  rep ${rep}/${reps}: the floor's channel between two browsers, no call: ${two.mbps.toFixed(1)} MB/s (${two.ms.toFixed(0)} ms)`);
      const r = await fileTransfer(b.kit, bytes, { place: "two-browsers", media: "call" });
      runs.push(r);
      log(
        `  rep ${rep}/${reps}: roomlink, two browsers, in a call: ${line(r)}; ` +
          `receiver RSS ${r.receiverBaseMiB.toFixed(0)} MiB +${r.receiverGrowthMiB.toFixed(1)}, sender ${r.senderBaseMiB.toFixed(0)} MiB +${r.senderGrowthMiB.toFixed(1)} (${r.samples} samples)`,
      );
    }
  } finally {
    await b.stop();
  }
  const floor = median(floors.map((f) => f.mbps));
  const ours = median(quiet.map((r) => r.mbps));
  const growth = median(runs.map((r) => r.receiverGrowthMiB));
  const worst = Math.max(...runs.map((r) => r.receiverGrowthMiB));
  const repsNote = `medians of ${reps} interleaved repetitions`;
  return [
    {
      figure: `peer-to-peer file, ${mib} MiB: the receiver's accept → done (every block verified and written to OPFS), members in one browser, cameras and mics off`,
      roomlink: ours, baseline: floor, baselineName: "in-page data channel floor", unit: "MB/s", target: "≥ 0.8× floor", pass: ours >= 0.8 * floor,
      note: `${repsNote}; ${median(quiet.map((r) => r.ms)).toFixed(0)} ms, floor ${median(floors.map((f) => f.ms)).toFixed(0)} ms; raw channel on the same connection ${median(quiet.map((r) => r.linkMbps)).toFixed(1)} MB/s`,
    },
    {
      // The call's encoders and decoders share the two cores with the transfer.
      figure: `peer-to-peer file, ${mib} MiB: accept → done in a call (cameras and mics on), members in one browser`,
      roomlink: median(inCall.map((r) => r.mbps)), baseline: floor, baselineName: "in-page data channel floor", unit: "MB/s", target: "(reported)", pass: null,
      note: `${repsNote}; raw channel on the same connection, call running: ${median(inCall.map((r) => r.linkMbps)).toFixed(1)} MB/s`,
    },
    {
      figure: `peer-to-peer file, ${mib} MiB: accept → done in a call, each member in a browser of its own`,
      roomlink: median(runs.map((r) => r.mbps)), baseline: median(runs.map((r) => r.linkMbps)), baselineName: "raw channel, same connection", unit: "MB/s", target: "(reported)", pass: null,
      note: repsNote,
    },
    {
      // Where two browsers' gap to the floor comes from: the platform alone, with no call.
      figure: `peer-to-peer file, ${mib} MiB: the floor's channel between two browsers (no call, no app), against the in-page floor`,
      roomlink: median(apart.map((f) => f.mbps)), baseline: floor, baselineName: "in-page data channel floor", unit: "MB/s", target: "(reported)", pass: null,
      note: repsNote,
    },
    {
      figure: `peer-to-peer file, ${mib} MiB: the sender hashes it before offering (sendFiles → offer at the receiver)`,
      roomlink: median(quiet.map((r) => r.hashMs)), baseline: null, baselineName: "", unit: "ms", target: "(reported)", pass: null, note: `${repsNote}; cameras and mics off`,
    },
    {
      figure: `peer-to-peer file, ${mib} MiB: the receiver's renderer RSS growth during the transfer (browser of its own, in a call)`,
      roomlink: growth, baseline: null, baselineName: "", unit: "MiB", target: "≤ 64 MiB", pass: growth <= 64,
      note: `${repsNote}; worst ${worst.toFixed(1)} MiB; from ${median(runs.map((r) => r.receiverBaseMiB)).toFixed(0)} MiB before accept, sampled every 100 ms`,
    },
    {
      figure: `peer-to-peer file, ${mib} MiB: the sender's renderer RSS growth during the transfer`,
      roomlink: median(runs.map((r) => r.senderGrowthMiB)), baseline: null, baselineName: "", unit: "MiB", target: "(reported)", pass: null,
      note: `${repsNote}; from ${median(runs.map((r) => r.senderBaseMiB)).toFixed(0)} MiB before accept`,
    },
  ];
}

async function idleFigure(): Promise<Row> {
  log("idle room, 60 s…");
  const t = await roomlinkTarget();
  try {
    const r = await idleCost(t);
    return { figure: "idle room, 4 clients, 60 s: room code runs", roomlink: r.runs, baseline: null, baselineName: "", unit: "runs", target: "0", pass: r.runs === 0, note: `${r.detail}; ${r.pongs} heartbeats answered by the runtime` };
  } finally {
    await t.stop();
  }
}

async function presenceFigures(): Promise<Row[]> {
  log("presence: speaker-detection delay, and the stats poll's CPU…");
  const b = await startBrowserBench();
  try {
    const delay = await speakerDelay(b.kit);
    log(`  delays (ms): ${delay.delays.map((d) => d.toFixed(0)).join(", ")} (${delay.fromTile ? "the tile's ring" : "the session state"})`);
    const cost = await statsPollCost(b.kit, { cameras: true });
    log(`  CPU, % of a core, cameras at 5 fps: poll on ${cost.on.map((v) => v.toFixed(1)).join(", ")}; paused ${cost.off.map((v) => v.toFixed(1)).join(", ")}`);
    const quiet = await statsPollCost(b.kit, { cameras: false });
    log(`  CPU, % of a core, cameras off: poll on ${quiet.on.map((v) => v.toFixed(1)).join(", ")}; paused ${quiet.off.map((v) => v.toFixed(1)).join(", ")}`);
    const on = median(cost.on);
    const off = median(cost.off);
    const qOn = median(quiet.on);
    const qOff = median(quiet.off);
    const d = median(delay.delays);
    return [
      {
        figure: `speaker detection: a tone's onset on one member's mic → the ${delay.fromTile ? "speaking ring on its tile" : "speaking state"} at another member`,
        roomlink: d, baseline: null, baselineName: "", unit: "ms", target: "≤ 400 ms median", pass: delay.delays.length >= 5 && d <= 400,
        note: `median of ${delay.delays.length} onsets; range ${Math.min(...delay.delays).toFixed(0)}–${Math.max(...delay.delays).toFixed(0)} ms`,
      },
      {
        // The target's row: with cameras off the machine is not saturated, so a cost can show.
        figure: "the stats poll's CPU in a 4-member mesh, cameras off (one browser, every process): running against paused",
        roomlink: qOn - qOff, baseline: null, baselineName: "", unit: "% of a core", target: "≤ 5 % of a core", pass: qOn - qOff <= 5,
        note: `medians of ${quiet.on.length} interleaved 8 s windows: ${qOn.toFixed(1)} % running, ${qOff.toFixed(1)} % paused`,
      },
      {
        figure: "the same with cameras on at 5 fps (the mesh fills both cores, so this is a floor)",
        roomlink: on - off, baseline: null, baselineName: "", unit: "% of a core", target: "(reported)", pass: null,
        note: `medians of ${cost.on.length} interleaved 8 s windows: ${on.toFixed(1)} % running, ${off.toFixed(1)} % paused`,
      },
    ];
  } finally {
    await b.stop();
  }
}

async function recordingFigures(): Promise<Row[]> {
  log("recording: a 4-member mesh's CPU with a composite recording and without; a 5-minute recording's memory…");
  const b = await startBrowserBench();
  try {
    const cpu = await recordingCpu(b.kit);
    log(`  CPU, % of a core: recording ${cpu.on.map((v) => v.toFixed(1)).join(", ")}; not ${cpu.off.map((v) => v.toFixed(1)).join(", ")}`);
    const minutes = Number(process.env.BENCH_RECORD_MINUTES ?? 5);
    const mem = await recordingMemory(b.kit, minutes * 60_000);
    log(`  memory: +${mem.growthMiB.toFixed(1)} MiB at most, +${mem.endGrowthMiB.toFixed(1)} MiB at the end; ${mem.fileMB.toFixed(0)} MB in ${mem.seconds.toFixed(0)} s (${mem.samples} samples)`);
    // The same call for the same time without recording: what the call itself grows by.
    const base = await recordingMemory(b.kit, minutes * 60_000, false);
    log(`  memory, not recording: +${base.growthMiB.toFixed(1)} MiB at most`);
    const on = median(cpu.on);
    const off = median(cpu.off);
    return [
      {
        figure: "a composite recording's CPU in a 4-member mesh (one browser, every process, cameras at 5 fps): recording against not",
        roomlink: on - off, baseline: null, baselineName: "", unit: "% of a core", target: "≤ 50 % of a core", pass: on - off <= 50,
        note: `medians of ${cpu.on.length} interleaved 10 s windows: ${on.toFixed(1)} % recording, ${off.toFixed(1)} % not`,
      },
      {
        figure: `a ${minutes}-minute composite recording: the recorder's renderer memory, highest − before`,
        roomlink: mem.growthMiB, baseline: base.growthMiB, baselineName: "the same call, not recording", unit: "MiB", target: "≤ 100 MB more than the baseline",
        pass: (mem.growthMiB - base.growthMiB) * 1.048576 <= 100,
        note: `${mem.samples} samples every 5 s; +${mem.endGrowthMiB.toFixed(1)} MiB at the end; the file ${mem.fileMB.toFixed(0)} MB`,
      },
    ];
  } finally {
    await b.stop();
  }
}

async function rosterFigures(): Promise<Row[]> {
  const reps = Number(process.env.BENCH_ROSTER_REPS ?? 1);
  const kinds = ["batched", "unbatched", "crowd"] as const;
  type Kind = (typeof kinds)[number];
  const runs: Record<Kind, RosterRun[]> = { batched: [], unbatched: [], crowd: [] };
  for (let rep = 1; rep <= reps; rep++) {
    for (const kind of kinds) {
      log(`roster fan-out, rep ${rep}/${reps}: ${kind}, ~1000 sockets on a stage with the SFU configured…`);
      const r = await rosterFanOut(kind);
      log(`  lone joins (ms): ${r.lone.map((v) => v.toFixed(0)).join(", ")}; burst of 50: ${r.burst.toFixed(0)} ms, ${r.burstFrames} frames at one viewer; ${r.members} members; welcome ${r.welcomeBytes} B`);
      runs[kind].push(r);
    }
  }
  const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
  const lone = (k: Kind) => sorted(runs[k].flatMap((r) => r.lone));
  const p = (xs: number[], q: number) => xs[Math.min(xs.length - 1, Math.floor(xs.length * q))]!;
  const burst = (k: Kind) => median(runs[k].map((r) => r.burst));
  const frames = (k: Kind) => median(runs[k].map((r) => r.burstFrames));
  const welcome = (k: Kind) => median(runs[k].map((r) => r.welcomeBytes)) / 1000;
  const members = runs.batched[0]?.members ?? 0;
  const base = "the same Worker, batching off";
  const seen = "everyone seen (host keys), batched";
  return [
    {
      figure: `roster fan-out at ${members} sockets: a lone join → its peer-joined at every other socket, p50`,
      roomlink: p(lone("batched"), 0.5), baseline: p(lone("unbatched"), 0.5), baselineName: base, unit: "ms", target: "(reported)", pass: null,
      note: `${lone("batched").length} joins each; clients in the same process on a shared 2-core machine`,
    },
    { figure: "the same, p99", roomlink: p(lone("batched"), 0.99), baseline: p(lone("unbatched"), 0.99), baselineName: base, unit: "ms", target: "(reported)", pass: null },
    {
      figure: "a burst of 50 joins sent at once → the last peer-joined at the last socket",
      roomlink: burst("batched"), baseline: burst("unbatched"), baselineName: base, unit: "ms", target: "(reported)", pass: null,
      note: `${frames("batched")} frames at one member for the burst, against ${frames("unbatched")}`,
    },
    {
      // What every newcomer to a big stage downloads first: the roster rides in the welcome.
      figure: `the welcome a member who sees everyone gets on joining a stage of ${runs.batched[0]?.baseMembers ?? 0} members`,
      roomlink: welcome("batched"), baseline: null, baselineName: "", unit: "KB", target: "(reported)", pass: null,
    },
    // The crowd (protocol/features/crowd.ts): plain viewers hear of the stage, not of one another.
    {
      figure: `crowd: the welcome a plain viewer gets on joining a stage of ${runs.crowd[0]?.baseMembers ?? 0} members`,
      roomlink: welcome("crowd"), baseline: welcome("batched"), baselineName: seen, unit: "KB", target: "(reported)", pass: null,
    },
    {
      figure: "crowd: a lone join → its peer-joined at everyone who hears of it (the host), p50",
      roomlink: p(lone("crowd"), 0.5), baseline: p(lone("batched"), 0.5), baselineName: `${seen}: at every other socket`, unit: "ms", target: "(reported)", pass: null,
    },
    {
      figure: "crowd: a burst of 50 joins → the last peer-joined at the host",
      roomlink: burst("crowd"), baseline: burst("batched"), baselineName: `${seen}: at the last socket`, unit: "ms", target: "(reported)", pass: null,
      note: `${frames("crowd")} frames at one plain viewer for the burst (audience counts), against ${frames("batched")}`,
    },
  ];
}

async function switchFigures(): Promise<Row[]> {
  const reps = Number(process.env.BENCH_SWITCH_REPS ?? 3);
  const { sfu, mesh, failed } = await switchOver(reps, log);
  if (sfu.length === 0 || mesh.length === 0) throw new Error(`switch-over: no round finished (failed: ${failed.sfu} switching, ${failed.mesh} on the mesh)`);
  const base = "a 4th join on a mesh that stays one (MESH_MAX=6)";
  const pages = (rs: typeof sfu) => rs.flatMap((r) => r.darkMs);
  return [
    {
      figure: "switch-over: the 4th person past MESH_MAX=3 → all four decoding the three others on the SFU",
      roomlink: median(sfu.map((r) => r.doneMs)), baseline: median(mesh.map((r) => r.doneMs)), baselineName: base, unit: "ms", target: "(reported)", pass: null,
      note: `${reps} rounds; each: ${sfu.map((r) => r.doneMs).join(", ")} ms${failed.sfu + failed.mesh > 0 ? `; ${failed.sfu} switching and ${failed.mesh} mesh rounds did not finish in 90 s` : ""}; through the Realtime stand-in, 10 fps fake cameras`,
    },
    {
      figure: "the same: the longest dark tile (no frame advancing) per page, median over pages and rounds",
      roomlink: median(pages(sfu)), baseline: median(pages(mesh)), baselineName: base, unit: "ms", target: "(reported)", pass: null,
      note: `worst page ${Math.max(...pages(sfu))} ms, against ${Math.max(...pages(mesh))} ms`,
    },
  ];
}

async function bundleFigures(): Promise<Row[]> {
  const { initial, roomLink } = await bundleSizes();
  return [
    { figure: "initial JS+CSS, gzipped (what index.html loads)", roomlink: initial / 1000, baseline: null, baselineName: "", unit: "KB", target: "≤ 25 KB", pass: initial <= 25_000 },
    { figure: "all JS+CSS a room link loads, gzipped (initial + room chunk)", roomlink: roomLink / 1000, baseline: null, baselineName: "", unit: "KB", target: "(reported)", pass: null },
  ];
}

const fmt = (v: number | null | undefined) => (v === null || v === undefined || Number.isNaN(v) ? "" : v >= 100 ? v.toFixed(0) : v.toFixed(2));

function table(rows: Row[]): string {
  const lines = [
    "| figure | roomlink | baseline | ratio | node ws | target | result |",
    "|---|---|---|---|---|---|---|",
  ];
  for (const r of rows) {
    const ratio = r.baseline ? `${(r.roomlink / r.baseline).toFixed(2)}×` : "";
    const base = r.baseline !== null ? `${fmt(r.baseline)} ${r.unit} (${r.baselineName})` : "";
    const result = r.pass === null ? "reported" : r.pass ? "pass" : "**miss**";
    lines.push(`| ${r.figure}${r.note ? ` (${r.note})` : ""} | ${fmt(r.roomlink)} ${r.unit} | ${base} | ${ratio} | ${r.node !== undefined ? `${fmt(r.node)} ${r.unit}` : ""} | ${r.target} | ${result} |`);
  }
  return lines.join("\n");
}

// BENCH_ONLY=browser (or relay, slow-reader, files, presence, recording, idle, bundle, roster, switch; comma-separated) runs a part while working on it;
// a partial run does not replace latest.json.
const only = process.env.BENCH_ONLY?.split(",");
const parts: Array<[string, () => Promise<Row[]>]> = [
  ["relay", relayFigures],
  ["slow-reader", slowReaderFigures],
  ["browser", browserFigures],
  // The Realtime stand-in's engine needs the private namespace: `npm run bench` runs in test/browser/netns.sh.
  ["stage-upload", stageUploadFigures],
  ["files", filesFigures],
  ["presence", presenceFigures],
  ["recording", recordingFigures],
  ["idle", async () => [await idleFigure()]],
  ["bundle", bundleFigures],
  ["roster", rosterFigures],
  ["switch", switchFigures],
];
const started = Date.now();
const rows: Row[] = [];
for (const [name, run] of parts) if (!only || only.includes(name)) rows.push(...(await run()));
const out = table(rows);
process.stdout.write(`${out}\n\nmedians of ${REPS} interleaved repetitions; ${Math.round((Date.now() - started) / 1000)} s in all\n`);
await mkdir("bench-results", { recursive: true });
await writeFile(`bench-results/${only ? "partial" : "latest"}.json`, JSON.stringify({ date: new Date().toISOString(), reps: REPS, rows }, null, 2));
