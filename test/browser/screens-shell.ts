// Screenshots of the invite sheet (issue #15) at a phone and a desktop size, in en, ru and ky
// (LANGS=ru for one), for a person to look at: the sheet opened from "You're the only one here",
// on a phone the "More options" menu with its entry, and the landing page opened offline (from
// the service worker's cache), with its notice. With AXE=<path to axe.min.js>, axe-core runs on each and its findings are printed by
// rule. Not a test (it asserts nothing); run it by hand, one browser at a time:
//   npm run build && AXE=node_modules/axe-core/axe.min.js bash test/browser/netns.sh node_modules/.bin/node test/browser/screens-shell.ts /tmp/shots/shell

import { readFile } from "node:fs/promises";
import type { Browser, Page } from "playwright-core";
import { startApp, type App } from "./harness.ts";
import { LANGS, Shooter, shootEverywhere, shotPage, type Lang, type Size } from "./shots.ts";

const OUT = process.argv[2] ?? "/tmp/shots/shell";
const AXE = process.env.AXE ? await readFile(process.env.AXE, "utf8") : null;
const shooter = new Shooter(OUT, AXE);

const page = (browser: Browser, app: App, lang: Lang, size: Size): Promise<Page> => shotPage(browser, app, lang, size, { axe: AXE !== null });

async function screens(browser: Browser, app: App, lang: Lang, size: Size): Promise<void> {
  const tag = `${lang}-${size}`;
  const a = await page(browser, app, lang, size);
  // As a person starts a call: a new room from the landing page (this browser keeps the host key).
  await a.goto(app.url);
  await a.getByTestId("new-room").click();
  await a.waitForURL(/\/r\//);
  await a.getByTestId("name").fill(LANGS[lang].name);
  await a.getByTestId("join").click();
  await a.waitForSelector('[data-testid="room"][data-status="joined"]');
  await a.getByTestId("chat-toggle").waitFor();
  // The chat panel (open by default on a wide screen) closed: the sheet is the subject.
  if (((await a.getByTestId("chat-toggle").getAttribute("class")) ?? "").includes("active")) await a.getByTestId("chat-toggle").dispatchEvent("click");

  await a.getByTestId("alone-invite").waitFor();
  await shooter.shoot(a, `alone-${tag}`);
  await a.getByTestId("alone-invite").click();
  await a.getByTestId("invite-qr").waitFor();
  await shooter.shoot(a, `invite-sheet-${tag}`);
  await a.getByTestId("invite-copy").click();
  await a.getByTestId("invite-sheet").getByRole("status").filter({ hasText: /./ }).waitFor();
  await shooter.shoot(a, `invite-sheet-copied-${tag}`);
  await a.keyboard.press("Escape");
  await a.getByTestId("invite-sheet").waitFor({ state: "detached" });

  if (size === "phone") {
    await a.getByTestId("more").dispatchEvent("click");
    await a.getByTestId("more-panel").waitFor();
    await shooter.shoot(a, `more-menu-${tag}`);
    await a.getByTestId("invite-open").click();
    await a.getByTestId("invite-qr").waitFor();
    await shooter.shoot(a, `invite-sheet-from-menu-${tag}`);
    await a.keyboard.press("Escape");
  }

  await a.context().close();

  // The app opened with no network: a server of its own, stopped once the service worker has
  // kept the app, so that the page can only come from the cache (and says so).
  const gone = await startApp();
  const b = await page(browser, gone, lang, size);
  await b.goto(gone.url);
  await b.evaluate(async () => {
    const reg = await navigator.serviceWorker.ready;
    if (reg.active!.state !== "activated") await new Promise((resolve) => reg.active!.addEventListener("statechange", resolve, { once: true }));
  });
  await gone.stop();
  await b.context().setOffline(true);
  await b.reload();
  await b.getByTestId("offline").waitFor();
  await shooter.shoot(b, `offline-landing-${tag}`);
  await b.context().close();
}

await shootEverywhere(shooter, (process.env.LANGS?.split(",") ?? ["en", "ru", "ky"]) as Lang[], screens);
