// Presence figures in headless Chromium:
//
// - Speaker-detection delay: from the onset of a tone on one member's mic to the speaking
//   highlight for that member on another's screen. The mic is a looping WAV (1 s of tone, 2 s of
//   silence: test/browser/tone-wav.ts), so every 3 s there is an onset, and each silence outlasts
//   the 1 s hangover. The sender's page finds each onset in its own captured track with an
//   analyser read every 5 ms; the receiver's page notes when its tile for the sender turns
//   `data-speaking` (the ring), or, before it renders, when its session's state says so. Both
//   pages are on this machine's clock (performance.timeOrigin + now).
// - The stats poll's CPU cost: a 4-member mesh in one browser (fake camera at 5 fps, so that the
//   machine is not saturated), its CPU (every process, from CDP's SystemInfo.getProcessInfo) over
//   windows with the poll running and paused (RoomSession's pauseStats), interleaved, in % of one
//   core. The poll also feeds bitrate control, which holds its last caps while paused.

import { chromium } from "playwright-core";
import { toneWav } from "../test/browser/tone-wav.ts";
import { ARGS, type BenchKit, connectedTo, member, slowCameraMesh } from "./browser.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Hooked = {
  roomlink: {
    session: {
      state: { selfId: string | null; participants: Array<{ id: string; connection: string }>; presence: { speaking: string[] } };
      on(e: "change", fn: (s: Hooked["roomlink"]["session"]["state"]) => void): () => void;
      pauseStats(paused: boolean): void;
    };
    media: { setMic(on: boolean): Promise<unknown> | unknown; tracks: { audio: MediaStreamTrack | null } };
  };
};

export interface SpeakerDelay {
  /** One per onset paired on both sides, ms. */
  delays: number[];
  /** Whether the receiver's times came from the tile's ring (true) or the session state (false). */
  fromTile: boolean;
}

/** Onsets over `ms` on A's mic against the highlight on B's screen. */
export async function speakerDelay(kit: BenchKit, ms = 40_000): Promise<SpeakerDelay> {
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium", args: [...ARGS, `--use-file-for-fake-audio-capture=${await toneWav()}`] });
  try {
    const { id } = await kit.room();
    const a = await member(browser, kit, id, "Speaker");
    const b = await member(browser, kit, id, "Listener");
    for (const p of [a, b]) await connectedTo(p, 1);
    // Only A's mic is on: B would hear the same WAV.
    await b.evaluate(() => (globalThis as unknown as Hooked).roomlink.media.setMic(false));
    const speaker = await a.evaluate(() => (globalThis as unknown as Hooked).roomlink.session.state.selfId!);
    // A: onsets in its own captured audio (RMS over 256 samples, above 0.05 after 1.5 s below 0.01).
    await a.evaluate(() => {
      const g = globalThis as unknown as Hooked & { onsets: number[] };
      g.onsets = [];
      const track = g.roomlink.media.tracks.audio!;
      const ctx = new AudioContext();
      const analyser = ctx.createAnalyser();
      analyser.fftSize = 256;
      ctx.createMediaStreamSource(new MediaStream([track])).connect(analyser);
      const buf = new Float32Array(analyser.fftSize);
      let quietSince = performance.now();
      let loud = false;
      setInterval(() => {
        analyser.getFloatTimeDomainData(buf);
        let sum = 0;
        for (const v of buf) sum += v * v;
        const rms = Math.sqrt(sum / buf.length);
        const now = performance.now();
        if (!loud && rms > 0.05 && now - quietSince > 1500) {
          loud = true;
          g.onsets.push(performance.timeOrigin + now);
        } else if (rms < 0.01) {
          if (loud) quietSince = now;
          loud = false;
        } else if (rms >= 0.01 && !loud) quietSince = now;
      }, 5);
    });
    // B: each time the speaker's tile gets its ring (or, without one, the state says speaking).
    const fromTile = await b.evaluate((speaker) => {
      const g = globalThis as unknown as Hooked & { highlights: number[] };
      g.highlights = [];
      const tile = document.querySelector(`[data-testid="tile-camera-${speaker}"]`);
      if (tile) {
        let was = tile.getAttribute("data-speaking") === "true";
        new MutationObserver(() => {
          const is = tile.getAttribute("data-speaking") === "true";
          if (is && !was) g.highlights.push(performance.timeOrigin + performance.now());
          was = is;
        }).observe(tile, { attributes: true, attributeFilter: ["data-speaking"] });
        return true;
      }
      let was = g.roomlink.session.state.presence.speaking.includes(speaker);
      g.roomlink.session.on("change", (s) => {
        const is = s.presence.speaking.includes(speaker);
        if (is && !was) g.highlights.push(performance.timeOrigin + performance.now());
        was = is;
      });
      return false;
    }, speaker);
    await sleep(ms);
    const onsets = await a.evaluate(() => (globalThis as unknown as { onsets: number[] }).onsets);
    const highlights = await b.evaluate(() => (globalThis as unknown as { highlights: number[] }).highlights);
    // Each highlight belongs to the latest onset before it, if that onset is within one loop (3 s).
    const delays: number[] = [];
    for (const h of highlights) {
      const onset = onsets.filter((o) => o <= h).at(-1);
      if (onset !== undefined && h - onset < 3000) delays.push(h - onset);
    }
    return { delays, fromTile };
  } finally {
    await browser.close();
  }
}

export interface PollCost {
  /** % of one core, with the poll running and paused, per window. */
  on: number[];
  off: number[];
}

/** A 4-member mesh in one browser; CPU over `windows` pairs of `windowMs` windows, poll on and off alternately. */
export async function statsPollCost(kit: BenchKit, opts: { cameras: boolean }, windows = 4, windowMs = 8_000): Promise<PollCost> {
  // At the fake camera's 30 fps, four members encoding and decoding for each other take both of
  // this machine's cores (191 % of a core, poll running or not): a saturated machine cannot show
  // a difference. At 5 fps the mesh leaves room, and the poll's work (a getStats per link, the
  // same records whatever the frame rate) is what it was.
  const { browser, pages, cpuSeconds } = await slowCameraMesh(kit, 4);
  try {
    // Cameras off: audio only, the machine has headroom and a difference can show.
    if (!opts.cameras) for (const p of pages) await p.evaluate(() => (globalThis as unknown as { roomlink: { media: { setCam(on: boolean): unknown } } }).roomlink.media.setCam(false));
    const setPaused = (paused: boolean) => Promise.all(pages.map((p) => p.evaluate((paused) => (globalThis as unknown as Hooked).roomlink.session.pauseStats(paused), paused)));
    const cost: PollCost = { on: [], off: [] };
    for (let w = 0; w < windows; w++) {
      // Alternating which goes first, so a drift in load favours neither.
      for (const paused of w % 2 === 0 ? [false, true] : [true, false]) {
        await setPaused(paused);
        await sleep(1_000);
        const c0 = await cpuSeconds();
        const t0 = performance.now();
        await sleep(windowMs);
        const percent = ((await cpuSeconds()) - c0) / ((performance.now() - t0) / 1000) * 100;
        (paused ? cost.off : cost.on).push(percent);
      }
    }
    await setPaused(false);
    return cost;
  } finally {
    await browser.close();
  }
}
