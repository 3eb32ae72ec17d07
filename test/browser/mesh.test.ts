// A full mesh of four: every one of the 12 directed media paths carries decoded video.

import assert from "node:assert/strict";
import { it } from "node:test";
import type { Page } from "playwright-core";
import { createRoom, joinRoom, appAndBrowser, mediaStats, newPeerContext, report, waitForRemoteVideo } from "./harness.ts";

const env = appAndBrowser();

it("connects a 4-peer full mesh with video on all 12 directed paths", async () => {
  const room = await createRoom(env.app);
  const pages: Page[] = [];
  for (let i = 0; i < 4; i++) pages.push(await (await newPeerContext(env.browser, env.app)).newPage());
  const t0 = Date.now();
  // All four open the link at once, as when a meeting starts.
  await Promise.all(pages.map((p, i) => joinRoom(p, env.app, room, `P${i + 1}`)));
  await Promise.all(pages.map((p) => waitForRemoteVideo(p, 3, 30_000)));
  report("4-peer mesh: open link → all 12 paths decoding", Date.now() - t0, "ms");
  for (const p of pages) {
    const stats = await mediaStats(p);
    assert.equal(stats.length, 3);
    for (const s of stats) {
      assert.equal(s.state, "connected");
      assert.ok(s.video > 0);
      assert.equal(s.audioLive, true);
    }
    assert.equal(await p.getByTestId("people-toggle").locator(".count").textContent(), "4");
  }
  for (const p of pages) await p.context().close();
});
