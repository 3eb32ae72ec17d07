// Screenshots of presence (issue #14) at a desktop and a phone size, in en, ru and ky (LANGS=ru for
// one), for a person to look at. Three people in a meeting: Aizhan (the host, whose screens these
// are), Bakyt and Cholpon. The tiles with a speaking ring and the moving microphones; a remote
// tile's connection details; the reactions palette and reactions rising over the tiles; the people
// panel with raised hands in order and "Lower all"; the controls bar with this device's
// connection (its details, and on a phone the "More options" menu that holds it). With
// AXE=<path to axe.min.js>, axe-core runs on each and its findings are printed by rule. Not a
// test (it asserts nothing); run it by hand, one browser at a time:
//   npm run build && AXE=node_modules/axe-core/axe.min.js bash test/browser/netns.sh node_modules/.bin/node test/browser/screens-presence.ts /tmp/shots/presence
//
// Emoji need a colour emoji font to show in the shots (Debian: fonts-noto-color-emoji); people's
// devices have one.
//
// The speaking ring needs someone to speak: Chromium's fake microphone beeps, which the engine
// hears as speech now and then. If nobody is heard within SPEAK_MS the script says so and shows
// the ring from a presence view written into the page (the engine's own is stopped first).

import { readFile } from "node:fs/promises";
import type { Browser, Page } from "playwright-core";
import { mediaStats, waitUntil, type App, waitForConnected, selfIdOf } from "./harness.ts";
import { hostedMeeting, LANGS, Shooter, shootEverywhere, shotPage, type Lang, type Size } from "./shots.ts";
import { installTestHook } from "./test-hook.ts";

const OUT = process.argv[2] ?? "/tmp/shots/presence";
const AXE = process.env.AXE ? await readFile(process.env.AXE, "utf8") : null;
const shooter = new Shooter(OUT, AXE);

type PresenceLang = Extract<Lang, "en" | "ru" | "ky">;
const THIRD: Record<PresenceLang, string> = { en: "Cholpon", ru: "Чолпон", ky: "Чолпон" };
/** How long to wait for the engine to hear the fake microphone's beeps as speech. */
const SPEAK_MS = 12_000;

const page = (browser: Browser, app: App, lang: Lang, size: Size): Promise<Page> => shotPage(browser, app, lang, size, { axe: AXE !== null, hook: installTestHook });


async function join(p: Page, url: string, name: string, cam = true): Promise<void> {
  await p.goto(url);
  await p.getByTestId("name").fill(name);
  if (!cam) await p.getByTestId("prejoin-cam").click();
  await p.getByTestId("join").click();
  await p.waitForSelector('[data-testid="room"][data-status="joined"]');
}

/** Panels and menus opened by event, not a pointer: on a phone an open panel covers the controls. */
const press = (p: Page, testid: string) => p.getByTestId(testid).first().dispatchEvent("click");

async function setPanel(p: Page, panel: "chat" | "people", open: boolean): Promise<void> {
  const toggle = p.getByTestId(`${panel}-toggle`);
  if (((await toggle.getAttribute("class")) ?? "").includes("active") !== open) await toggle.dispatchEvent("click");
}

/** Closes whatever popover is open (as Escape does). */
const closePopovers = (p: Page) => p.evaluate(() => document.querySelectorAll(":popover-open").forEach((el) => (el as HTMLElement).hidePopover()));

/** Waits for a speaking ring; false if none came (the script then writes one in). */
async function ringing(p: Page, ms: number): Promise<boolean> {
  try {
    await p.locator('[data-speaking="true"]').first().waitFor({ timeout: ms });
    return true;
  } catch {
    return false;
  }
}

/** The engine stopped, and a presence view with `speaking` written in: for a shot, when no speech was heard. */
async function forceSpeaking(p: Page, speaking: string[]): Promise<void> {
  await p.evaluate((ids) => {
    const s = (globalThis as unknown as { roomlink: { session: { presence: { dispose(): void }; state: { presence: object }; update(patch: object): void } } }).roomlink.session;
    s.presence.dispose();
    s.update({ presence: { ...s.state.presence, speaking: ids, activeSpeaker: ids[0] ?? null } });
  }, speaking);
}

async function screens(browser: Browser, app: App, lang: PresenceLang, size: Size): Promise<void> {
  const tag = `${lang}-${size}`;
  const { room, hostUrl } = await hostedMeeting(app);
  const a = await page(browser, app, lang, size);
  const b = await page(browser, app, lang, "desktop");
  const c = await page(browser, app, lang, "desktop");
  await join(a, hostUrl, LANGS[lang].name);
  await join(b, `${app.url}/r/${room}`, LANGS[lang].other);
  await join(c, `${app.url}/r/${room}`, THIRD[lang], false);
  await waitForConnected(a, 2);
  await waitUntil("Bakyt's video", async () => (await mediaStats(a)).some((x) => x.video > 0), 30_000);
  await setPanel(a, "chat", false);
  const bId = await selfIdOf(b);

  // The connections' bars come with the first stats (every 2 s); then the ring.
  await a.getByTestId("quality-button").first().waitFor({ timeout: 15_000 });
  await waitUntil("this device's connection measured", () => a.evaluate(() => (globalThis as unknown as { roomlink: { session: { state: { presence: { own: unknown } } } } }).roomlink.session.state.presence.own !== null), 30_000);
  if (!(await ringing(a, SPEAK_MS))) {
    console.log(`${tag}: no speech heard within ${SPEAK_MS} ms; the ring is written in`);
    await forceSpeaking(a, [bId]);
    await ringing(a, 2000);
  }
  await shooter.shoot(a, `speaking-${tag}`);

  // A remote tile's connection details.
  await press(a, "quality-button");
  await a.getByTestId("quality-details").first().waitFor();
  await shooter.shoot(a, `quality-details-${tag}`);
  await closePopovers(a);

  // This device's connection: in the bar on a wide screen; in "More options" on a phone.
  if (size === "desktop") {
    await press(a, "own-quality");
    await a.locator('[data-testid="quality-details"]:popover-open').waitFor();
    await shooter.shoot(a, `own-quality-${tag}`);
    await closePopovers(a);
  } else {
    await press(a, "more");
    await a.getByTestId("more-panel").waitFor();
    await a.locator('[data-testid="own-quality"] summary').dispatchEvent("click");
    await shooter.shoot(a, `more-menu-${tag}`);
    await press(a, "more");
  }

  // Reactions: the palette, then a few rising over our tile and Bakyt's.
  const palette = size === "desktop" || (await a.getByTestId("reactions-toggle").count()) > 0;
  if (palette) {
    await press(a, "reactions-toggle");
    await a.getByTestId("reactions-palette").waitFor();
    await shooter.shoot(a, `reactions-palette-${tag}`);
    await a.getByTestId("react-heart").dispatchEvent("click");
    await a.getByTestId("react-party").dispatchEvent("click");
    await closePopovers(a);
  } else {
    await press(a, "more");
    await a.getByTestId("react-heart").dispatchEvent("click");
    await a.getByTestId("react-party").dispatchEvent("click");
    await press(a, "more");
  }
  await press(b, "reactions-toggle");
  await b.getByTestId("react-thumbs-up").dispatchEvent("click");
  await b.getByTestId("react-laugh").dispatchEvent("click");
  await a.locator(`[data-testid="reaction"][data-from="${bId}"]`).first().waitFor({ timeout: 5000 });
  await shooter.shoot(a, `reactions-${tag}`);

  // Hands: Cholpon first, then Bakyt (by the shortcut), then ours; the host's people panel lists them in order.
  await press(c, "raise-hand");
  await a.locator(`[data-testid="tile-hand"]`).first().waitFor();
  await b.keyboard.press("Control+Alt+KeyH");
  await waitUntil("two hands on the host's page", async () => (await a.getByTestId("tile-hand").count()) === 2, 10_000);
  await a.keyboard.press("Control+Alt+KeyH");
  await waitUntil("three hands", async () => (await a.getByTestId("tile-hand").count()) === 3, 10_000);
  await shooter.shoot(a, `hands-tiles-${tag}`);
  await setPanel(a, "people", true);
  await a.getByTestId("lower-all-hands").waitFor();
  await shooter.shoot(a, `hands-people-${tag}`);
  await setPanel(b, "people", true);
  await b.getByTestId("lower-own-hand").waitFor();
  await shooter.shoot(b, `hands-people-member-desktop-${lang}`);
  await a.getByTestId("lower-all-hands").dispatchEvent("click");
  await a.getByTestId("hands-section").waitFor({ state: "detached" });

  for (const p of [a, b, c]) await p.context().close();
}

await shootEverywhere(shooter, (process.env.LANGS?.split(",") ?? ["en", "ru", "ky"]) as PresenceLang[], screens);
