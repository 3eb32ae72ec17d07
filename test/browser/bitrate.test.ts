// The upload budget in a real mesh: with four people, what each one sends in total (every copy
// of its video, measured from getStats) stays within the room's budget; when one leaves, each
// remaining copy may use more. Uncapped, Chromium sends about 440 kbps of the fake camera per
// participant here (measured), well over the 204 kbps of video this 300 kbps budget allows.

import assert from "node:assert/strict";
import { after, before, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { createRoom, joinRoom, launchBrowser, newPeerContext, report, startApp, waitForRemoteVideo, waitUntil, type App } from "./harness.ts";

const BUDGET_KBPS = 300;
let app: App;
let browser: Browser;

before(async () => {
  app = await startApp({ UPLOAD_BUDGET_KBPS: String(BUDGET_KBPS) });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await app?.stop();
});

/** Outgoing video, bits per second, per peer connection, over `ms`. */
async function outboundVideoBps(page: Page, ms: number): Promise<number[]> {
  const bytes = () =>
    page.evaluate(async () => {
      const rl = (globalThis as unknown as { roomlink: { session: { peerConnections: RTCPeerConnection[] } } }).roomlink;
      const out: number[] = [];
      for (const pc of rl.session.peerConnections) {
        let sent = 0;
        (await pc.getStats()).forEach((s) => {
          if (s.type === "outbound-rtp" && s.kind === "video") sent += s.bytesSent ?? 0;
        });
        out.push(sent);
      }
      return out;
    });
  const before = await bytes();
  const t0 = Date.now();
  await new Promise((r) => setTimeout(r, ms));
  const after = await bytes();
  const seconds = (Date.now() - t0) / 1000;
  return after.map((b, i) => ((b - (before[i] ?? 0)) * 8) / seconds);
}

const caps = (page: Page) =>
  page.evaluate(() => {
    const rl = (globalThis as unknown as { roomlink: { session: { peerConnections: RTCPeerConnection[] } } }).roomlink;
    return rl.session.peerConnections.map((pc) => {
      const video = pc.getSenders().find((s) => s.track?.kind === "video");
      return video?.getParameters().encodings?.[0]?.maxBitrate ?? null;
    });
  });

it("keeps each participant's total video upload within the budget at N = 4, and raises the cap when one leaves", async () => {
  const room = await createRoom(app);
  const pages: Page[] = [];
  for (let i = 0; i < 4; i++) {
    const page = await (await newPeerContext(browser, app)).newPage();
    await joinRoom(page, app, room, `P${i + 1}`);
    pages.push(page);
  }
  for (const p of pages) await waitForRemoteVideo(p, 3, 30_000);

  // Each copy: (budget − 3 × 32 kbps audio) / 3.
  const perCopy = Math.floor(((BUDGET_KBPS - 3 * 32) * 1000) / 3);
  for (const p of pages) await waitUntil("caps applied", async () => (await caps(p)).every((c) => c === perCopy), 10_000);
  // Give the encoders time to settle under the new caps, then measure everyone at once.
  await new Promise((r) => setTimeout(r, 3000));
  const totals = (await Promise.all(pages.map((p) => outboundVideoBps(p, 4000)))).map((links) => links.reduce((a, b) => a + b, 0));
  const videoBudget = 3 * perCopy;
  report(`N=4, budget ${BUDGET_KBPS} kbps: total video upload per participant (kbps) ${totals.map((t) => Math.round(t / 1000)).join(", ")}; video budget`, videoBudget / 1000, "kbps");
  for (const total of totals) {
    assert.ok(total <= videoBudget * 1.15, `${Math.round(total / 1000)} kbps sent against a video budget of ${videoBudget / 1000} kbps`);
    assert.ok(total > videoBudget * 0.2, `only ${Math.round(total / 1000)} kbps: is video flowing at all?`);
  }

  // One leaves: three remain, two copies each, and each copy may use more.
  await pages[3]!.getByTestId("leave").click();
  const perCopyAfter = Math.floor(((BUDGET_KBPS - 2 * 32) * 1000) / 2);
  for (const p of pages.slice(0, 3)) await waitUntil("higher caps after a leave", async () => {
    const c = await caps(p);
    return c.length === 2 && c.every((x) => x === perCopyAfter);
  }, 10_000);
  assert.ok(perCopyAfter > perCopy);
  for (const p of pages) await p.context().close();
});
