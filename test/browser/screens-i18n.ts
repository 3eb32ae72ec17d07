// Screenshots of every screen in Russian and Kyrgyz, at a desktop and a phone size, for a person
// to read: do the texts read right, fit, and not overflow? Also runs axe-core on each screen
// when it is given one (AXE=<path to axe.min.js>), and prints every violation by rule. Reports
// text cut off (overflowing elements and placeholders longer than their input).
// Not a test (it asserts nothing), so not *.test.ts: run it by hand, one browser at a time, e.g.
//   npm run build && bash test/browser/netns.sh node_modules/.bin/node test/browser/screens-i18n.ts /tmp/shots/after

import { readFile } from "node:fs/promises";
import type { Browser, Page } from "playwright-core";
import { createRoom, joinRoom, waitForRemoteVideo, type App } from "./harness.ts";
import { context as langContext, LANGS, Shooter, SIZES, shootEverywhere, type Size } from "./shots.ts";
import { installTestHook } from "./test-hook.ts";

const OUT = process.argv[2] ?? "/tmp/shots";
const AXE = process.env.AXE ? await readFile(process.env.AXE, "utf8") : null;
const shooter = new Shooter(OUT, AXE);
const shoot = (page: Page, name: string) => shooter.shoot(page, name);
/** Russian and Kyrgyz: English is the source every other screen is written in. */
type Lang = "ru" | "ky";
const context = (browser: Browser, app: App, lang: Lang, size: Size, media = true) => langContext(browser, app, lang, size, { media, axe: AXE !== null, hook: installTestHook });

/**
 * The chat or people panel, open (wide screens start with the chat open). Dispatched, not
 * clicked: on a phone an open panel covers the second row of controls, toggles included.
 */
async function openPanel(page: Page, panel: "chat" | "people"): Promise<void> {
  const toggle = page.getByTestId(`${panel}-toggle`);
  if (!((await toggle.getAttribute("class")) ?? "").includes("active")) await toggle.dispatchEvent("click");
}

async function screens(browser: Browser, app: App, lang: Lang, size: Size): Promise<void> {
  const tag = `${lang}-${size}`;
  const ctx = await context(browser, app, lang, size);
  const page = await ctx.newPage();

  await page.goto(app.url);
  await page.getByTestId("new-room").waitFor();
  await shoot(page, `landing-${tag}`);

  await page.getByTestId("new-room").click();
  await page.waitForURL(/\/r\//);
  const room = new URL(page.url()).pathname.split("/")[2]!;
  await page.waitForFunction(() => (document.querySelector('[data-testid="preview"]') as HTMLVideoElement | null)?.videoWidth! > 0);
  await shoot(page, `prejoin-${tag}`);

  await page.getByTestId("name").fill(LANGS[lang].name);
  await page.getByTestId("join").click();
  await page.waitForSelector('[data-testid="room"][data-status="joined"]');
  await page.locator(".alone").waitFor();
  await shoot(page, `room-alone-${tag}`);

  // Someone joins and leaves, so the chat shows both event lines; then the chat and people panels.
  const otherCtx = await context(browser, app, lang, "desktop");
  const other = await otherCtx.newPage();
  await joinRoom(other, app, room, LANGS[lang].other);
  await waitForRemoteVideo(page, 1);
  await openPanel(page, "chat");
  await page.getByTestId("chat-input").fill(lang === "ru" ? "Всем привет!" : "Баарыңарга салам!");
  await page.keyboard.press("Enter");
  await page.getByTestId("chat-message").waitFor();
  await shoot(page, `room-chat-${tag}`);
  await openPanel(page, "people");
  await page.getByTestId("people-count").waitFor();
  await shoot(page, `room-people-${tag}`);
  await otherCtx.close();
  await openPanel(page, "chat");
  await page.getByTestId("chat-system").nth(1).waitFor();
  await shoot(page, `room-left-event-${tag}`);

  // The creator holds the host key: Leave asks whether to end the meeting for everyone.
  await page.getByTestId("leave").click();
  await page.getByTestId("leave-alone").click();
  await page.getByTestId("left").waitFor();
  await shoot(page, `left-${tag}`);
  // The refusal texts no screen shows yet, in the same notice, to see that they fit.
  const strings = (await import(new URL(`../../web/src/i18n/${lang}.ts`, import.meta.url).href))[lang] as Record<string, string>;
  await page.evaluate(([text, rejoin, home]) => {
    document.querySelector('[data-testid="left"] .notice-text')!.textContent = text!;
    const [a, b] = document.querySelectorAll('[data-testid="left"] button');
    a!.textContent = rejoin!;
    b!.textContent = home!;
  }, [strings["status.rateLimited"], strings["status.rejoin"], strings["status.newRoom"]] as string[]);
  await shoot(page, `notice-preview-${tag}`);

  await page.goto(`${app.url}/check`);
  await page.waitForSelector('[data-testid="verdict"]:not([data-verdict="pending"])', { timeout: 30_000 });
  await shoot(page, `check-${tag}`);
  await ctx.close();

  // The longest texts: every device refused on the pre-join screen.
  const denied = await context(browser, app, lang, size, false);
  const p = await denied.newPage();
  await p.goto(`${app.url}/r/${await createRoom(app)}`);
  await p.getByTestId("media-error").waitFor();
  await shoot(p, `prejoin-denied-${tag}`);
  await denied.close();
}

await shootEverywhere(shooter, ["ru", "ky"] as const, screens);
