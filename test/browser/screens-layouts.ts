// Screenshots of the call's layouts (issue #14) at a desktop and a phone size, in en, ru and ky
// (LANGS=ru for one), for a person to look at: two people face to face (our picture in a corner,
// then hidden, with the button that brings it back), the layout menu (on a phone, "More
// options"), a grid of three, speaker with its strip, a pinned tile, and a shared screen large.
// With AXE=<path to axe.min.js>, axe-core runs on each and its findings are printed by rule. Not a
// test (it asserts nothing); run it by hand, one browser at a time:
//   npm run build && AXE=/tmp/axe/node_modules/axe-core/axe.min.js bash test/browser/netns.sh node_modules/.bin/node test/browser/screens-layouts.ts /tmp/shots/layouts

import { readFile } from "node:fs/promises";
import type { Browser, Page } from "playwright-core";
import { createRoom, mediaStats, selfIdOf, waitUntil, type App } from "./harness.ts";
import { context, LANGS, Shooter, shootEverywhere, type Lang, type Size } from "./shots.ts";
import { installTestHook } from "./test-hook.ts";

const OUT = process.argv[2] ?? "/tmp/shots/layouts";
const AXE = process.env.AXE ? await readFile(process.env.AXE, "utf8") : null;
const shooter = new Shooter(OUT, AXE);

type LayoutLang = Extract<Lang, "en" | "ru" | "ky">;
const THIRD: Record<LayoutLang, string> = { en: "Cholpon", ru: "Чолпон", ky: "Чолпон" };

async function page(browser: Browser, app: App, lang: Lang, size: Size): Promise<Page> {
  const p = await (await context(browser, app, lang, size, { axe: AXE !== null, hook: installTestHook })).newPage();
  // Three calls' worth of video on two shared cores: a page can take a while to answer.
  p.setDefaultTimeout(90_000);
  return p;
}

/**
 * Joins; the third member without a camera (three encoders on two cores are slow enough). The page
 * is opened again if it does not come up: a `vite build` run meanwhile (dist/ is shared) leaves an
 * open page asking for scripts that are gone.
 */
async function join(p: Page, app: App, room: string, name: string, cam = true): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    await p.goto(`${app.url}/r/${room}`);
    try {
      await p.getByTestId("name").waitFor({ timeout: 30_000 });
      break;
    } catch (e) {
      if (attempt === 3) throw e;
    }
  }
  await p.getByTestId("name").fill(name);
  if (!cam) await p.getByTestId("prejoin-cam").click();
  await p.getByTestId("join").click();
  await p.waitForSelector('[data-testid="room"][data-status="joined"]');
}

/** The chat closed, so that the stage has the width (it opens by itself on a wide screen). */
async function closeChat(p: Page): Promise<void> {
  const toggle = p.getByTestId("chat-toggle");
  if (((await toggle.getAttribute("class")) ?? "").includes("active")) await toggle.dispatchEvent("click");
}

const layout = (p: Page, kind: string, cause?: string) => p.waitForSelector(`[data-testid="grid"][data-layout="${kind}"]${cause ? `[data-cause="${cause}"]` : ""}`);

/** The layout menu: its own on a wide screen, "More options" on a phone. */
const menuButton = (size: Size) => (size === "desktop" ? "layout-menu" : "more");

async function choose(p: Page, size: Size, choice: "auto" | "grid" | "speaker"): Promise<void> {
  await p.getByTestId(menuButton(size)).dispatchEvent("click");
  await p.getByTestId(`layout-${choice}`).check();
  await p.getByTestId(menuButton(size)).dispatchEvent("click");
  await p.getByTestId(`${menuButton(size)}-panel`).waitFor({ state: "detached" });
}

/** A frame of every video on the page, so that no shot shows a tile still black. */
const framesIn = (p: Page) =>
  waitUntil("video on every tile that shows one", () => p.evaluate(() => [...document.querySelectorAll<HTMLVideoElement>(".tile:not(:has(.avatar)) video")].every((v) => v.videoWidth > 0)), 15_000);

async function screens(browser: Browser, app: App, lang: LayoutLang, size: Size): Promise<void> {
  const tag = `${lang}-${size}`;
  const room = await createRoom(app);
  const a = await page(browser, app, lang, size);
  const b = await page(browser, app, lang, "desktop");
  await join(a, app, room, LANGS[lang].name);
  await join(b, app, room, LANGS[lang].other);
  await waitUntil("Bakyt's video", async () => (await mediaStats(a)).some((s) => s.video > 0), 30_000);
  await closeChat(a);
  // Each run starts from "auto", whatever the previous one left in this browser's storage.
  await a.evaluate(() => localStorage.removeItem("roomlink.layout"));

  await layout(a, "one-to-one");
  await framesIn(a);
  await shooter.shoot(a, `one-to-one-${tag}`);
  // The tile's buttons, as a pointer over it shows them (always there on a touch screen).
  if (size === "desktop") {
    await a.locator('[data-main] > figure').hover();
    await shooter.shoot(a, `one-to-one-hover-${tag}`);
  }
  await a.getByTestId("pip-hide").dispatchEvent("click");
  await a.getByTestId("pip-show").waitFor();
  await shooter.shoot(a, `one-to-one-hidden-${tag}`);
  await a.getByTestId("pip-show").dispatchEvent("click");

  await a.getByTestId(menuButton(size)).dispatchEvent("click");
  await a.getByTestId("layout-choice").waitFor();
  await shooter.shoot(a, `layout-menu-${tag}`);
  await a.getByTestId(menuButton(size)).dispatchEvent("click");

  const c = await page(browser, app, lang, "desktop");
  await join(c, app, room, THIRD[lang], false);
  await layout(a, "grid");
  await waitUntil("three tiles", async () => (await a.locator('[data-testid="grid"] figure').count()) === 3, 15_000);
  await framesIn(a);
  await shooter.shoot(a, `grid-${tag}`);

  await choose(a, size, "speaker");
  await layout(a, "speaker", "speaker");
  await shooter.shoot(a, `speaker-${tag}`);
  await choose(a, size, "auto");

  const cId = await selfIdOf(c);
  await a.getByTestId(`tile-camera-${cId}`).getByTestId("tile-pin").dispatchEvent("click");
  await layout(a, "speaker", "pinned");
  await shooter.shoot(a, `pinned-${tag}`);
  await a.getByTestId(`tile-camera-${cId}`).getByTestId("tile-pin").dispatchEvent("click");
  await layout(a, "grid");

  const bId = await selfIdOf(b);
  await b.getByTestId("screen").click();
  await layout(a, "speaker", "screen");
  await a.getByTestId(`tile-screen-${bId}`).locator("video").evaluate((v: HTMLVideoElement) => new Promise<void>((done) => (v.videoWidth > 0 ? done() : v.addEventListener("resize", () => done(), { once: true }))));
  await shooter.shoot(a, `screen-share-${tag}`);

  for (const p of [a, b, c]) await p.context().close();
}

await shootEverywhere(shooter, (process.env.LANGS?.split(",") ?? ["en", "ru", "ky"]) as LayoutLang[], screens);
