// Screenshots of the access screens (issue #11) in English, Russian and Kyrgyz, at a desktop and
// a phone size, for a person to look at: the landing page's "ask to join" box, the lobby (waiting,
// no host, denied), the host's prompt (one knock and several), the settings dialog (host and
// co-host), the leave dialog, the people panel's menu, the mute notice, the passcode screen and
// the removed screen. With AXE=<path to axe.min.js>, axe-core runs on each and its findings are
// printed by rule. Not a test (it asserts nothing); run it by hand, one browser at a time:
//   npm run build && AXE=node_modules/axe-core/axe.min.js bash test/browser/netns.sh node_modules/.bin/node test/browser/screens-access.ts /tmp/shots/access

import { readFile } from "node:fs/promises";
import type { Browser, Page } from "playwright-core";
import { selfIdOf, type App } from "./harness.ts";
import { context, LANGS, Shooter, SIZES, shootEverywhere, type Lang, type Size } from "./shots.ts";
import { installTestHook } from "./test-hook.ts";

const OUT = process.argv[2] ?? "/tmp/shots/access";
const AXE = process.env.AXE ? await readFile(process.env.AXE, "utf8") : null;
const shooter = new Shooter(OUT, AXE);

const NAMES = { en: ["Aibek", "Bolot", "Cholpon"], ru: ["Айбек", "Болот", "Чолпон"], ky: ["Айбек", "Болот", "Чолпон"] } as const;

async function page(browser: Browser, app: App, lang: Lang, size: Size): Promise<Page> {
  return (await context(browser, app, lang, size, { axe: AXE !== null, hook: installTestHook })).newPage();
}

async function knock(p: Page, app: App, room: string, name: string): Promise<void> {
  await p.goto(`${app.url}/r/${room}`);
  await p.getByTestId("name").fill(name);
  await p.getByTestId("join").click();
}

/** Panels and menus opened by event, not a pointer: on a phone an open panel covers the controls. */
/** A control of the bar by event, not a pointer; on a phone invite and settings are in "More options" (controls.tsx). */
async function press(p: Page, testid: string): Promise<void> {
  if ((await p.getByTestId(testid).count()) === 0 && (await p.getByTestId("more").count()) > 0) await p.getByTestId("more").dispatchEvent("click");
  await p.getByTestId(testid).first().dispatchEvent("click");
}

async function screens(browser: Browser, app: App, lang: Lang, size: Size): Promise<void> {
  const tag = `${lang}-${size}`;
  const [a, b, c] = NAMES[lang];
  const host = await page(browser, app, lang, size);
  await host.goto(app.url);
  await host.getByTestId("new-room-lobby").check();
  await shooter.shoot(host, `landing-${tag}`);
  await host.getByTestId("new-room").click();
  await host.waitForURL(/\/r\//);
  const room = new URL(host.url()).pathname.split("/")[2]!;
  await host.getByTestId("name").fill(LANGS[lang].name);
  await host.getByTestId("join").click();
  await host.waitForSelector('[data-testid="room"][data-status="joined"]');

  const guest = await page(browser, app, lang, size);
  await knock(guest, app, room, a);
  await guest.waitForSelector('[data-testid="lobby"][data-stage="waiting"]');
  await guest.waitForFunction(() => (document.querySelector('[data-testid="lobby-preview"]') as HTMLVideoElement | null)?.videoWidth! > 0);
  await shooter.shoot(guest, `lobby-waiting-${tag}`);
  await host.getByTestId("knock-prompt").waitFor();
  await shooter.shoot(host, `host-prompt-${tag}`);

  const second = await page(browser, app, lang, size);
  await knock(second, app, room, b);
  await host.getByTestId("admit-all").waitFor();
  await shooter.shoot(host, `host-prompt-many-${tag}`);
  await host.getByTestId("deny").nth(1).click();
  await second.waitForSelector('[data-testid="lobby"][data-stage="denied"]');
  await shooter.shoot(second, `lobby-denied-${tag}`);
  await second.context().close();

  await host.getByTestId("admit").click();
  await guest.waitForSelector('[data-testid="room"][data-status="joined"]');
  await press(host, "settings-toggle");
  await host.getByTestId("settings").waitFor();
  await shooter.shoot(host, `settings-${tag}`);
  await host.getByTestId("settings-close").click();
  await press(host, "leave");
  await host.getByTestId("leave-dialog").waitFor();
  await shooter.shoot(host, `leave-dialog-${tag}`);
  await host.keyboard.press("Escape");
  await host.getByTestId("leave-dialog").waitFor({ state: "detached" });

  const guestId = await selfIdOf(guest);
  await press(host, "people-toggle");
  const row = host.locator(`[data-testid="person"][data-peer="${guestId}"]`);
  await row.getByTestId("person-menu").dispatchEvent("click");
  await row.getByTestId("ask-mute").waitFor();
  await shooter.shoot(host, `people-menu-${tag}`);
  await row.getByTestId("ask-mute").dispatchEvent("click");
  await guest.getByTestId("mute-request").waitFor();
  await shooter.shoot(guest, `mute-notice-${tag}`);

  await row.getByTestId("person-menu").dispatchEvent("click");
  await row.getByTestId("make-cohost").dispatchEvent("click");
  await guest.waitForSelector('[data-testid="room"][data-role="cohost"]');
  await press(guest, "settings-toggle");
  await guest.getByTestId("settings").waitFor();
  await shooter.shoot(guest, `settings-cohost-${tag}`);
  await guest.getByTestId("settings-close").click();

  await press(host, "settings-toggle");
  await host.getByTestId("setting-lobby").uncheck();
  await host.getByTestId("setting-passcode").fill("2468");
  await host.getByTestId("passcode-set").click();
  await host.getByTestId("passcode-clear").waitFor();
  await host.getByTestId("settings-close").click();
  const late = await page(browser, app, lang, size);
  await knock(late, app, room, c);
  await late.getByTestId("passcode-input").fill("1111");
  await late.getByTestId("passcode-submit").click();
  await late.getByTestId("passcode-error").waitFor();
  await shooter.shoot(late, `passcode-wrong-${tag}`);

  await row.getByTestId("person-menu").dispatchEvent("click");
  await row.getByTestId("remove").dispatchEvent("click");
  await host.getByTestId("confirm-remove").waitFor();
  await shooter.shoot(host, `confirm-remove-${tag}`);
  await host.getByTestId("confirm-remove").getByTestId("confirm-ok").click();
  await guest.getByTestId("refused").waitFor();
  await shooter.shoot(guest, `removed-${tag}`);
  await guest.context().close();

  // The late guest is past the passcode and in the lobby (the removed member's address knocks);
  // the host leaves, and the lobby says nobody can let her in now.
  await late.getByTestId("passcode-input").fill("2468");
  await late.getByTestId("passcode-submit").click();
  await late.waitForSelector('[data-testid="lobby"][data-stage="waiting"]');
  await press(host, "leave");
  await host.getByTestId("leave-alone").click();
  await late.getByTestId("lobby-no-host").waitFor();
  await shooter.shoot(late, `lobby-no-host-${tag}`);
  await late.context().close();
  await host.context().close();
}

await shootEverywhere(shooter, Object.keys(LANGS) as Lang[], screens);
