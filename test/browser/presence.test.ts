// Presence in real Chromium: a tone on one person's mic makes them the speaker on the others'
// screens, and each connection's quality shows numbers that move when the network is cut.
//
// The browser's fake mic plays a looping WAV (tone-wav.ts: 1 s of swelling tone, 2 s of silence)
// instead of Chromium's beeps, so each burst is an onset and each silence outlasts the 1 s hangover.
// The cut drops every UDP packet (udp-cut.ts), inside the suite's private network namespace.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { createRoom, joinRoom, launchBrowser, newPeerContext, report, startApp, waitForRemoteVideo, waitUntil, type App, selfIdOf } from "./harness.ts";
import { toneWav } from "./tone-wav.ts";
import { assertPrivateNamespace, cutUdp, restoreUdp } from "./udp-cut.ts";

let app: App;
let browser: Browser;

before(async () => {
  assertPrivateNamespace();
  restoreUdp();
  app = await startApp();
  browser = await launchBrowser({ fakeAudio: await toneWav({ toneMs: 1000, silenceMs: 2000 }) });
});

after(async () => {
  restoreUdp();
  await browser?.close();
  await app?.stop();
});

type Presence = { speaking: string[]; activeSpeaker: string | null; quality: Record<string, { grade: number; rttMs: number | null; kbpsIn: number | null; lossInPct: number | null }> };
type Hooked = { roomlink: { session: { state: { selfId: string; presence: Presence }; on(e: "change", fn: (s: { presence: Presence }) => void): () => void } } };

const presence = (p: Page) => p.evaluate(() => (globalThis as unknown as Hooked).roomlink.session.state.presence);

/** Starts recording, on the page, each time `who` starts and stops speaking (ms on the page's clock). */
const recordSpeaking = (p: Page, who: string) =>
  p.evaluate((who) => {
    const g = globalThis as unknown as Hooked & { speakingLog: Array<{ on: boolean; at: number }>; othersSpoke: string[] };
    g.speakingLog = [];
    g.othersSpoke = [];
    let was = g.roomlink.session.state.presence.speaking.includes(who);
    g.roomlink.session.on("change", (s) => {
      const is = s.presence.speaking.includes(who);
      if (is !== was) g.speakingLog.push({ on: is, at: performance.now() });
      was = is;
      for (const id of s.presence.speaking) if (id !== who && !g.othersSpoke.includes(id)) g.othersSpoke.push(id);
    });
  }, who);

const speakingLog = (p: Page) =>
  p.evaluate(() => {
    const g = globalThis as unknown as { speakingLog: Array<{ on: boolean; at: number }>; othersSpoke: string[] };
    return { log: g.speakingLog, others: g.othersSpoke };
  });

describe("presence", () => {
  it("a tone on Aigul's mic makes her the active speaker for the others, and the silences end it", async () => {
    const room = await createRoom(app);
    const pages: Page[] = [];
    for (const [name, mic] of [["Aigul", true], ["Bakyt", false], ["Cholpon", false]] as const) {
      const page = await (await newPeerContext(browser, app)).newPage();
      await joinRoom(page, app, room, name, { mic });
      pages.push(page);
    }
    const [a, b, c] = pages as [Page, Page, Page];
    const aigul = await selfIdOf(a);
    for (const p of [b, c]) await waitForRemoteVideo(p, 2, 30_000);
    for (const p of [b, c]) await recordSpeaking(p, aigul);
    await recordSpeaking(a, aigul);
    // Three bursts: each starts speech and each 2 s silence ends it (1 s hangover).
    // The log may open with an end (she was speaking when recording began): count onsets.
    const onsets = async (p: Page) => (await speakingLog(p)).log.filter((e) => e.on).length;
    await waitUntil("Aigul's speech to start three times and end after it on the others' screens", async () => {
      for (const p of [b, c]) {
        const { log } = await speakingLog(p);
        if ((await onsets(p)) < 3 || log.at(-1)!.on) return false;
      }
      return true;
    }, 25_000).catch(async (e: Error) => {
      throw new Error(`${e.message}: Bakyt ${JSON.stringify(await speakingLog(b))}, Cholpon ${JSON.stringify(await speakingLog(c))}`);
    });
    for (const p of [b, c]) {
      const { log, others } = await speakingLog(p);
      assert.ok(log.filter((e) => e.on).length >= 3, `three onsets: ${JSON.stringify(log)}`);
      // Muted mics never speak: nobody else was ever in the list.
      assert.deepEqual(others, []);
      const spans = log.flatMap((e, i) => (e.on && log[i + 1] && !log[i + 1]!.on ? [log[i + 1]!.at - e.at] : []));
      // Each burst is 1 s of tone and 1 s of hangover, so speech lasts about 2 s, not the whole loop.
      for (const span of spans) assert.ok(span > 1200 && span < 2900, `speech spans ${spans.map(Math.round).join(", ")} ms`);
      assert.equal((await presence(p)).activeSpeaker, aigul);
      report("a 1 s burst heard as speech for", spans[0]!, "ms");
    }
    // On screen: the ring on Aigul's tile at the others, on while she speaks (the state says it; the tile draws it).
    for (const p of [b, c]) {
      await waitUntil("the speaking ring on Aigul's tile", () => p.locator(`[data-testid="tile-camera-${aigul}"][data-speaking="true"]`).count().then((n) => n === 1), 10_000);
    }
    // Our own mic: Aigul sees herself speak too, and is never her own active speaker.
    const own = await speakingLog(a);
    assert.ok(own.log.some((e) => e.on), "Aigul's own meter hears the tone");
    assert.equal((await presence(a)).activeSpeaker, null);
    for (const p of pages) await p.context().close();
  });

  it("quality: numbers for each connection, which move when UDP is cut", async () => {
    const room = await createRoom(app);
    const a = await (await newPeerContext(browser, app)).newPage();
    await joinRoom(a, app, room, "Aigul");
    const b = await (await newPeerContext(browser, app)).newPage();
    await joinRoom(b, app, room, "Bakyt");
    await waitForRemoteVideo(b, 1);
    const aigul = await selfIdOf(a);
    let before: Presence["quality"][string] | undefined;
    await waitUntil("a quality reading with bitrate and RTT", async () => {
      before = (await presence(b)).quality[aigul];
      return !!before && before.rttMs !== null && (before.kbpsIn ?? 0) > 50;
    }, 20_000);
    assert.ok(before!.grade >= 4, `a clean loopback link grades high: ${JSON.stringify(before)}`);
    report("loopback RTT seen by quality", before!.rttMs!, "ms");
    // The bars on Aigul's tile at Bakyt say the same grade.
    const bars = b.locator(`[data-testid="tile-camera-${aigul}"] [data-testid="quality-bars"]`);
    await waitUntil("quality bars at a high grade on Aigul's tile", async () => Number(await bars.getAttribute("data-grade")) >= 4, 10_000);
    cutUdp();
    const cutAt = Date.now();
    try {
      // Within a poll or two nothing arrives: the link is stalled, graded 0 (bars and state alike).
      await waitUntil("the grade to fall to 0 after the cut", async () => (await presence(b)).quality[aigul]?.grade === 0 && (await bars.getAttribute("data-grade")) === "0", 12_000);
      report("UDP cut → bars at 0", Date.now() - cutAt, "ms");
      const q = (await presence(b)).quality[aigul]!;
      assert.equal(q.lossInPct, 100, JSON.stringify(q));
    } finally {
      restoreUdp();
    }
    await waitUntil("quality readings to come back after the cut", async () => ((await presence(b)).quality[aigul]?.kbpsIn ?? 0) > 50, 45_000);
    // Graded up again, one step per poll.
    await waitUntil("the bars to climb back", async () => Number(await bars.getAttribute("data-grade")) >= 3, 20_000);
    for (const p of [a, b]) await p.context().close();
  });

  it("a late joiner sees a hand raised before it came, and a reaction shows on its sender's tile for the others", async () => {
    const room = await createRoom(app);
    const a = await (await newPeerContext(browser, app)).newPage();
    await joinRoom(a, app, room, "Aigul", { mic: false });
    const b = await (await newPeerContext(browser, app)).newPage();
    await joinRoom(b, app, room, "Bakyt", { mic: false });
    const aigul = await selfIdOf(a);
    // The keyboard shortcut, as a person would.
    await a.keyboard.press("Control+Alt+KeyH");
    await b.locator(`[data-testid="tile-camera-${aigul}"] [data-testid="tile-hand"]`).waitFor();
    const c = await (await newPeerContext(browser, app)).newPage();
    await joinRoom(c, app, room, "Cholpon", { mic: false });
    // Cholpon never saw the hand go up: she learns it from her welcome.
    await c.locator(`[data-testid="tile-camera-${aigul}"] [data-testid="tile-hand"]`).waitFor({ timeout: 20_000 });
    await c.getByTestId("people-toggle").click();
    await c.getByTestId("hands-list").getByTestId("hand-entry").first().waitFor();
    assert.match((await c.getByTestId("hands-list").innerText()) ?? "", /Aigul/);
    // A reaction from Bakyt floats over Bakyt's tile at Aigul and Cholpon.
    const bakyt = await selfIdOf(b);
    await b.getByTestId("reactions-toggle").click();
    await b.getByTestId("react-party").click();
    for (const p of [a, c]) await p.locator(`[data-testid="tile-camera-${bakyt}"] [data-testid="reaction"][data-code="party"]`).waitFor({ timeout: 10_000 });
    for (const p of [a, b, c]) await p.context().close();
  });
});
