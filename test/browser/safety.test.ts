// The safety code in real Chromium (issue #15): two people in a call see the same code for each
// other, in the people panel and in the session state; it stays the same after an ICE restart
// and after one of them reloads (the certificate comes back from IndexedDB); and when that
// certificate is gone and a new one is made, the other side is warned that the code changed.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { createRoom, joinRoom, launchBrowser, newPeerContext, selfIdOf, startApp, waitForConnected, waitUntil, type App } from "./harness.ts";

let app: App;
let browser: Browser;

before(async () => {
  app = await startApp();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await app?.stop();
});

type PeerSafety = { code: string | null; changed: boolean; exchanges: number };
type Safety = { peers: Record<string, PeerSafety>; room: string | null };
type Hooked = { roomlink: { session: { state: { safety: Safety }; peerConnections: RTCPeerConnection[] } } };

const safetyOf = (p: Page): Promise<Safety> => p.evaluate(() => (globalThis as unknown as Hooked).roomlink.session.state.safety);

/** Waits until `page` has a code for `peerId` (and, if given, one that is `changed` or not, after more than `after` exchanges), and returns it. */
async function codeFor(page: Page, peerId: string, changed?: boolean, after = 0): Promise<{ code: string; changed: boolean }> {
  let found: PeerSafety | undefined;
  await waitUntil(`a safety code for ${peerId}${changed === undefined ? "" : changed ? " (changed)" : " (unchanged)"}`, async () => {
    found = (await safetyOf(page)).peers[peerId];
    return found !== undefined && found.code !== null && found.exchanges > after && (changed === undefined || found.changed === changed);
  });
  return { code: found!.code!, changed: found!.changed };
}

const exchangesWith = async (page: Page, peerId: string) => (await safetyOf(page)).peers[peerId]?.exchanges ?? 0;

/** The code for `peerId` as the people panel shows it: the grouped text, and what it stands for. */
async function shownCode(page: Page, peerId: string): Promise<{ text: string; code: string }> {
  const panel = page.locator("section.people");
  if (!(await panel.isVisible())) await page.getByTestId("people-toggle").click();
  const code = page.locator(`[data-testid="person"][data-peer="${peerId}"] [data-testid="safety-code"]`);
  await code.waitFor();
  return { text: (await code.locator('[aria-hidden="true"]').textContent()) ?? "", code: (await code.getAttribute("data-code")) ?? "" };
}

const ufragOf = (p: Page) => p.evaluate(() => /a=ice-ufrag:(\S+)/.exec((globalThis as unknown as Hooked).roomlink.session.peerConnections[0]?.currentLocalDescription?.sdp ?? "")?.[1] ?? null);

const deleteCertificate = (p: Page) =>
  p.evaluate(
    () =>
      new Promise<string>((resolve) => {
        const req = indexedDB.deleteDatabase("roomlink-safety");
        req.onsuccess = () => resolve("deleted");
        req.onerror = () => resolve("error");
        req.onblocked = () => resolve("blocked");
      }),
  );

const storedCertificates = (p: Page) =>
  p.evaluate(
    () =>
      new Promise<number>((resolve) => {
        const req = indexedDB.open("roomlink-safety");
        req.onsuccess = () => {
          const db = req.result;
          if (!db.objectStoreNames.contains("certificates")) return (db.close(), resolve(0));
          const count = db.transaction("certificates").objectStore("certificates").count();
          count.onsuccess = () => (db.close(), resolve(count.result));
        };
        req.onerror = () => resolve(-1);
      }),
  );

describe("safety code", () => {
  let room: string;
  let a: Page;
  let b: Page;
  let aId: string;
  let bId: string;
  let code: string;

  it("is the same on both ends of a call, in the people panel and the session, with one room code", async () => {
    room = await createRoom(app);
    a = await (await newPeerContext(browser, app)).newPage();
    b = await (await newPeerContext(browser, app)).newPage();
    await joinRoom(a, app, room, "Aigul");
    await joinRoom(b, app, room, "Bakyt");
    await waitForConnected(a, 1);
    await waitForConnected(b, 1);
    [aId, bId] = [await selfIdOf(a), await selfIdOf(b)];
    const onA = await codeFor(a, bId);
    const onB = await codeFor(b, aId);
    assert.match(onA.code, /^[A-Z2-7]{8}$/);
    assert.equal(onA.code, onB.code);
    assert.equal(onA.changed, false);
    code = onA.code;
    const shownOnA = await shownCode(a, bId);
    const shownOnB = await shownCode(b, aId);
    assert.equal(shownOnA.code, code);
    assert.equal(shownOnA.text, `${code.slice(0, 4)} ${code.slice(4)}`);
    assert.equal(shownOnB.text, shownOnA.text);
    // Everyone connected to everyone: the room code, the same on both sides.
    await waitUntil("the room code on both sides", async () => (await safetyOf(a)).room !== null && (await safetyOf(b)).room !== null);
    const roomA = await a.getByTestId("room-safety-code").getAttribute("data-code");
    assert.equal(roomA, (await safetyOf(a)).room);
    assert.equal(await b.getByTestId("room-safety-code").getAttribute("data-code"), roomA);
    assert.equal(await a.getByTestId("safety-changed").count(), 0);
    // The certificate is this browser's, kept in IndexedDB.
    assert.equal(await storedCertificates(b), 1);
  });

  it("stays the same after an ICE restart", async () => {
    const before = await ufragOf(a);
    assert.ok(before);
    // The code must come from the restart's exchange, not the first one: wait for it to be hashed.
    const [hashedA, hashedB] = [await exchangesWith(a, bId), await exchangesWith(b, aId)];
    assert.ok(hashedA > 0 && hashedB > 0);
    await a.evaluate(() => (globalThis as unknown as Hooked).roomlink.session.peerConnections[0]!.restartIce());
    await waitUntil("new ICE credentials, negotiated", async () => {
      const now = await ufragOf(a);
      return now !== null && now !== before;
    });
    await waitForConnected(a, 1);
    await waitForConnected(b, 1);
    assert.deepEqual(await codeFor(a, bId, undefined, hashedA), { code, changed: false });
    assert.deepEqual(await codeFor(b, aId, undefined, hashedB), { code, changed: false });
  });

  it("stays the same, with no warning, after Bakyt reloads (his certificate comes back from IndexedDB)", async () => {
    await joinRoom(b, app, room, "Bakyt");
    const newB = await selfIdOf(b);
    assert.notEqual(newB, bId, "a reload joins under a new id: the memory matches him by name");
    bId = newB;
    const onA = await codeFor(a, bId);
    const onB = await codeFor(b, aId);
    assert.deepEqual(onA, { code, changed: false });
    assert.equal(onB.code, code);
    assert.equal((await shownCode(a, bId)).code, code);
    assert.equal(await a.getByTestId("safety-changed").count(), 0);
  });

  it("changes, and Aigul is warned, when Bakyt's certificate is deleted and he reloads", async () => {
    assert.equal(await deleteCertificate(b), "deleted");
    await joinRoom(b, app, room, "Bakyt");
    bId = await selfIdOf(b);
    const onA = await codeFor(a, bId, true);
    const onB = await codeFor(b, aId);
    assert.notEqual(onA.code, code, "a new certificate, a new code");
    assert.equal(onA.code, onB.code, "still the same on both ends");
    // Aigul's certificate did not change: Bakyt sees no warning.
    assert.equal(onB.changed, false);
    assert.equal(await storedCertificates(b), 1);
    // The warning, on his row and on his tile.
    const row = a.locator(`[data-testid="person"][data-peer="${bId}"]`);
    if (!(await a.locator("section.people").isVisible())) await a.getByTestId("people-toggle").click();
    await row.getByTestId("safety-changed").waitFor();
    assert.match((await row.getByTestId("safety-changed").textContent()) ?? "", /Compare the code again/);
    assert.equal(await row.getAttribute("data-safety"), "changed");
    await a.getByTestId(`tile-camera-${bId}`).getByTestId("tile-safety-changed").waitFor();
    assert.equal(await b.getByTestId("safety-changed").count(), 0);
    // Compared again: the warning goes, on the row and the tile, and stays gone.
    // The tile's badge sits in a live region that was there before it: announced with the panel closed too.
    assert.equal(await a.getByTestId("tile-safety-changed").locator("xpath=..").getAttribute("role"), "status");
    await row.getByTestId("safety-checked").click();
    await codeFor(a, bId, false);
    // The button went with the warning: focus is on his code, not lost to the page.
    const focusOnCode = (id: string) => {
      const focused = document.activeElement;
      return focused !== null && focused.querySelector('[data-testid="safety-code"]') !== null && focused.closest(`[data-peer="${id}"]`) !== null;
    };
    await waitUntil("focus on the row's code", () => a.evaluate(focusOnCode, bId));
    await waitUntil("the warning gone", async () => (await a.getByTestId("safety-changed").count()) === 0 && (await a.getByTestId("tile-safety-changed").count()) === 0);
  });
});
