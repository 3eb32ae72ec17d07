// The signaling fails under a call on the SFU (issue #16: reconnect as robust as the mesh's, with
// the same tests as reliability.test.ts): a frozen socket (the page is offline, its WebSocket hangs
// without closing) and a deploy that closes every socket. Three people with MESH_MAX=2 are on the
// SFU, each on one peer connection to the Realtime stand-in (test/realtime-stand-in/). The media
// path (UDP to the SFU) is not the signaling's: the call must go on meanwhile, every page must
// resume its own id without a reload, keep its one connection and its Realtime session (nothing is
// published or pulled again), and chat sent while away must arrive exactly once.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { createRoom, joinRoom, newPeerContext, report, waitUntil, type App } from "./harness.ts";
import { chatTexts, holdConnections, markLoaded, notReloaded, sameConnections, sessionOf, systemTexts } from "./session-probe.ts";
import { type RunningStandIn, type SfuRig, sfuMediaOf, startSfuRig, waitForSfuFlow } from "./stand-in.ts";

const APP_ID = "browser-sfu-reliability-app";
const SECRET = "browser-sfu-reliability-secret";
/** The lowest the room takes: a third person takes the call to the SFU. */
const MESH_MAX = 2;
const PEOPLE = ["Aigul", "Bakyt", "Cholpon"];
const OTHERS = PEOPLE.length - 1;

let rig: SfuRig;
let standIn: RunningStandIn;
let app: App;
let browser: Browser;

before(async () => {
  // Persisted: a redeploy keeps the room's storage, as a deploy in production does.
  rig = await startSfuRig(APP_ID, SECRET, { MESH_MAX: String(MESH_MAX) }, { persist: true });
  ({ standIn, app, browser } = rig);
});

after(async () => {
  await rig?.stop();
});

/** The Realtime sessions the stand-in was asked to make so far. */
const sessionsMade = () => standIn.standIn.seen.filter((c) => c.path.endsWith("/sessions/new")).length;

/** The three in a new room, each on the SFU on one connection, seeing and hearing the two others. */
async function sfuCall(): Promise<Page[]> {
  const room = await createRoom(app);
  const pages: Page[] = [];
  for (const name of PEOPLE) {
    const page = await (await newPeerContext(browser, app)).newPage();
    await joinRoom(page, app, room, name);
    await markLoaded(page);
    pages.push(page);
  }
  for (const [i, p] of pages.entries()) await waitForSfuFlow(p, OTHERS, `${PEOPLE[i]} on the SFU, seeing and hearing both others`, 90_000);
  for (const p of pages) assert.notEqual((await sessionOf(p)).sfu, null, "publishing on a Realtime session");
  return pages;
}

/** Every page: the same id and Realtime session as `before`, the held connection, no reload, and both others seen and heard. */
async function sameCall(pages: Page[], before: Array<Awaited<ReturnType<typeof sessionOf>>>, started: number, what: string) {
  const back: number[] = [];
  await Promise.all(
    pages.map(async (p, i) => {
      await waitForSfuFlow(p, OTHERS, `${PEOPLE[i]} to see and hear both others ${what}`, 60_000);
      back[i] = Date.now() - started;
    }),
  );
  for (const [i, p] of pages.entries()) {
    const now = await sessionOf(p);
    assert.equal(now.selfId, before[i]!.selfId, `${PEOPLE[i]}: the same peer id`);
    assert.equal(now.sfu, before[i]!.sfu, `${PEOPLE[i]}: the same Realtime session`);
    assert.equal(now.pcs, 1, `${PEOPLE[i]}: one peer connection`);
    assert.equal(await sameConnections(p), true, `${PEOPLE[i]}: the same peer connection`);
    assert.equal(await notReloaded(p), true, `${PEOPLE[i]}: no reload`);
  }
  return Math.max(...back);
}

describe("signaling that fails under a call on the SFU", () => {
  it("notices a frozen socket, resumes the same id on the same SFU connection and session, and delivers offline chat once", async () => {
    const pages = await sfuCall();
    const [a, b, c] = pages as [Page, Page, Page];
    const before = await Promise.all(pages.map(sessionOf));
    const sessions = sessionsMade();
    const shownBefore = await Promise.all([b, c].map(systemTexts));
    for (const p of pages) await holdConnections(p);

    await a.context().setOffline(true);
    const offlineAt = Date.now();
    await a.getByTestId("chat-input").fill("sent while offline");
    await a.getByTestId("chat-input").press("Enter");
    await waitUntil("A to notice the dead socket", async () => (await sessionOf(a)).status === "reconnecting", 10_000);
    report("SFU: frozen signaling socket noticed after", Date.now() - offlineAt, "ms");
    // The media goes through the SFU, not the signaling: B and C still see and hear A meanwhile,
    // and A them.
    for (const p of pages) await waitForSfuFlow(p, OTHERS, "media flowing while A's signaling is down", 15_000);
    const remaining = 10_000 - (Date.now() - offlineAt);
    if (remaining > 0) await new Promise((r) => setTimeout(r, remaining));

    await a.context().setOffline(false);
    const onlineAt = Date.now();
    await waitUntil("A rejoined", async () => (await sessionOf(a)).status === "joined", 15_000);
    report("SFU: back online → signaling resumed", Date.now() - onlineAt, "ms");
    assert.ok((await sessionOf(a)).reconnects >= 1, "it really reconnected");
    const back = await sameCall(pages, before, onlineAt, "after A's resume");
    report("SFU: back online → all three see and hear both others", back, "ms");
    assert.equal(sessionsMade(), sessions, "no new Realtime session");

    for (const p of [b, c]) await waitUntil("the offline message delivered", async () => (await chatTexts(p)).includes("sent while offline"), 10_000);
    await new Promise((r) => setTimeout(r, 1000)); // would a duplicate arrive late?
    for (const p of pages) assert.deepEqual((await chatTexts(p)).filter((t) => t === "sent while offline"), ["sent while offline"]);
    assert.equal(await a.getByTestId("chat-pending").count(), 0);
    // Nobody saw A leave or join again.
    assert.deepEqual(await Promise.all([b, c].map(systemTexts)), shownBefore);
    for (const p of pages) await p.context().close();
  });

  it("rides out a deploy that closes every socket: all resume on the same SFU connection and session, and the call goes on", async () => {
    const pages = await sfuCall();
    const before = await Promise.all(pages.map(sessionOf));
    const sessions = sessionsMade();
    const shownBefore = await Promise.all(pages.map(systemTexts));
    for (const p of pages) await holdConnections(p);

    const deployAt = Date.now();
    await app.redeploy();
    // The local runtime's reload, which the sockets' resume has to wait out.
    report("SFU: the redeploy itself (the runtime's reload)", Date.now() - deployAt, "ms");
    for (const page of pages) {
      await waitUntil("rejoined after the deploy", async () => {
        const s = await sessionOf(page);
        return s.status === "joined" && s.reconnects >= 1;
      }, 20_000);
    }
    report("SFU: deploy (all sockets closed) → all three resumed", Date.now() - deployAt, "ms");
    const back = await sameCall(pages, before, deployAt, "after the deploy");
    report("SFU: deploy → all three see and hear both others", back, "ms");
    assert.equal(sessionsMade(), sessions, "no new Realtime session");
    for (const p of pages) assert.equal((await sfuMediaOf(p)).kind, "sfu");

    // Chat works across the new sockets, once, and nobody left.
    const [a, b, c] = pages as [Page, Page, Page];
    await b.getByTestId("chat-input").fill("after the deploy");
    await b.getByTestId("chat-input").press("Enter");
    for (const p of [a, c]) await waitUntil("chat after the deploy", async () => (await chatTexts(p)).includes("after the deploy"));
    await new Promise((r) => setTimeout(r, 1000));
    for (const p of pages) assert.deepEqual((await chatTexts(p)).filter((t) => t === "after the deploy"), ["after the deploy"]);
    assert.deepEqual(await Promise.all(pages.map(systemTexts)), shownBefore);
    for (const p of pages) await p.context().close();
  });
});
