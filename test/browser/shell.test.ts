// The installable app shell and the invite QR code (issue #15), in real Chromium against the real
// build (dist/, as `wrangler dev` serves it): the manifest and its icons, the service worker that
// keeps this build's hashed files and nothing else, a call joined under it, the app opened with
// no network at all, and the invite sheet's QR code read back by a decoder (jsqr, in Node) from
// the pixels the page draws.

import assert from "node:assert/strict";
import { readdir } from "node:fs/promises";
import { after, before, describe, it } from "node:test";
import jsQRModule from "jsqr";
import type { BrowserContext, Page } from "playwright-core";
import { appAndBrowser, createRoom, joinRoom, newPeerContext, startApp, waitForConnected, waitUntil } from "./harness.ts";

const env = appAndBrowser();

// jsqr is CommonJS with a default export: Node hands over module.exports, whose `default` is the same function.
const jsQR = ((jsQRModule as unknown as { default?: unknown }).default ?? jsQRModule) as (data: Uint8ClampedArray, width: number, height: number) => { data: string } | null;

/** The hashed files of the build under test: what the service worker must keep, and all it may. */
const BUILT = (await readdir(new URL("../../dist/assets/", import.meta.url))).map((f) => `/assets/${f}`).sort();

/** Waits until the page's service worker is installed and active (it registers after `load`). */
const activated = (page: Page): Promise<void> =>
  page.evaluate(async () => {
    const reg = await navigator.serviceWorker.ready;
    const worker = reg.active!;
    if (worker.state === "activated") return;
    await new Promise<void>((resolve) => worker.addEventListener("statechange", () => worker.state === "activated" && resolve()));
  });

const controlled = (page: Page) => page.evaluate(() => navigator.serviceWorker.controller !== null);

/** A fresh context whose page has the service worker installed and controlling it. */
async function shellPage(context: BrowserContext, url: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(url);
  await activated(page);
  await page.reload();
  assert.equal(await controlled(page), true, "the reloaded page is controlled by the service worker");
  return page;
}

/** Width and height from a PNG's IHDR chunk (bytes 16–23, big-endian). */
function pngSize(bytes: Buffer): { width: number; height: number } {
  assert.equal(bytes.subarray(1, 4).toString("latin1"), "PNG", "a PNG file");
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

describe("the installable app", () => {
  it("links a web app manifest, served as one, whose icons are all there at their sizes", async () => {
    const { app, browser } = env;
    const context = await newPeerContext(browser, app);
    const page = await context.newPage();
    await page.goto(app.url);
    const href = await page.locator('link[rel="manifest"]').getAttribute("href");
    assert.equal(href, "/manifest.webmanifest");
    const res = await page.request.get(`${app.url}${href}`);
    assert.equal(res.status(), 200);
    assert.match(res.headers()["content-type"] ?? "", /^application\/(manifest\+)?json/);
    const manifest = JSON.parse(await res.text()) as { name: string; short_name: string; start_url: string; scope: string; display: string; theme_color: string; background_color: string; icons: Array<{ src: string; sizes: string; type: string; purpose?: string }> };
    assert.equal(manifest.start_url, "/");
    assert.equal(manifest.scope, "/");
    assert.equal(manifest.display, "standalone");
    assert.ok(manifest.name && manifest.short_name);
    // The page's colours: the theme colour is the one the page declares, and the app's background.
    assert.equal(await page.locator('meta[name="theme-color"]').getAttribute("content"), manifest.theme_color);
    assert.equal(await page.evaluate(() => getComputedStyle(document.documentElement).getPropertyValue("--bg").trim()), manifest.background_color);

    const purposes = new Set<string>();
    for (const icon of manifest.icons) {
      const got = await page.request.get(`${app.url}${icon.src}`);
      assert.equal(got.status(), 200, icon.src);
      assert.equal(got.headers()["content-type"]?.split(";")[0], icon.type, `${icon.src}'s type`);
      if (icon.type === "image/png") {
        const { width, height } = pngSize(await got.body());
        assert.equal(`${width}x${height}`, icon.sizes, `${icon.src}'s size`);
      }
      purposes.add(`${icon.purpose ?? "any"} ${icon.sizes}`);
    }
    for (const needed of ["any 192x192", "any 512x512", "maskable 512x512", "any any"]) assert.ok(purposes.has(needed), `an icon for ${needed}`);
    const touch = await page.locator('link[rel="apple-touch-icon"]').getAttribute("href");
    assert.deepEqual(pngSize(await (await page.request.get(`${app.url}${touch}`)).body()), { width: 180, height: 180 });
    await context.close();
  });

  it("registers a service worker that controls the page after a reload and keeps exactly this build's hashed files", async () => {
    const { app, browser } = env;
    const context = await newPeerContext(browser, app);
    const served: Array<{ url: string; fromWorker: boolean }> = [];
    const page = await shellPage(context, app.url);
    page.on("response", (r) => served.push({ url: new URL(r.url()).pathname, fromWorker: r.fromServiceWorker() }));
    assert.equal(await page.evaluate(() => navigator.serviceWorker.controller!.scriptURL), `${app.url}/sw.js`);

    // The cache: every hashed file of dist/assets, the page's shell, and nothing else.
    const kept = await page.evaluate(async () => {
      const names = await caches.keys();
      const out: string[] = [];
      for (const name of names) for (const req of await (await caches.open(name)).keys()) out.push(new URL(req.url).pathname);
      return { names, paths: out.sort() };
    });
    assert.equal(kept.names.length, 1, `one cache: ${kept.names.join(", ")}`);
    assert.deepEqual(kept.paths, ["/", ...BUILT].sort());

    // Through the worker: a page load and the hashed files. Past it: the API, and a public file.
    await page.reload();
    await page.getByTestId("new-room").waitFor();
    await page.evaluate(async () => {
      await fetch("/api/health");
      await fetch("/manifest.webmanifest");
    });
    await waitUntil("the API's answer", () => served.some((s) => s.url === "/api/health"));
    const by = (path: string) => served.find((s) => s.url === path);
    assert.equal(by("/")?.fromWorker, true, "the page load went through the worker");
    const assets = served.filter((s) => s.url.startsWith("/assets/"));
    assert.ok(assets.length > 0 && assets.every((s) => s.fromWorker), "hashed files from the worker");
    assert.equal(by("/api/health")?.fromWorker, false, "the API is never the worker's");
    assert.equal(by("/manifest.webmanifest")?.fromWorker, false, "unhashed files are not kept");
    await context.close();
  });

  it("joins a call of two with the service worker controlling both pages", async () => {
    const { app, browser } = env;
    const room = await createRoom(app);
    const pages: Page[] = [];
    for (const name of ["Aigul", "Bakyt"]) {
      const page = await shellPage(await newPeerContext(browser, app), app.url);
      await joinRoom(page, app, room, name);
      assert.equal(await controlled(page), true, `${name}'s room page is controlled`);
      pages.push(page);
    }
    for (const page of pages) await waitForConnected(page, 1);
    // The room socket is the page's own (no worker sees WebSockets), and it carried the join.
    for (const page of pages) assert.equal(await page.getByTestId("room").getAttribute("data-status"), "joined");
    // Online, no offline notice (the loopback-only network's navigator.onLine is false: not asked):
    // its live region is there, empty, so that a change of text is announced.
    for (const page of pages) assert.equal(await page.getByTestId("offline").textContent(), "");
    for (const page of pages) await page.context().close();
  });
});

describe("with no network", () => {
  // An app of its own: stopped mid-test, so that nothing can answer but the cache.
  let app: Awaited<ReturnType<typeof startApp>>;
  before(async () => {
    app = await startApp();
  });
  after(async () => {
    await app?.stop();
  });

  it("opens the landing page and a room link from the cache, and says it is offline", async () => {
    const context = await newPeerContext(env.browser, app);
    const room = await createRoom(app);
    const page = await shellPage(context, app.url);
    await app.stop();
    await context.setOffline(true);

    await page.reload();
    await page.getByTestId("new-room").waitFor();
    await page.getByTestId("offline").filter({ hasText: "offline" }).waitFor();
    assert.equal(await page.getByRole("complementary", { name: "Internet connection" }).getByRole("status").count(), 1, "a named landmark around the status");
    assert.equal(await page.evaluate(() => document.documentElement.hasAttribute("data-offline")), true, "served as the offline shell");

    // A room link opened offline: the app's pre-join screen, from the same cached shell and files.
    await page.goto(`${app.url}/r/${room}`);
    await page.getByTestId("name").waitFor();
    await page.getByTestId("offline").filter({ hasText: "offline" }).waitFor();
    // (Not checked: the notice going away online. Inside the suite's loopback-only network,
    // Chromium reports navigator.onLine false throughout and fires no "online" event.)
    await context.close();
  });
});

describe("the invite sheet", () => {
  it("shows the room link as a QR code that decodes back to exactly that link, never a host link", async () => {
    const { app, browser } = env;
    const context = await newPeerContext(browser, app);
    // The platform's share sheet, where it has one: headless Chromium on Linux has none.
    await context.addInitScript(() => {
      const shared: ShareData[] = [];
      Object.assign(globalThis, { shared });
      Object.defineProperty(navigator, "share", { value: (data: ShareData) => (shared.push(data), Promise.resolve()) });
    });
    const page = await context.newPage();
    // Created from the landing page: this browser holds the host key, which must not leak into the code.
    await page.goto(app.url);
    await page.getByTestId("new-room").click();
    await page.waitForURL(/\/r\//);
    const room = new URL(page.url()).pathname.split("/")[2]!;
    await page.getByTestId("name").fill("Aizhan");
    await page.getByTestId("join").click();
    await page.waitForSelector('[data-testid="room"][data-status="joined"][data-role="host"]');
    const link = `${app.url}/r/${room}`;

    // The bar's copy button and the sheet agree on the link.
    await page.getByTestId("invite").click();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), link);
    await page.evaluate(() => navigator.clipboard.writeText(""));

    // Alone in the room: the notice offers the sheet too; the bar's button opens the same.
    await page.getByTestId("alone-invite").click();
    const sheet = page.getByTestId("invite-sheet");
    await sheet.waitFor();
    assert.equal(await sheet.getByTestId("invite-link").inputValue(), link);
    assert.equal(await sheet.getByRole("img", { name: "QR code of the room link" }).count(), 1);

    // The QR code as pixels: the page's own SVG drawn onto a canvas, 6 px a module, read in Node.
    const pixels = await page.evaluate(async () => {
      const svg = document.querySelector<SVGSVGElement>('[data-testid="invite-qr"]')!;
      const modules = svg.viewBox.baseVal.width;
      const side = modules * 6;
      const img = new Image(side, side);
      img.src = `data:image/svg+xml;base64,${btoa(new XMLSerializer().serializeToString(svg))}`;
      await img.decode();
      const canvas = document.createElement("canvas");
      canvas.width = canvas.height = side;
      const ctx = canvas.getContext("2d")!;
      ctx.drawImage(img, 0, 0, side, side);
      return { side, data: Array.from(ctx.getImageData(0, 0, side, side).data) };
    });
    const decoded = jsQR(Uint8ClampedArray.from(pixels.data), pixels.side, pixels.side);
    assert.ok(decoded, "the QR code decodes");
    assert.equal(decoded.data, link);
    assert.doesNotMatch(decoded.data, /#host|host=/);

    // Its quiet zone: the outer four modules are white all round.
    const white = (x: number, y: number) => pixels.data.slice((y * pixels.side + x) * 4, (y * pixels.side + x) * 4 + 3).every((v) => v === 255);
    const quiet = 4 * 6;
    for (let i = 0; i < pixels.side; i += 3) {
      for (const [x, y] of [[i, quiet - 1], [quiet - 1, i], [i, pixels.side - quiet], [pixels.side - quiet, i]] as const) assert.ok(white(x, y), `white at ${x},${y}`);
    }

    // Copy link and Share hand over the same link.
    await sheet.getByTestId("invite-copy").click();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), link);
    await sheet.getByRole("status").filter({ hasText: "Link copied" }).waitFor();
    await sheet.getByTestId("invite-share").click();
    assert.deepEqual(await page.evaluate(() => (globalThis as unknown as { shared: ShareData[] }).shared), [{ url: link }]);
    await page.keyboard.press("Escape");
    await sheet.waitFor({ state: "detached" });

    // The bar's "Show the invite QR code" opens the same sheet.
    await page.getByTestId("invite-open").click();
    assert.equal(await page.getByTestId("invite-sheet").getByTestId("invite-qr").getAttribute("data-text"), link);
    await context.close();
  });

  it("stays open when someone joins (the notice that opened it goes), and gives the focus back", async () => {
    const { app, browser } = env;
    const room = await createRoom(app);
    const host = await (await newPeerContext(browser, app)).newPage();
    await joinRoom(host, app, room, "Aigul");
    const opener = host.getByTestId("alone-invite");
    const sheet = host.getByTestId("invite-sheet");
    const focused = () => host.evaluate(() => `${document.activeElement?.tagName} ${document.activeElement?.getAttribute("data-testid") ?? ""}`.trim());

    // Opened and closed from the keyboard while still alone: the focus goes back to the button.
    await opener.focus();
    await host.keyboard.press("Enter");
    await sheet.waitFor();
    await host.keyboard.press("Escape");
    await sheet.waitFor({ state: "detached" });
    assert.equal(await focused(), "BUTTON alone-invite");

    await opener.focus();
    await host.keyboard.press("Enter");
    await sheet.waitFor();
    const guest = await (await newPeerContext(browser, app)).newPage();
    await joinRoom(guest, app, room, "Bakyt");
    await opener.waitFor({ state: "detached" });
    assert.equal(await sheet.count(), 1, "the sheet outlives the alone notice");
    assert.equal(await sheet.getByTestId("invite-link").inputValue(), `${app.url}/r/${room}`);
    // Its button gone, the focus goes to the room's heading, not to the page's body.
    await host.keyboard.press("Escape");
    await sheet.waitFor({ state: "detached" });
    assert.equal(await focused(), "H1");
    await host.context().close();
    await guest.context().close();
  });

  it("has no Share button where the browser has no share sheet", async () => {
    const { app, browser } = env;
    const context = await newPeerContext(browser, app);
    const page = await context.newPage();
    const room = await createRoom(app);
    await joinRoom(page, app, room, "Bakyt");
    assert.equal(await page.evaluate(() => typeof navigator.share), "undefined", "headless Chromium on Linux has no Web Share");
    await page.getByTestId("invite-open").click();
    await page.getByTestId("invite-copy").waitFor();
    assert.equal(await page.getByTestId("invite-share").count(), 0);
    await context.close();
  });
});
