// Screenshots of recording (issue #15) at a desktop and a phone size, in en, ru and ky (LANGS=ru for
// one), for a person to look at. Aizhan (the host, whose screens these are) and Bakyt in a meeting:
// the start dialog with its consent text; Bakyt's REC sign on Aizhan's screen; Aizhan's own
// recording with its time, size and Stop beside both names; the sheet that offers her file; and
// the host's "Allow recording" in the room settings. With AXE=<path to axe.min.js>, axe-core runs
// on each and its findings are printed by rule. Not a test (it asserts nothing); run it by hand,
// one browser at a time:
//   npm run build && AXE=node_modules/axe-core/axe.min.js bash test/browser/netns.sh node_modules/.bin/node test/browser/screens-recording.ts /tmp/shots/recording

import { readFile } from "node:fs/promises";
import type { Browser, Page } from "playwright-core";
import { mediaStats, waitForConnected, waitUntil, type App } from "./harness.ts";
import { hostedMeeting, LANGS, Shooter, shootEverywhere, shotPage, type Lang, type Size } from "./shots.ts";
import { installTestHook } from "./test-hook.ts";

const OUT = process.argv[2] ?? "/tmp/shots/recording";
const AXE = process.env.AXE ? await readFile(process.env.AXE, "utf8") : null;
const shooter = new Shooter(OUT, AXE);

type Own = { phase: string; bytes?: number; elapsedMs?: number } | null;
const own = (p: Page) => p.evaluate(() => (globalThis as unknown as { roomlink: { session: { state: { recording: { own: Own } } } } }).roomlink.session.state.recording.own);

const page = (browser: Browser, app: App, lang: Lang, size: Size): Promise<Page> => shotPage(browser, app, lang, size, { axe: AXE !== null, hook: installTestHook });


async function join(p: Page, url: string, name: string): Promise<void> {
  await p.goto(url);
  await p.getByTestId("name").fill(name);
  await p.getByTestId("join").click();
  await p.waitForSelector('[data-testid="room"][data-status="joined"]');
}

/** Buttons pressed by event, not a pointer: on a phone an open panel or menu may cover them. */
const press = (p: Page, testid: string) => p.getByTestId(testid).first().dispatchEvent("click");

async function closeChat(p: Page): Promise<void> {
  const toggle = p.getByTestId("chat-toggle");
  if (((await toggle.getAttribute("class")) ?? "").includes("active")) await toggle.dispatchEvent("click");
}

/** The Record control: a round button on a wide screen, an item of "More options" on a phone. */
async function openRecord(p: Page, size: Size): Promise<void> {
  if (size === "phone") {
    await press(p, "more");
    await p.getByTestId("more-panel").waitFor();
  }
  await press(p, "record");
  await p.getByTestId("rec-dialog").waitFor();
}

async function screens(browser: Browser, app: App, lang: Lang, size: Size): Promise<void> {
  const tag = `${lang}-${size}`;
  const { room, hostUrl } = await hostedMeeting(app);
  const a = await page(browser, app, lang, size);
  const b = await page(browser, app, lang, "desktop");
  await join(a, hostUrl, LANGS[lang].name);
  await join(b, `${app.url}/r/${room}`, LANGS[lang].other);
  await waitForConnected(a, 1);
  await waitUntil("Bakyt's video", async () => (await mediaStats(a)).some((x) => x.video > 0), 30_000);
  await closeChat(a);

  // The start dialog, with the choice of what to record and what the others will see.
  await openRecord(a, size);
  await shooter.shoot(a, `start-dialog-${tag}`);
  await press(a, "rec-cancel");
  await a.getByTestId("rec-dialog").waitFor({ state: "detached" });

  // Bakyt records himself: the REC sign with his name on Aizhan's screen.
  await press(b, "record");
  await b.getByTestId("rec-kind-self").check();
  await press(b, "rec-start");
  await a.getByTestId("rec-banner").waitFor({ timeout: 15_000 });
  await shooter.shoot(a, `rec-banner-${tag}`);

  // Aizhan records too: her own line with the time, the size and Stop, both names on the sign.
  // Her camera only: the composite's encoder would only slow the shots down.
  await openRecord(a, size);
  await a.getByTestId("rec-kind-self").check();
  await press(a, "rec-start");
  await waitUntil("a few seconds of Aizhan's recording", async () => {
    const o = await own(a);
    return o?.phase === "recording" && (o.bytes ?? 0) > 0 && (o.elapsedMs ?? 0) >= 3000;
  }, 30_000);
  await shooter.shoot(a, `own-recording-${tag}`);

  // Stopped: the sheet offers her file.
  await press(a, "rec-stop");
  await a.getByTestId("rec-save").waitFor({ timeout: 20_000 });
  await waitUntil("the Save link's URL", async () => ((await a.getByTestId("rec-save").getAttribute("href")) ?? "").startsWith("blob:"));
  await shooter.shoot(a, `saved-sheet-${tag}`);
  await press(a, "rec-delete");
  await press(b, "rec-stop");
  await a.getByTestId("rec-banner").waitFor({ state: "detached", timeout: 20_000 });

  // The host's switch in the room settings (a phone has it behind "More options").
  if (size === "phone") await press(a, "more");
  await press(a, "settings-toggle");
  await a.getByTestId("setting-recording").waitFor();
  await shooter.shoot(a, `settings-${tag}`);

  for (const p of [a, b]) await p.context().close();
}

await shootEverywhere(shooter, (process.env.LANGS?.split(",") ?? ["en", "ru", "ky"]) as Lang[], screens);
