// A call that survives its signaling: a frozen socket (the page is offline, the WebSocket hangs
// without closing) and a deploy that closes every socket. Media keeps flowing peer to peer; the
// app notices, reconnects, takes back its seat, and loses or repeats no chat.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser } from "playwright-core";
import { launchBrowser, mediaStats, report, startApp, twoPeerCall, waitForRemoteVideo, waitUntil, type App } from "./harness.ts";
import { chatTexts, holdConnections, sameConnections, sessionOf, systemTexts } from "./session-probe.ts";

let app: App;
let browser: Browser;

before(async () => {
  app = await startApp({}, { persist: true });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await app?.stop();
});

describe("signaling that fails under a call", () => {
  it("notices a frozen socket by its own heartbeat, resumes the same id, and delivers offline chat once", async () => {
    const [b, a] = await twoPeerCall(browser, app, "Bakyt", "Aigul");
    const before = await sessionOf(a);
    await holdConnections(a);

    await a.context().setOffline(true);
    const offlineAt = Date.now();
    await a.getByTestId("chat-input").fill("sent while offline");
    await a.getByTestId("chat-input").press("Enter");
    // The page's own heartbeat gives up on the frozen socket and starts reconnecting.
    await waitUntil("A to notice the dead socket", async () => (await sessionOf(a)).status === "reconnecting", 10_000);
    report("frozen signaling socket noticed after", Date.now() - offlineAt, "ms");
    // Media is peer to peer and does not care: B keeps decoding A's video meanwhile.
    const mid = (await mediaStats(b))[0]!.video;
    await waitUntil("B still decoding A", async () => (await mediaStats(b))[0]!.video > mid + 10, 5000);
    const remaining = 10_000 - (Date.now() - offlineAt);
    if (remaining > 0) await new Promise((r) => setTimeout(r, remaining));

    await a.context().setOffline(false);
    const onlineAt = Date.now();
    await waitUntil("A rejoined", async () => (await sessionOf(a)).status === "joined", 15_000);
    report("back online → signaling resumed", Date.now() - onlineAt, "ms");
    const after = await sessionOf(a);
    assert.equal(after.selfId, before.selfId, "same peer id");
    assert.ok(after.reconnects >= 1, "it really reconnected");
    assert.equal(await sameConnections(a), true, "same peer connections");

    await waitUntil("the offline message at B", async () => (await chatTexts(b)).includes("sent while offline"), 10_000);
    await new Promise((r) => setTimeout(r, 1000)); // would a duplicate arrive late?
    assert.deepEqual((await chatTexts(b)).filter((t) => t === "sent while offline"), ["sent while offline"]);
    assert.deepEqual((await chatTexts(a)).filter((t) => t === "sent while offline"), ["sent while offline"]);
    assert.equal(await a.getByTestId("chat-pending").count(), 0);
    // B saw no leave and no second join.
    assert.deepEqual(await systemTexts(b), ["Aigul joined"]);
    await waitForRemoteVideo(a, 1);
    await waitForRemoteVideo(b, 1);
    await a.context().close();
    await b.context().close();
  });

  it("rides out a deploy that closes every socket: both resume and the video goes on", async () => {
    const [b, a] = await twoPeerCall(browser, app, "Bakyt", "Aigul");
    const ids = [(await sessionOf(a)).selfId, (await sessionOf(b)).selfId];
    await holdConnections(a);
    await holdConnections(b);
    const deployAt = Date.now();
    await app.redeploy();
    for (const page of [a, b]) {
      await waitUntil("rejoined after the deploy", async () => {
        const s = await sessionOf(page);
        return s.status === "joined" && s.reconnects >= 1;
      }, 20_000);
    }
    report("deploy (all sockets closed) → both resumed", Date.now() - deployAt, "ms");
    assert.deepEqual([(await sessionOf(a)).selfId, (await sessionOf(b)).selfId], ids);
    for (const page of [a, b]) {
      assert.equal(await sameConnections(page), true);
      await waitForRemoteVideo(page, 1);
    }
    // Chat works across the new sockets, and nobody left.
    await b.getByTestId("chat-input").fill("after the deploy");
    await b.getByTestId("chat-input").press("Enter");
    await waitUntil("chat after deploy", async () => (await chatTexts(a)).includes("after the deploy"));
    assert.deepEqual(await systemTexts(a), []);
    assert.deepEqual(await systemTexts(b), ["Aigul joined"]);
    await a.context().close();
    await b.context().close();
  });
});
