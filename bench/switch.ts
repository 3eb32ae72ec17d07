// The switch-over (issue #16): a meeting of three on the mesh with MESH_MAX=3; a fourth person
// joins and the room moves everyone to the SFU (through the Realtime stand-in and its werift
// engine, test/realtime-stand-in/). Measured from the threshold being crossed (the first page
// learns of the fourth person: the room's roster frame and its transport frame go out together)
// until every page decodes every other's video on the SFU's one connection; and, per page, the
// longest stretch during it in which one of its tiles showed no new frame (a dark tile).
//
// The baseline, in the same process and rounds: the same fourth join on a mesh that stays a mesh
// (MESH_MAX=6), until every page decodes the three others. Both measured by one in-page sampler
// that reads the tile's own track (the camera stream a tile shows), so a tile left on a closed
// mesh connection, or waiting for a layer pulled again, counts as dark.
//
// Run inside netns.sh (the engine binds 127.0.0.1 and loopback is the whole network):
//   BENCH_ONLY=switch bash test/browser/netns.sh node bench/run.ts

import { chromium, type Browser, type Page } from "playwright-core";
import { CHROMIUM, createRoom, joinRoom, newPeerContext, startApp, waitForRemoteVideo, type App } from "../test/browser/harness.ts";

const APP_ID = "bench-switch-app";
const SECRET = "bench-switch-secret";
/** Fake cameras at this rate: four pages encoding and decoding at 30 fps would hold both cores. */
const FPS = 10;
/** A page that has not reached the SFU by then counts as a failed round. */
const ROUND_MS = 90_000;
/** How often each page reads its tiles' decoded frames. */
const SAMPLE_MS = 150;

export interface SwitchRound {
  /** Threshold → the last page decoding all three others (on the SFU for the switch). */
  doneMs: number;
  /** Per page: threshold → that page decoding all three others. */
  pageMs: number[];
  /** Per page: the longest stretch one of its tiles showed no new frame, between its first frame and the end. */
  darkMs: number[];
}

type RunningStandIn = import("../test/browser/stand-in.ts").RunningStandIn;

/** BENCH_SWITCH_TRACE=1: each SFU round's calls to the stand-in and each tile's arrival, in ms from the threshold. */
const TRACE = process.env.BENCH_SWITCH_TRACE === "1";
const calls: Array<{ t: number; what: string }> = [];

/** Stamps each call the stand-in records with the time it came (for the trace). */
function stampCalls(standIn: RunningStandIn) {
  const seen = standIn.standIn.seen;
  const push = seen.push.bind(seen);
  seen.push = (...items) => {
    for (const c of items) {
      const tracks = ((c.body as { tracks?: Array<Record<string, unknown>> } | undefined)?.tracks ?? []).map((t) => `${String(t.location ?? "")}:${String(t.trackName ?? t.mid ?? "")}${t.simulcast ? `@${String((t.simulcast as { preferredRid?: string }).preferredRid)}` : ""}`);
      calls.push({ t: Date.now(), what: `${c.method} ${c.path.replace(/^.*\/sessions\//, "").slice(0, 12)}… ${tracks.join(",")}` });
    }
    return push(...items);
  };
}

function trace(all: Sample[][], t0: number, log: (s: string) => void) {
  for (const c of calls) if (c.t >= t0 - 2000) log(`    +${c.t - t0} ms ${c.what}`);
  calls.length = 0;
  for (const d of debugLines) if (d.t >= t0 - 2000 && /sfu|layer|pull/.test(d.text)) log(`    page A +${d.t - t0} ms ${d.text}`);
  debugLines.length = 0;
  all.forEach((samples, i) => {
    const firstOnSfu = new Map<string, number>();
    for (const s of samples) for (const x of s.tiles) if (s.kind === "sfu" && x.pc === 0 && x.frames > 0 && !firstOnSfu.has(x.name)) firstOnSfu.set(x.name, s.t - t0);
    log(`    page ${i + 1}: first SFU frames per tile ${[...firstOnSfu].map(([n, t]) => `${n} +${t}`).join(", ")}`);
  });
}

interface Sample {
  t: number;
  kind: string;
  /** Participants other than us in the roster. */
  others: number;
  tiles: Array<{ name: string; track: string | null; frames: number; pc: number }>;
}

/** Starts sampling in the page: every SAMPLE_MS, each tile's track and the frames decoded of it, and which connection carries it. */
const startSampler = (p: Page) =>
  p.evaluate((every) => {
    type Hooked = { roomlink: { session: { peerConnections: RTCPeerConnection[]; state: { transport: { kind: string }; participants: Array<{ name: string; camera: MediaStream | null }> } } } };
    const g = globalThis as unknown as { switchSamples: unknown[]; switchSampler: ReturnType<typeof setInterval> };
    g.switchSamples = [];
    let busy = false;
    g.switchSampler = setInterval(async () => {
      if (busy) return;
      busy = true;
      try {
        const session = (globalThis as unknown as Hooked).roomlink.session;
        const t = Date.now();
        // Read with the connections, in the same tick: the state says "sfu" as the swap happens.
        const kind = session.state.transport.kind;
        const pcs = session.peerConnections;
        const shown = session.state.participants.map((x) => ({ name: x.name, track: x.camera?.getVideoTracks()[0]?.id ?? null }));
        const reports = await Promise.all(pcs.map((pc) => pc.getStats()));
        const tiles = shown.map(({ name, track }) => {
          let frames = -1;
          let pc = -1;
          reports.forEach((r, i) =>
            r.forEach((s) => {
              if (s.type === "inbound-rtp" && s.kind === "video" && track !== null && s.trackIdentifier === track) {
                frames = s.framesDecoded ?? 0;
                pc = i;
              }
            }),
          );
          return { name, track, frames, pc };
        });
        g.switchSamples.push({ t, kind, others: shown.length, tiles });
      } finally {
        busy = false;
      }
    }, every);
  }, SAMPLE_MS);

const samplesOf = (p: Page) => p.evaluate(() => (globalThis as unknown as { switchSamples: Sample[] }).switchSamples);

/** The first sample at which the page decodes the three others on the transport wanted: each tile's track advancing on the connection in force. */
function doneAt(samples: Sample[], sfu: boolean): number | null {
  const last = new Map<string, number>();
  for (const s of samples) {
    const advancing = s.tiles.filter((x) => {
      const key = `${x.name} ${x.track}`;
      const before = last.get(key);
      last.set(key, x.frames);
      // On the SFU, the connection in force comes first in peerConnections (the mesh's follow while it hands over).
      return x.frames > 0 && before !== undefined && x.frames > before && (!sfu || x.pc === 0);
    });
    if (s.others === 3 && s.tiles.length === 3 && advancing.length === 3 && (!sfu || s.kind === "sfu")) return s.t;
  }
  return null;
}

/**
 * The longest stretch, up to `end`, in which one tile showed no new frame, counted from the tile's
 * first frame at or after `from` (a tile that had none yet is waiting, which the switch-over
 * counts, not dark). A tile advances when its track decodes more frames than at its last reading
 * of the same track: a tile moved to a new track is dark until that one's frames rise.
 */
function longestDark(samples: Sample[], from: number, end: number): number {
  const lastAdvance = new Map<string, number>();
  const lastReading = new Map<string, { track: string | null; frames: number }>();
  let longest = 0;
  for (const s of samples) {
    if (s.t > end) break;
    for (const x of s.tiles) {
      const before = lastReading.get(x.name);
      lastReading.set(x.name, { track: x.track, frames: x.frames });
      if (!before || before.track !== x.track || x.frames <= before.frames || before.frames < 0) continue;
      const prev = lastAdvance.get(x.name);
      if (prev !== undefined && s.t >= from) longest = Math.max(longest, s.t - Math.max(prev, from));
      lastAdvance.set(x.name, s.t);
    }
  }
  // A tile dark from its last advance until the end.
  for (const at of lastAdvance.values()) longest = Math.max(longest, end - Math.max(at, from));
  return longest;
}

/** For the trace: page A's "[roomlink]" debug lines, stamped. */
const debugLines: Array<{ t: number; text: string }> = [];

async function member(browser: Browser, app: App, room: string, name: string): Promise<Page> {
  const context = await newPeerContext(browser, app);
  if (TRACE && name === "A") {
    await context.addInitScript(() => localStorage.setItem("roomlinkDebug", "1"));
    context.on("console", (m) => {
      if (m.text().startsWith("[roomlink]")) void Promise.all(m.args().map((a) => a.jsonValue().catch(() => "?"))).then((v) => debugLines.push({ t: Date.now(), text: JSON.stringify(v.slice(1)) }));
    });
  }
  const page = await context.newPage();
  await joinRoom(page, app, room, name);
  return page;
}

/** One round: three on the mesh, a fourth joins; `sfu` says whether the room should move to the SFU. */
/** One round; null if some page did not get there within ROUND_MS (counted and reported as failed). */
async function round(browser: Browser, app: App, sfu: boolean, log: (s: string) => void): Promise<SwitchRound | null> {
  const room = await createRoom(app);
  const pages: Page[] = [];
  try {
    for (const name of ["A", "B", "C"]) pages.push(await member(browser, app, room, name));
    for (const p of pages) await waitForRemoteVideo(p, 2, 30_000);
    await new Promise((r) => setTimeout(r, 2000));
    for (const p of pages) await startSampler(p);
    const fourth = await (await newPeerContext(browser, app)).newPage();
    pages.push(fourth);
    await joinRoom(fourth, app, room, "D");
    await startSampler(fourth);
    const deadline = Date.now() + ROUND_MS;
    let all: Sample[][] = [];
    for (;;) {
      await new Promise((r) => setTimeout(r, 500));
      all = await Promise.all(pages.map(samplesOf));
      if (all.every((s) => doneAt(s, sfu) !== null)) break;
      if (Date.now() > deadline) {
        log(`  not every page decoding the others after ${ROUND_MS} ms; each page's last reading:`);
        for (const [i, samples] of all.entries()) log(`    page ${i + 1}: ${JSON.stringify(samples.at(-1))}`);
        if (TRACE && sfu) trace(all, Math.min(...all.slice(0, 3).map((x) => x.find((y) => y.others === 3)?.t ?? Number.POSITIVE_INFINITY)), log);
        return null;
      }
    }
    // The threshold: the first sample of the first three pages that shows the fourth person.
    const t0 = Math.min(...all.slice(0, 3).map((s) => s.find((x) => x.others === 3)?.t ?? Number.POSITIVE_INFINITY));
    const done = all.map((s) => doneAt(s, sfu)!);
    if (TRACE && sfu) trace(all, t0, log);
    const end = Math.max(...done);
    return {
      doneMs: end - t0,
      pageMs: done.map((d) => d - t0),
      darkMs: all.map((s, i) => longestDark(s, t0, done[i]!)),
    };
  } finally {
    for (const p of pages) await p.context().close().catch(() => undefined);
  }
}

export interface SwitchFigures {
  sfu: SwitchRound[];
  mesh: SwitchRound[];
  /** Rounds in which some page never got there. */
  failed: { sfu: number; mesh: number };
}

/** `reps` rounds of each, interleaved: the 4th join on a mesh that stays one (the baseline), then the switch. */
export async function switchOver(reps: number, log: (s: string) => void): Promise<SwitchFigures> {
  // Loaded when the part runs: it registers the stand-in's module hooks (test/browser/stand-in.ts).
  const { startStandIn } = await import("../test/browser/stand-in.ts");
  const standIn = await startStandIn(APP_ID, SECRET);
  if (TRACE) stampCalls(standIn);
  const vars = { REALTIME_APP_ID: APP_ID, REALTIME_APP_SECRET: SECRET, REALTIME_API_URL: standIn.apiUrl, TRANSPORT_SWITCH_MS: "0" };
  const apps: App[] = [];
  let browser: Browser | null = null;
  const out: SwitchFigures = { sfu: [], mesh: [], failed: { sfu: 0, mesh: 0 } };
  try {
    const switching = await startApp({ ...vars, MESH_MAX: "3" });
    apps.push(switching);
    const staying = await startApp({ ...vars, MESH_MAX: "6" });
    apps.push(staying);
    const args = [
      "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
      "--disable-sync", "--use-fake-ui-for-media-stream", `--use-fake-device-for-media-stream=fps=${FPS}`, "--allow-loopback-in-peer-connection",
      "--autoplay-policy=no-user-gesture-required",
    ];
    browser = await chromium.launch({ executablePath: CHROMIUM, args, headless: true });
    for (let rep = 1; rep <= reps; rep++) {
      for (const [kind, app] of [["mesh", staying], ["sfu", switching]] as const) {
        log(`switch-over, rep ${rep}/${reps}: ${kind === "sfu" ? "a fourth person past MESH_MAX=3 (mesh → SFU)" : "a fourth person on a mesh of MESH_MAX=6"}…`);
        const r = await round(browser, app, kind === "sfu", log);
        if (r === null) {
          out.failed[kind]++;
          continue;
        }
        log(`  done after ${r.doneMs} ms (pages: ${r.pageMs.join(", ")}); longest dark tile per page: ${r.darkMs.join(", ")} ms`);
        out[kind].push(r);
        await new Promise((res) => setTimeout(res, 1500));
      }
    }
  } finally {
    await browser?.close();
    for (const a of apps) await a.stop();
    await standIn.stop();
  }
  return out;
}
