// Screenshots of stage mode (issue #12) at a desktop and a phone size, for
// a person to look at (en, ru and ky; LANGS=ru for one): the landing page's Meeting/Stage choice, a viewer's pre-join screen (a
// name, no camera), the speaker's screen (the stage bar, the chat beside its video, the people
// panel with a raised hand and its menu), a viewer's screen (the speaker only, the raised hand,
// the people panel with the count alone), a viewer invited onto the stage, the leave-the-stage
// and settings dialogs, and the texts no run here can bring about (the video-off note, the full
// stage) dropped into a real screen to see that they fit. With AXE=<path to axe.min.js>, axe-core
// runs on each and its findings are printed by rule. Not a test (it asserts nothing); run it by
// hand, one browser at a time:
//   npm run build && AXE=node_modules/axe-core/axe.min.js bash test/browser/netns.sh node_modules/.bin/node test/browser/screens-stage.ts /tmp/shots/stage

import { readFile } from "node:fs/promises";
import type { Browser, Page } from "playwright-core";
import { selfIdOf, waitForRemoteVideo, type App } from "./harness.ts";
import { context, LANGS, Shooter, shootEverywhere, type Lang, type Size } from "./shots.ts";
import { installTestHook } from "./test-hook.ts";

const OUT = process.argv[2] ?? "/tmp/shots/stage";
const AXE = process.env.AXE ? await readFile(process.env.AXE, "utf8") : null;
const shooter = new Shooter(OUT, AXE);

/** English, the source, and Kyrgyz, the language whose longer words most often break a layout. */
type StageLang = Extract<Lang, "en" | "ru" | "ky">;
const VIEWERS: Record<StageLang, readonly string[]> = { en: ["Aibek", "Cholpon"], ru: ["Айбек", "Чолпон"], ky: ["Айбек", "Чолпон"] };
const CHAT: Record<StageLang, { viewer: string; speaker: string }> = {
  en: { viewer: "Hello from the audience!", speaker: "Thanks for watching" },
  ru: { viewer: "Привет от зрителей!", speaker: "Спасибо, что смотрите" },
  ky: { viewer: "Көрүүчүлөрдөн салам!", speaker: "Көргөнүңүз үчүн рахмат" },
};

async function page(browser: Browser, app: App, lang: Lang, size: Size): Promise<Page> {
  return (await context(browser, app, lang, size, { axe: AXE !== null, hook: installTestHook })).newPage();
}

/** Panels, menus and dialogs opened by event, not a pointer: on a phone an open panel covers the controls. */
/** A control of the bar by event, not a pointer; on a phone invite and settings are in "More options" (controls.tsx). */
async function press(p: Page, testid: string): Promise<void> {
  if ((await p.getByTestId(testid).count()) === 0 && (await p.getByTestId("more").count()) > 0) await p.getByTestId("more").dispatchEvent("click");
  await p.getByTestId(testid).first().dispatchEvent("click");
}

async function openPanel(p: Page, panel: "chat" | "people"): Promise<void> {
  const toggle = p.getByTestId(`${panel}-toggle`);
  if (!((await toggle.getAttribute("class")) ?? "").includes("active")) await toggle.dispatchEvent("click");
}

/** A stage made through the API, and the host link that carries its key (as the landing page's creator would share it). */
async function stageRoom(app: App): Promise<{ room: string; hostUrl: string }> {
  const res = await fetch(`${app.url}/api/rooms`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ mode: "stage" }) });
  const { id, hostKey } = (await res.json()) as { id: string; hostKey: string };
  return { room: id, hostUrl: `${app.url}/r/${id}#host=${hostKey}` };
}

/** Opens the link as a viewer: the name-only pre-join screen, then Watch. */
async function watch(p: Page, app: App, room: string, name: string, shot?: string): Promise<void> {
  await p.goto(`${app.url}/r/${room}`);
  await p.getByTestId("viewer-prejoin").waitFor();
  if (shot) await shooter.shoot(p, shot);
  await p.getByTestId("name").fill(name);
  await p.getByTestId("join").click();
  await p.waitForSelector('[data-testid="room"][data-status="joined"][data-seat="viewer"]');
}

/** A string of a catalog, for the screens no run can bring about. */
async function text(lang: StageLang, key: string): Promise<string> {
  const file = lang === "en" ? "catalog" : lang;
  const table = (await import(new URL(`../../web/src/i18n/${file}.ts`, import.meta.url).href))[lang] as Record<string, string>;
  return table[key]!;
}

async function screens(browser: Browser, app: App, lang: StageLang, size: Size): Promise<void> {
  const tag = `${lang}-${size}`;
  const [first, second] = VIEWERS[lang];

  const landing = await page(browser, app, lang, size);
  await landing.goto(app.url);
  await landing.getByTestId("mode-stage").check();
  await shooter.shoot(landing, `landing-stage-${tag}`);
  await landing.context().close();

  // The speaker: the room's creator, through its host link; a speaker's pre-join is a meeting's.
  const { room, hostUrl } = await stageRoom(app);
  const speaker = await page(browser, app, lang, size);
  await speaker.goto(hostUrl);
  await speaker.getByTestId("name").fill(LANGS[lang].name);
  await speaker.getByTestId("join").click();
  await speaker.waitForSelector('[data-testid="room"][data-status="joined"][data-seat="speaker"]');
  await speaker.getByTestId("stage-live").waitFor();
  await shooter.shoot(speaker, `speaker-alone-${tag}`);

  const viewer = await page(browser, app, lang, size);
  await watch(viewer, app, room, first!, `viewer-prejoin-${tag}`);
  await waitForRemoteVideo(viewer, 1, 30_000);
  await shooter.shoot(viewer, `viewer-${tag}`);
  // A second viewer, on a desktop: the counts say 2, and the speaker's list has someone without a hand.
  const other = await page(browser, app, lang, "desktop");
  await watch(other, app, room, second!);
  await speaker.waitForSelector('[data-testid="stage-viewers"][data-count="2"]');

  // The viewer writes; on a phone the speaker's chat button carries the unread count.
  await openPanel(viewer, "chat");
  await viewer.getByTestId("chat-input").fill(CHAT[lang].viewer);
  await viewer.keyboard.press("Enter");
  await viewer.getByTestId("chat-message").waitFor();
  if (size === "phone") {
    await speaker.getByTestId("unread").waitFor();
    await shooter.shoot(speaker, `speaker-unread-${tag}`);
  }
  await openPanel(speaker, "chat");
  await speaker.getByTestId("chat-list").getByText(CHAT[lang].viewer).waitFor();
  await speaker.getByTestId("chat-input").fill(CHAT[lang].speaker);
  await speaker.keyboard.press("Enter");
  await viewer.getByTestId("chat-list").getByText(CHAT[lang].speaker).waitFor();
  await shooter.shoot(speaker, `speaker-chat-${tag}`);
  await shooter.shoot(viewer, `viewer-chat-${tag}`);

  // A hand goes up: the viewer's toggle, the speaker's notice and badge, the people panel in order.
  await press(viewer, "raise-hand");
  await viewer.waitForSelector('[data-testid="raise-hand"][aria-pressed="true"]');
  await shooter.shoot(viewer, `viewer-hand-${tag}`);
  await speaker.getByTestId("hands-count").waitFor();
  await shooter.shoot(speaker, `speaker-hand-notice-${tag}`);
  await openPanel(viewer, "people");
  await viewer.getByTestId("watching-heading").waitFor();
  // In the crowd (protocol/features/crowd.ts): the other viewer is the count's "and 1 more", once the room has counted it.
  await viewer.waitForSelector('[data-testid="crowd-more"][data-count="1"]');
  await shooter.shoot(viewer, `viewer-people-${tag}`);
  await openPanel(speaker, "people");
  const viewerId = await selfIdOf(viewer);
  const row = speaker.locator(`[data-testid="person"][data-peer="${viewerId}"]`);
  await row.getByTestId("person-menu").dispatchEvent("click");
  await row.getByTestId("invite-stage").waitFor();
  await shooter.shoot(speaker, `speaker-people-menu-${tag}`);

  // Invited: the viewer is asked first; once it accepts, its page asks for its camera and mic,
  // and its controls become a speaker's.
  await row.getByTestId("invite-stage").dispatchEvent("click");
  await viewer.waitForSelector('[data-testid="room"][data-seat="speaker"]');
  await viewer.getByTestId("stage-invitation").waitFor();
  await shooter.shoot(viewer, `invitation-${tag}`);
  await viewer.getByTestId("stage-accept").dispatchEvent("click");
  await viewer.getByTestId("stage-notice").waitFor();
  await shooter.shoot(viewer, `invited-${tag}`);
  await waitForRemoteVideo(other, 2, 30_000);
  await shooter.shoot(other, `viewer-two-speakers-desktop-${lang}`);
  await openPanel(speaker, "people");
  await shooter.shoot(speaker, `speaker-people-two-${tag}`);

  await press(viewer, "leave-stage");
  await viewer.getByTestId("confirm-leave-stage").waitFor();
  await shooter.shoot(viewer, `leave-stage-dialog-${tag}`);
  await viewer.getByTestId("confirm-leave-stage").getByTestId("confirm-ok").click();
  await viewer.waitForSelector('[data-testid="room"][data-seat="viewer"]');

  await press(speaker, "settings-toggle");
  await speaker.getByTestId("settings").waitFor();
  await shooter.shoot(speaker, `settings-stage-${tag}`);
  await speaker.getByTestId("settings-close").click();

  // Texts no run here brings about, in the screens that show them, to see that they fit: the note
  // of a speaker with no upload left for another video, and the refusal of a full stage.
  const note = await text(lang, "stage.videoOff");
  await viewer.evaluate((t) => {
    const p = document.createElement("p");
    p.className = "stage-note";
    p.textContent = t;
    document.querySelector(".stage-note-region")!.append(p);
  }, note);
  await shooter.shoot(viewer, `video-off-preview-${tag}`);
  await press(viewer, "leave");
  await viewer.getByTestId("left").waitFor();
  const full = await text(lang, "stage.full");
  await viewer.evaluate((t) => {
    document.querySelector('[data-testid="left"] .notice-text')!.textContent = t;
    document.querySelector('[data-testid="rejoin"]')!.remove();
  }, full);
  await shooter.shoot(viewer, `stage-full-preview-${tag}`);

  await viewer.context().close();
  await other.context().close();
  await speaker.context().close();
}

await shootEverywhere(shooter, (process.env.LANGS?.split(",") ?? ["en", "ru", "ky"]) as StageLang[], screens);
