// Screenshots of the safety code (issue #15) at a desktop and a phone size, in en, ru and ky
// (LANGS=ru for one), for a person to look at. Three people in a meeting: Aizhan (whose screens
// these are), Bakyt and Cholpon. The people panel with each person's code and the room's; then
// Cholpon comes back from a browser whose certificate was deleted: the warning on her row, and
// the badge on her tile. With AXE=<path to axe.min.js>, axe-core runs on each and its findings
// are printed by rule. Not a test (it asserts nothing); run it by hand, one browser at a time:
//   npm run build && AXE=node_modules/axe-core/axe.min.js bash test/browser/netns.sh node_modules/.bin/node test/browser/screens-safety.ts /tmp/shots/safety

import { readFile } from "node:fs/promises";
import type { Browser, Page } from "playwright-core";
import { selfIdOf, waitForConnected, waitUntil, type App } from "./harness.ts";
import { LANGS, Shooter, shootEverywhere, shotPage, type Lang, type Size } from "./shots.ts";
import { installTestHook } from "./test-hook.ts";

const OUT = process.argv[2] ?? "/tmp/shots/safety";
const AXE = process.env.AXE ? await readFile(process.env.AXE, "utf8") : null;
const shooter = new Shooter(OUT, AXE);

type SafetyLang = Extract<Lang, "en" | "ru" | "ky">;
const THIRD: Record<SafetyLang, string> = { en: "Cholpon", ru: "Чолпон", ky: "Чолпон" };

type Hooked = { roomlink: { session: { state: { safety: { peers: Record<string, { changed: boolean }>; room: string | null } } } } };

const page = (browser: Browser, app: App, lang: Lang, size: Size): Promise<Page> => shotPage(browser, app, lang, size, { axe: AXE !== null, hook: installTestHook });

async function join(p: Page, url: string, name: string): Promise<void> {
  await p.goto(url);
  await p.getByTestId("name").fill(name);
  await p.getByTestId("join").click();
  await p.waitForSelector('[data-testid="room"][data-status="joined"]');
}

async function setPanel(p: Page, panel: "chat" | "people", open: boolean): Promise<void> {
  const toggle = p.getByTestId(`${panel}-toggle`);
  if (((await toggle.getAttribute("class")) ?? "").includes("active") !== open) await toggle.dispatchEvent("click");
}

async function screens(browser: Browser, app: App, lang: SafetyLang, size: Size): Promise<void> {
  const tag = `${lang}-${size}`;
  const res = await fetch(`${app.url}/api/rooms`, { method: "POST" });
  const { id: room } = (await res.json()) as { id: string };
  const url = `${app.url}/r/${room}`;
  const a = await page(browser, app, lang, size);
  const b = await page(browser, app, lang, "desktop");
  const c = await page(browser, app, lang, "desktop");
  await join(a, url, LANGS[lang].name);
  await join(b, url, LANGS[lang].other);
  await join(c, url, THIRD[lang]);
  await waitForConnected(a, 2);
  await waitUntil("the room code", () => a.evaluate(() => (globalThis as unknown as Hooked).roomlink.session.state.safety.room !== null), 30_000);
  await setPanel(a, "people", true);
  await a.getByTestId("room-safety-code").waitFor();
  await waitUntil("two codes in the panel", async () => (await a.getByTestId("safety-code").count()) === 2);
  await shooter.shoot(a, `codes-${tag}`);

  // Cholpon's browser loses its certificate (cleared storage, another device): she comes back with a new one.
  await c.evaluate(() => new Promise((resolve) => Object.assign(indexedDB.deleteDatabase("roomlink-safety"), { onsuccess: resolve, onerror: resolve, onblocked: resolve })));
  await join(c, url, THIRD[lang]);
  const cId = await selfIdOf(c);
  await waitUntil("Cholpon's changed code", () => a.evaluate((id) => (globalThis as unknown as Hooked).roomlink.session.state.safety.peers[id]?.changed === true, cId), 30_000);
  await a.locator(`[data-testid="person"][data-peer="${cId}"] [data-testid="safety-changed"]`).waitFor();
  await shooter.shoot(a, `changed-people-${tag}`);
  await setPanel(a, "people", false);
  await a.getByTestId(`tile-camera-${cId}`).getByTestId("tile-safety-changed").waitFor();
  await shooter.shoot(a, `changed-tile-${tag}`);

  for (const p of [a, b, c]) await p.context().close();
}

await shootEverywhere(shooter, (process.env.LANGS?.split(",") ?? ["en", "ru", "ky"]) as SafetyLang[], screens);
