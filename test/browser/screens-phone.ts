// Screenshots of the phone items (issue #15) at a desktop and a phone size, in en, ru and ky
// (LANGS=ru for one), for a person to look at: the bar with "Switch camera" (a round button on a
// wide screen, an item of "More options" on a phone; the browser has two fake cameras), the
// speaker dialog with this browser's outputs, and the same dialog where the browser cannot choose
// (setSinkId removed, as on iOS Safari) explaining the phone's own controls. With AXE=<path to
// axe.min.js>, axe-core runs on each. Not a test; run it by hand, one browser at a time:
//   npm run build && AXE=node_modules/axe-core/axe.min.js bash test/browser/netns.sh node_modules/.bin/node test/browser/screens-phone.ts /tmp/shots/phone

import { mkdir, readFile } from "node:fs/promises";
import type { Browser, Page } from "playwright-core";
import { createRoom, hideDepthCamera, launchBrowser, startApp, type App } from "./harness.ts";
import { context, LANGS, SIZES, Shooter, type Lang, type Size } from "./shots.ts";

const OUT = process.argv[2] ?? "/tmp/shots/phone";
const AXE = process.env.AXE ? await readFile(process.env.AXE, "utf8") : null;
const shooter = new Shooter(OUT, AXE);

async function join(browser: Browser, app: App, room: string, lang: Lang, size: Size, opts: { noSink?: boolean } = {}): Promise<Page> {
  const ctx = await context(browser, app, lang, size, { axe: AXE !== null, hook: hideDepthCamera });
  // iOS Safari: no setSinkId, the sound follows the system.
  if (opts.noSink) await ctx.addInitScript(() => delete (HTMLMediaElement.prototype as { setSinkId?: unknown }).setSinkId);
  const p = await ctx.newPage();
  p.on("pageerror", (e) => console.log(`page error: ${e.message}`));
  await p.goto(`${app.url}/r/${room}`);
  await p.getByTestId("name").fill(LANGS[lang].name);
  await p.getByTestId("join").click();
  await p.waitForSelector('[data-testid="room"][data-status="joined"]');
  return p;
}

async function screens(browser: Browser, app: App, lang: Lang, size: Size): Promise<void> {
  const tag = `${size}-${lang}`;
  const room = await createRoom(app);
  const a = await join(browser, app, room, lang, size);
  const narrow = size === "phone";
  if (narrow) await a.getByTestId("more").click();
  await a.getByTestId("flip-camera").waitFor();
  await shooter.shoot(a, `${narrow ? "more-menu" : "bar"}-${tag}`);
  await a.getByTestId("speaker").click();
  await a.getByTestId("speaker-dialog").waitFor();
  await shooter.shoot(a, `speaker-${tag}`);
  await a.context().close();
  const ios = await join(browser, app, room, lang, size, { noSink: true });
  if (narrow) await ios.getByTestId("more").click();
  await ios.getByTestId("speaker").click();
  await ios.getByTestId("speaker-system").waitFor();
  await shooter.shoot(ios, `speaker-system-${tag}`);
  await ios.context().close();
}

await mkdir(OUT, { recursive: true });
const app = await startApp();
const browser = await launchBrowser({ cameras: 2 });
try {
  for (const lang of (process.env.LANGS?.split(",") ?? ["en", "ru", "ky"]) as Lang[]) {
    for (const size of Object.keys(SIZES) as Size[]) await screens(browser, app, lang, size);
  }
} finally {
  await browser.close();
  await app.stop();
}
await shooter.report();
console.log(`screenshots in ${OUT}`);
