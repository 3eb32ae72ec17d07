// Screenshots of voice messages (issue #13) in English and Kyrgyz, at a desktop and a phone size,
// for a person to look at: the recorder while recording (timer, limit, level, Send, Cancel), the
// sender's message, and the other member's. With AXE=<path to axe.min.js>, axe-core runs on each.
// Not a test (it asserts nothing); run it by hand, one browser at a time:
//   npm run build && AXE=node_modules/axe-core/axe.min.js bash test/browser/netns.sh node_modules/.bin/node test/browser/screens-voice.ts /tmp/shots/voice

import { readFile } from "node:fs/promises";
import type { Browser, Page } from "playwright-core";
import { createRoom, waitForRemoteVideo, type App } from "./harness.ts";
import { context, type Lang, Shooter, shootEverywhere, type Size } from "./shots.ts";
import { installTestHook } from "./test-hook.ts";

const OUT = process.argv[2] ?? "/tmp/shots/voice";
const AXE = process.env.AXE ? await readFile(process.env.AXE, "utf8") : null;
const shooter = new Shooter(OUT, AXE);

type VoiceLang = Extract<Lang, "en" | "ru" | "ky">;
const NAMES: Record<VoiceLang, [string, string]> = { en: ["Asel", "Bakyt"], ru: ["Асель", "Бакыт"], ky: ["Асель", "Бакыт"] };

async function page(browser: Browser, app: App, lang: Lang, size: Size): Promise<Page> {
  return (await context(browser, app, lang, size, { axe: AXE !== null, hook: installTestHook })).newPage();
}

async function join(p: Page, app: App, room: string, name: string): Promise<void> {
  await p.goto(`${app.url}/r/${room}`);
  await p.getByTestId("name").fill(name);
  await p.getByTestId("join").click();
  await p.waitForSelector('[data-testid="room"][data-status="joined"]');
  const toggle = p.getByTestId("chat-toggle");
  if (!((await toggle.getAttribute("class")) ?? "").includes("active")) await toggle.dispatchEvent("click");
}

async function screens(browser: Browser, app: App, lang: VoiceLang, size: Size): Promise<void> {
  const tag = `${lang}-${size}`;
  const room = await createRoom(app);
  const [first, second] = NAMES[lang];
  const a = await page(browser, app, lang, size);
  const b = await page(browser, app, lang, size);
  await join(a, app, room, first);
  await join(b, app, room, second);
  await waitForRemoteVideo(b, 1);
  await a.getByTestId("voice-record").click();
  await a.getByTestId("voice-recording").waitFor();
  await a.waitForFunction(() => /0:0[2-9]/.test(document.querySelector('[data-testid="voice-elapsed"]')?.textContent ?? ""));
  await shooter.shoot(a, `recording-${tag}`);
  await a.getByTestId("voice-send").click();
  await a.getByTestId("voice-message").first().waitFor();
  await b.getByTestId("voice-message").first().waitFor();
  await b.waitForFunction(() => (document.querySelector<HTMLAudioElement>('[data-testid="voice-audio"]')?.readyState ?? 0) >= 1);
  await shooter.shoot(a, `sent-${tag}`);
  await shooter.shoot(b, `received-${tag}`);
  await a.context().close();
  await b.context().close();
}

await shootEverywhere(shooter, (process.env.LANGS?.split(",") ?? ["en", "ru", "ky"]) as VoiceLang[], screens);
