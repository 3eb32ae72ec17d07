// Recording figures in headless Chromium (issue #15):
//
// - CPU: a 4-member mesh in one browser, every process's CPU (CDP SystemInfo.getProcessInfo) over
//   windows with one member recording the composite (960×540 at 24 fps, everyone's audio mixed,
//   written to OPFS) and windows without, interleaved, in % of one core. The fake cameras run at
//   5 fps, as in the stats-poll figure: at 30 fps four members encoding for each other saturate
//   both cores and no cost could show. The composite's own frame rate does not depend on them.
// - Memory: one member records the composite for RECORD_MS in a browser of its own (a 2-member
//   call, the other member in another browser), so that its renderer processes are that page and
//   nothing else; the figure is their summed VmRSS at its highest during the recording, less just
//   before it started. The recording streams to disk, so this must not grow with its length.

import type { Page } from "playwright-core";
import { type BenchKit, connectedTo, slowCameraMesh } from "./browser.ts";
import { ownBrowser } from "./files.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Hooked = { roomlink: { session: { state: { recording: { own: { phase: string; bytes?: number } | null } } }; media: { setCam(on: boolean): unknown } } };

const ownPhase = (page: Page) => page.evaluate(() => (globalThis as unknown as Hooked).roomlink.session.state.recording.own?.phase ?? null);

/** Starts a composite recording through the UI, as a person would, and waits until it runs. */
async function startComposite(page: Page): Promise<void> {
  await page.getByTestId("record").click();
  await page.getByTestId("rec-kind-composite").check();
  await page.getByTestId("rec-start").click();
  await page.waitForFunction(() => (globalThis as unknown as Hooked).roomlink.session.state.recording.own?.phase === "recording", null, { timeout: 30_000 });
}

/** Stops it and waits for the file; then dismisses the saved sheet and deletes the file, so OPFS does not fill up over the windows. */
async function stopAndDiscard(page: Page): Promise<number> {
  const bytes = await page.evaluate(() => (globalThis as unknown as Hooked).roomlink.session.state.recording.own?.bytes ?? 0);
  await page.getByTestId("rec-stop").click();
  await page.waitForFunction(() => (globalThis as unknown as Hooked).roomlink.session.state.recording.own === null, null, { timeout: 60_000 });
  const del = page.getByTestId("rec-delete");
  if (await del.count()) await del.first().click();
  return bytes;
}

export interface RecordingCpu {
  /** % of one core per window, recording and not. */
  on: number[];
  off: number[];
}

export async function recordingCpu(kit: BenchKit, windows = 4, windowMs = 10_000): Promise<RecordingCpu> {
  const { browser, pages, cpuSeconds } = await slowCameraMesh(kit, 4);
  try {
    const recorder = pages[0]!;
    const cost: RecordingCpu = { on: [], off: [] };
    for (let w = 0; w < windows; w++) {
      for (const recording of w % 2 === 0 ? [true, false] : [false, true]) {
        if (recording) await startComposite(recorder);
        // The encoder and the mixer settle in the first second.
        await sleep(1_500);
        const c0 = await cpuSeconds();
        const t0 = performance.now();
        await sleep(windowMs);
        const percent = (((await cpuSeconds()) - c0) / ((performance.now() - t0) / 1000)) * 100;
        (recording ? cost.on : cost.off).push(percent);
        if (recording) await stopAndDiscard(recorder);
      }
    }
    return cost;
  } finally {
    await browser.close();
  }
}

export interface RecordingMemory {
  /** Renderer RSS, MiB: highest during the recording − just before it. */
  growthMiB: number;
  /** The same at the end of the recording (before stopping). */
  endGrowthMiB: number;
  /** The file's size when stopped, MB, and how long it ran, s. */
  fileMB: number;
  seconds: number;
  samples: number;
}

/** With `record` false, the same call for the same time without a recording: the baseline. */
export async function recordingMemory(kit: BenchKit, recordMs = 5 * 60_000, record = true): Promise<RecordingMemory> {
  const a = await ownBrowser(kit, "Recorder");
  const b = await ownBrowser(kit, "Other");
  try {
    const { id } = await kit.room();
    await a.page.setViewportSize({ width: 1280, height: 800 });
    await kit.join(a.page, id);
    await kit.join(b.page, id);
    await connectedTo(a.page, 1);
    await connectedTo(b.page, 1);
    await sleep(5_000);
    const before = (await a.rendererRss()).kib;
    if (record) await startComposite(a.page);
    const t0 = performance.now();
    let max = before;
    let last = before;
    let samples = 0;
    while (performance.now() - t0 < recordMs) {
      await sleep(5_000);
      last = (await a.rendererRss()).kib;
      max = Math.max(max, last);
      samples++;
    }
    if (record && (await ownPhase(a.page)) !== "recording") throw new Error(`the recording stopped by itself (${await ownPhase(a.page)})`);
    const seconds = (performance.now() - t0) / 1000;
    const bytes = record ? await stopAndDiscard(a.page) : 0;
    return { growthMiB: (max - before) / 1024, endGrowthMiB: (last - before) / 1024, fileMB: bytes / 1e6, seconds, samples };
  } finally {
    await a.browser.close();
    await b.browser.close();
  }
}
