// Layouts (issue #14) in a real call: face to face for two with our picture in a corner (moved,
// dragged, hidden, shown again), a grid at three, a pin, full screen, a shared screen large, the
// choice remembered after a reload, and a phone's control bar in one row.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Locator, Page } from "playwright-core";
import { appAndBrowser, createRoom, joinRoom, newPeerContext, waitForRemoteVideo, waitUntil } from "./harness.ts";

const env = appAndBrowser();

const selfId = (page: Page) => page.evaluate(() => (globalThis as unknown as { roomlink: { session: { state: { selfId: string } } } }).roomlink.session.state.selfId);

async function peer(name: string, room: string, viewport?: { width: number; height: number }): Promise<Page> {
  const page = await (await newPeerContext(env.browser, env.app, viewport ? { viewport } : {})).newPage();
  await joinRoom(page, env.app, room, name);
  return page;
}

const stage = (p: Page) => p.getByTestId("grid");
const layoutOf = (p: Page) => stage(p).getAttribute("data-layout");
const waitLayout = (p: Page, kind: string, cause?: string) =>
  p.waitForSelector(`[data-testid="grid"][data-layout="${kind}"]${cause ? `[data-cause="${cause}"]` : ""}`);
/** The tile in the large slot. */
const mainTile = (p: Page) => p.locator('[data-main] > figure').getAttribute("data-testid");

async function box(l: Locator): Promise<{ x: number; y: number; width: number; height: number }> {
  const b = await l.boundingBox();
  assert.ok(b, "the element has a box");
  return b;
}

const inside = (inner: { x: number; y: number; width: number; height: number }, outer: typeof inner) =>
  inner.x >= outer.x && inner.y >= outer.y && inner.x + inner.width <= outer.x + outer.width + 0.5 && inner.y + inner.height <= outer.y + outer.height + 0.5;

const state: { room: string; a: Page; b: Page; c: Page | null; aId: string; bId: string } = {} as never;

describe("layouts", () => {
  it("two people: the other fills the stage, ours is a small picture in a corner", async () => {
    state.room = await createRoom(env.app);
    state.a = await peer("Aizhan", state.room);
    state.b = await peer("Bakyt", state.room);
    await waitForRemoteVideo(state.a, 1);
    [state.aId, state.bId] = [await selfId(state.a), await selfId(state.b)];
    const { a, bId } = state;
    await waitLayout(a, "one-to-one");
    assert.equal(await mainTile(a), `tile-camera-${bId}`);
    const them = await box(a.getByTestId(`tile-camera-${bId}`));
    const us = await box(a.getByTestId("tile-camera-self"));
    const all = await box(stage(a));
    // Theirs is the whole stage; ours is within it, a small fraction of it, in the bottom right.
    assert.ok(Math.abs(them.width - all.width) < 1 && Math.abs(them.height - all.height) < 1, `remote tile ${JSON.stringify(them)} fills the stage ${JSON.stringify(all)}`);
    assert.ok(inside(us, them), "our picture is on theirs");
    assert.ok(us.width * us.height < (them.width * them.height) / 8, `our picture is small: ${us.width}×${us.height} on ${them.width}×${them.height}`);
    assert.ok(us.x > them.x + them.width / 2 && us.y > them.y + them.height / 2, "bottom right");
  });

  it("moves our picture to the next corner with its button, to the nearest one by dragging, and hides it", async () => {
    const { a } = state;
    const picture = a.getByTestId("tile-camera-self");
    const all = await box(stage(a));
    await a.getByTestId("pip-move").click();
    await a.waitForSelector('[data-testid="grid"][data-pip-corner="bottom-left"]');
    await waitUntil("the picture at the bottom left", async () => {
      const b = await box(picture);
      return b.x + b.width < all.x + all.width / 2 && b.y > all.y + all.height / 2;
    }, 5000);
    // The keyboard works it too: the button takes Enter.
    await a.getByTestId("pip-move").focus();
    await a.keyboard.press("Enter");
    await a.waitForSelector('[data-testid="grid"][data-pip-corner="top-left"]');

    // A drag from the top left to near the bottom right settles there.
    const from = await box(picture);
    await a.mouse.move(from.x + from.width / 2, from.y + from.height - 10);
    await a.mouse.down();
    await a.mouse.move(all.x + all.width * 0.6, all.y + all.height * 0.5, { steps: 5 });
    await a.mouse.move(all.x + all.width * 0.85, all.y + all.height * 0.8, { steps: 5 });
    await a.mouse.up();
    await a.waitForSelector('[data-testid="grid"][data-pip-corner="bottom-right"]');
    await waitUntil("the picture at the bottom right", async () => {
      const b = await box(picture);
      return b.x > all.x + all.width / 2 && b.y > all.y + all.height / 2;
    }, 5000);

    await a.getByTestId("pip-hide").click();
    await picture.waitFor({ state: "hidden" });
    await a.getByTestId("pip-show").click();
    await picture.waitFor({ state: "visible" });
    assert.equal(await a.getByTestId("pip-show").count(), 0);
    // The corner is remembered on this device.
    assert.equal(await a.evaluate(() => localStorage.getItem("roomlink.pipCorner")), "bottom-right");
  });

  it("puts a tile in full screen with its button or a double click; the button takes it out", async () => {
    const { a, bId } = state;
    const tile = a.getByTestId(`tile-camera-${bId}`);
    const fullscreenTestid = () => a.evaluate(() => document.fullscreenElement?.getAttribute("data-testid") ?? null);
    await tile.getByTestId("tile-fullscreen").click();
    await waitUntil("the tile in full screen", async () => (await fullscreenTestid()) === `tile-camera-${bId}`, 5000);
    assert.equal(await tile.getByTestId("tile-fullscreen").getAttribute("aria-label"), "Exit full screen");
    await tile.getByTestId("tile-fullscreen").click();
    await waitUntil("full screen left", async () => (await fullscreenTestid()) === null, 5000);
    // A double click on the picture does the same; Esc leaves, as the browser has it.
    await tile.dblclick({ position: { x: 40, y: 40 } });
    await waitUntil("full screen by double click", async () => (await fullscreenTestid()) === `tile-camera-${bId}`, 5000);
    await a.keyboard.press("Escape");
    await waitUntil("full screen left by Esc", async () => (await fullscreenTestid()) === null, 5000).catch(async () => {
      // Headless Chromium has no browser frame to hear Esc; the page's own exit is what is left to check.
      await a.evaluate(() => document.exitFullscreen());
      await waitUntil("full screen left", async () => (await fullscreenTestid()) === null, 5000);
    });
  });

  it("pins a tile: speaker layout with it large; unpinning goes back", async () => {
    const { a, bId } = state;
    const pin = a.getByTestId(`tile-camera-${bId}`).getByTestId("tile-pin");
    await pin.click();
    await waitLayout(a, "speaker", "pinned");
    assert.equal(await mainTile(a), `tile-camera-${bId}`);
    assert.equal(await pin.getAttribute("aria-pressed"), "true");
    // The rest are in the strip below, smaller.
    const strip = a.locator('[data-slot="strip"] > figure');
    assert.deepEqual(await strip.evaluateAll((els) => els.map((e) => e.getAttribute("data-testid"))), ["tile-camera-self"]);
    const large = await box(a.getByTestId(`tile-camera-${bId}`));
    const small = await box(a.getByTestId("tile-camera-self"));
    assert.ok(small.y >= large.y + large.height, "the strip is below");
    assert.ok(small.height < large.height / 2);
    // Pinning ourselves instead.
    await a.getByTestId("tile-camera-self").getByTestId("tile-pin").click();
    await waitUntil("our tile large", async () => (await mainTile(a)) === "tile-camera-self", 5000);
    await a.getByTestId("tile-camera-self").getByTestId("tile-pin").click();
    await waitLayout(a, "one-to-one");
  });

  it("is a grid at three, and a pin there makes that tile large", async () => {
    const { a, b, room } = state;
    state.c = await peer("Cholpon", room);
    const c = state.c;
    const cId = await selfId(c);
    for (const p of [a, b, c]) await waitLayout(p, "grid");
    const tiles = a.locator('[data-testid="grid"] figure');
    assert.equal(await tiles.count(), 3);
    // Grid cells are the same size.
    const sizes = await Promise.all((await tiles.all()).map(box));
    for (const s of sizes) assert.ok(Math.abs(s.width - sizes[0]!.width) < 1 && Math.abs(s.height - sizes[0]!.height) < 1, "same size");
    await a.getByTestId(`tile-camera-${cId}`).getByTestId("tile-pin").click();
    await waitLayout(a, "speaker", "pinned");
    assert.equal(await mainTile(a), `tile-camera-${cId}`);
    // Only on A: a pin is one person's view.
    assert.equal(await layoutOf(b), "grid");
    await a.getByTestId(`tile-camera-${cId}`).getByTestId("tile-pin").click();
    await waitLayout(a, "grid");
  });

  it("shows a shared screen large, until someone picks another layout while it runs", async () => {
    const { a, b, aId } = state;
    await a.getByTestId("screen").click();
    for (const p of [a, b]) await waitLayout(p, "speaker", "screen");
    assert.equal(await mainTile(b), `tile-screen-${aId}`);
    assert.equal(await mainTile(a), "tile-screen-self");
    // B picks the grid while the share runs: it holds.
    await b.getByTestId("layout-menu").click();
    await b.getByTestId("layout-grid").check();
    await waitLayout(b, "grid");
    await b.keyboard.press("Escape");
    await b.getByTestId("layout-menu-panel").waitFor({ state: "detached" });
    await a.getByTestId("screen").click();
    await a.getByTestId("tile-screen-self").waitFor({ state: "detached" });
    await waitLayout(a, "grid");
    // A share that starts later is large again, even for one who had chose the grid.
    await a.getByTestId("screen").click();
    await waitLayout(b, "speaker", "screen");
    await a.getByTestId("screen").click();
    await waitLayout(b, "grid");
  });

  it("remembers the layout choice after a reload", async () => {
    const { a, room } = state;
    await a.getByTestId("layout-menu").click();
    await a.getByTestId("layout-speaker").check();
    await waitLayout(a, "speaker", "speaker");
    assert.equal(await a.evaluate(() => localStorage.getItem("roomlink.layout")), "speaker");
    await a.reload();
    await a.getByTestId("name").fill("Aizhan");
    await a.getByTestId("join").click();
    await a.waitForSelector('[data-testid="room"][data-status="joined"]');
    await waitLayout(a, "speaker", "speaker");
    await a.getByTestId("layout-menu").click();
    assert.equal(await a.getByTestId("layout-speaker").isChecked(), true);
    await a.getByTestId("layout-auto").check();
    await waitLayout(a, "grid");
    for (const p of [state.a, state.b, state.c!]) await p.context().close();
  });

  it("on a phone: face to face over the whole height, and the control bar in one row with everything reachable", async () => {
    const room = await createRoom(env.app);
    const phone = await peer("Aizhan", room, { width: 390, height: 844 });
    const other = await peer("Bakyt", room);
    await waitLayout(phone, "one-to-one");
    const all = await box(stage(phone));
    const bar = await box(phone.getByRole("navigation"));
    assert.ok(all.height > 844 - bar.height - 60, `the stage takes the height: ${all.height}`);
    const tops = await phone.locator("nav.controls > *").evaluateAll((els) => els.map((e) => Math.round(e.getBoundingClientRect().top)));
    assert.equal(new Set(tops).size, 1, `one row: ${tops.join(", ")}`);
    const bounds = await phone.locator("nav.controls > *").evaluateAll((els) => els.map((e) => e.getBoundingClientRect().right));
    assert.ok(Math.max(...bounds) <= 390, "within the screen");
    // What is not on the bar is in "More options": the invite and the layout.
    await phone.getByTestId("more").click();
    await phone.getByTestId("invite").waitFor();
    await phone.getByTestId("layout-grid").check();
    await waitLayout(phone, "grid");
    await phone.getByTestId("layout-auto").check();
    await phone.getByTestId("invite").click();
    await phone.getByTestId("more-panel").waitFor({ state: "detached" });
    assert.equal(await phone.evaluate(() => navigator.clipboard.readText()), `${env.app.url}/r/${room}`);
    for (const p of [phone, other]) await p.context().close();
  });
});
