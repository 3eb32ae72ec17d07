// Screenshots of peer-to-peer files at a desktop and a phone size, in en, ru and ky (LANGS=ru for
// one), for a person to look at. Three people in one room: Aizhan sends, Bakyt and Cholpon receive.
// The chat box's paperclip, a person's menu with "Send a file", the drag overlay; a file offered
// to two (the receiver's card with Accept and Decline, the sender's card waiting for both); one
// accepts and one declines (Save on the receiver's card, Sent and Declined on the sender's); a large
// file in progress on both sides (speed, time left), then cancelled; a file whose sender left
// before it was accepted. With AXE=<path to axe.min.js>, axe-core runs on each and its findings
// are printed by rule. Not a test (it asserts nothing); run it by hand, one browser at a time:
//   npm run build && AXE=/tmp/axe/node_modules/axe-core/axe.min.js bash test/browser/netns.sh node_modules/.bin/node test/browser/screens-files.ts /tmp/shots/files
//
// The transfers need the files engine: while it sends nothing, the script says so and shoots the
// screens that need no transfer.
//
// The two ends only a file through the server (a room on the SFU) comes to: not taken in time
// ("expired": the room deleted it) and too large for the server (over FILE_RELAY_MAX_BYTES). An SFU
// room needs four people and the Realtime stand-in, so these cards are brought about in a room of
// two through the files engine's own entry points, as the room's frames would reach it (relayShots).
// RELAY_ENDS_ONLY=1 shoots only those.

import { mkdir, mkdtemp, readFile, rm, truncate, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join as joinPath } from "node:path";
import type { Browser, Locator, Page } from "playwright-core";
import { createRoom, mediaStats, waitUntil, type App, waitForConnected, selfIdOf } from "./harness.ts";
import { context, LANGS, Shooter, shootEverywhere, type Lang, type Size } from "./shots.ts";
import { installTestHook } from "./test-hook.ts";

const OUT = process.argv[2] ?? "/tmp/shots/files";
const AXE = process.env.AXE ? await readFile(process.env.AXE, "utf8") : null;
const shooter = new Shooter(OUT, AXE);

type FilesLang = Extract<Lang, "en" | "ru" | "ky">;
const THIRD: Record<FilesLang, string> = { en: "Cholpon", ru: "Чолпон", ky: "Чолпон" };
/** A long name (the card cuts it in the middle), a large one (slow enough to be caught moving), a small one. */
const NAMES: Record<FilesLang, { report: string; video: string; notes: string }> = {
  en: { report: "Quarterly report 2025, final version with comments.pdf", video: "Holiday video.mp4", notes: "notes.txt" },
  ru: { report: "Квартальный отчёт 2025, итоговая версия с комментариями.pdf", video: "Видео с праздника.mp4", notes: "заметки.txt" },
  ky: { report: "2025-жылдын чейрек отчету, акыркы нускасы.pdf", video: "Майрам видеосу.mp4", notes: "эскертмелер.txt" },
};
const SIZES_BYTES = { report: 2_400_000, video: 600_000_000, notes: 12_000 };
/** How long an offer may take to show at the receiver before the engine counts as not sending yet. */
const OFFER_MS = 15_000;

/** The files to pick, on disk (the file input takes paths); sparse, so that 600 MB costs nothing. */
async function makeFiles(dir: string, lang: FilesLang): Promise<Record<keyof typeof SIZES_BYTES, string>> {
  const paths = {} as Record<keyof typeof SIZES_BYTES, string>;
  for (const key of Object.keys(SIZES_BYTES) as Array<keyof typeof SIZES_BYTES>) {
    const path = joinPath(dir, lang, NAMES[lang][key]);
    await writeFile(path, "");
    await truncate(path, SIZES_BYTES[key]);
    paths[key] = path;
  }
  return paths;
}

async function page(browser: Browser, app: App, lang: Lang, size: Size): Promise<Page> {
  return (await context(browser, app, lang, size, { axe: AXE !== null, hook: installTestHook })).newPage();
}

/** Joins; the third member without a camera (three encoders on two cores are slow enough). */
async function join(p: Page, app: App, room: string, name: string, cam = true): Promise<void> {
  await p.goto(`${app.url}/r/${room}`);
  await p.getByTestId("name").fill(name);
  if (!cam) await p.getByTestId("prejoin-cam").click();
  await p.getByTestId("join").click();
  await p.waitForSelector('[data-testid="room"][data-status="joined"]');
}

/** Panels and menus are opened by event, not a pointer: on a phone an open panel covers the controls. */
async function setPanel(p: Page, panel: "chat" | "people", open: boolean): Promise<void> {
  const toggle = p.getByTestId(`${panel}-toggle`);
  if (((await toggle.getAttribute("class")) ?? "").includes("active") !== open) await toggle.dispatchEvent("click");
}

/** The person's row in the people panel, its menu open. */
async function personMenu(p: Page, peer: string): Promise<Locator> {
  await setPanel(p, "people", true);
  const row = p.locator(`[data-testid="person"][data-peer="${peer}"]`);
  await row.getByTestId("person-menu").dispatchEvent("click");
  await row.getByTestId("person-send-file").waitFor();
  return row;
}

/** Files dragged over the call, as the browser reports a drag from the desktop (there is no real one in a headless run). */
async function dragOver(p: Page, name: string, type: "dragenter" | "dragleave"): Promise<void> {
  await p.evaluate(
    ([name, type]) => {
      const data = new DataTransfer();
      data.items.add(new File(["x"], name!));
      document.querySelector("main.room")!.dispatchEvent(new DragEvent(type!, { dataTransfer: data, bubbles: true, cancelable: true }));
    },
    [name, type],
  );
}

const card = (p: Page, testid: "file-in" | "file-out", status?: string) => p.locator(`[data-testid="${testid}"]${status ? `[data-status="${status}"]` : ""}`).last();

/** Waits for an incoming card in that status; false if none came (the engine sends nothing yet). */
async function incoming(p: Page, status: string, ms = OFFER_MS): Promise<boolean> {
  try {
    await card(p, "file-in", status).waitFor({ timeout: ms });
    return true;
  } catch {
    return false;
  }
}

/** The files engine inside the page's session (features/files.ts), reached through the test hook. */
type PageFiles = {
  relayOffer(msg: object): void;
  relayEnded(msg: object): void;
  sendFiles(files: readonly object[], to: string): boolean;
  deps: { transportKind: () => string };
};

/** The receiver's card for a file nobody took in time, and the sender's for one too large for the server. */
async function relayShots(a: Page, b: Page, tag: string, lang: FilesLang): Promise<void> {
  const [aId, bId] = [await selfIdOf(a), await selfIdOf(b)];
  // Bakyt was offered the report through the room, and it expired before he answered.
  await b.evaluate(
    ([from, name]) => {
      const files = (globalThis as unknown as { roomlink: { session: { files: PageFiles } } }).roomlink.session.files;
      const transfer = "expired00000000000000x";
      files.relayOffer({ type: "file-offer", transfer, from, name, size: 2_400_000, mime: "application/pdf", id: "ab".repeat(32) });
      files.relayEnded({ type: "file-end", transfer, reason: "expired" });
    },
    [aId, NAMES[lang].report],
  );
  await card(b, "file-in", "failed").waitFor();
  await shooter.shoot(b, `relay-expired-${tag}`);
  // Aizhan sends the video through the server: over its limit, refused before it is read.
  await a.evaluate(
    ([to, name]) => {
      const files = (globalThis as unknown as { roomlink: { session: { files: PageFiles } } }).roomlink.session.files;
      files.deps.transportKind = () => "sfu";
      files.sendFiles([{ name, size: 600_000_000, type: "video/mp4" }], to!);
    },
    [bId, NAMES[lang].video],
  );
  await a.locator('[data-testid="file-recipient"][data-status="failed"]').last().waitFor();
  await shooter.shoot(a, `relay-too-large-${tag}`);
}

async function screens(browser: Browser, app: App, lang: FilesLang, size: Size, files: Record<keyof typeof SIZES_BYTES, string>): Promise<void> {
  const tag = `${lang}-${size}`;
  if (process.env.RELAY_ENDS_ONLY) {
    const room = await createRoom(app);
    const a = await page(browser, app, lang, size);
    const b = await page(browser, app, lang, size);
    await join(a, app, room, LANGS[lang].name);
    await join(b, app, room, LANGS[lang].other);
    await waitForConnected(a, 1);
    await waitForConnected(b, 1);
    await relayShots(a, b, tag, lang);
    await a.context().close();
    await b.context().close();
    return;
  }
  const room = await createRoom(app);
  const a = await page(browser, app, lang, size);
  const b = await page(browser, app, lang, size);
  const c = await page(browser, app, lang, "desktop");
  await join(a, app, room, LANGS[lang].name);
  await join(b, app, room, LANGS[lang].other);
  await join(c, app, room, THIRD[lang], false);
  await waitForConnected(a, 2);
  await waitForConnected(b, 2);
  await waitForConnected(c, 2);
  // The cameras in the shots: each of the two with one sees the other's video playing.
  for (const p of [a, b]) await waitUntil("video from the other camera", async () => (await mediaStats(p)).some((s) => s.video > 0), 30_000);
  const [bId, cId] = [await selfIdOf(b), await selfIdOf(c)];

  // What there is before any file: the chat box's paperclip, the person menu's item, the overlay.
  await setPanel(a, "chat", true);
  await a.getByTestId("file-pick").waitFor();
  await shooter.shoot(a, `composer-${tag}`);
  await personMenu(a, bId);
  await shooter.shoot(a, `person-menu-${tag}`);
  await setPanel(a, "people", false);
  await dragOver(a, NAMES[lang].report, "dragenter");
  await a.getByTestId("file-drop").waitFor();
  await shooter.shoot(a, `drop-${tag}`);
  await dragOver(a, NAMES[lang].report, "dragleave");
  await a.getByTestId("file-drop").waitFor({ state: "detached" });

  // The report to everyone, from the chat box.
  await setPanel(a, "chat", true);
  await a.getByTestId("file-input").setInputFiles(files.report);
  if (!(await incoming(b, "offered"))) {
    console.log(`${tag}: no offer reached the receiver within ${OFFER_MS} ms: the files engine sends nothing yet; transfer shots skipped`);
    await shooter.shoot(a, `after-pick-${tag}`);
    for (const p of [a, b, c]) await p.context().close();
    return;
  }
  await incoming(c, "offered");
  // On a phone, the tray over the call (the chat closed) and over the chat (at the top).
  if (size === "phone") await setPanel(a, "chat", false);
  await shooter.shoot(b, `offer-${tag}`);
  await shooter.shoot(a, `waiting-${tag}`);
  await card(b, "file-in", "offered").getByTestId("file-accept").dispatchEvent("click");
  await card(c, "file-in", "offered").getByTestId("file-decline").dispatchEvent("click");
  await incoming(b, "done", 30_000);
  await a.locator(`[data-testid="file-recipient"][data-peer="${cId}"][data-status="failed"]`).waitFor();
  await a.locator(`[data-testid="file-recipient"][data-peer="${bId}"][data-status="done"]`).waitFor();
  await shooter.shoot(b, `done-${tag}`);
  await shooter.shoot(a, `sent-declined-${tag}`);
  if (size === "phone") {
    await setPanel(b, "chat", true);
    await shooter.shoot(b, `done-over-chat-${tag}`);
    await setPanel(b, "chat", false);
  }

  // The video to Bakyt alone, from his menu; caught while it moves, then cancelled by its sender.
  const row = await personMenu(a, bId);
  await row.getByTestId("person-file-input").setInputFiles(files.video);
  await setPanel(a, "people", false);
  // 600 MB take a moment to hash: the sender's card says "Preparing…" meanwhile (if this machine is slow enough to catch it).
  await a.locator('[data-testid="file-out"]').nth(1).waitFor();
  const preparing = card(a, "file-out").locator(".file-progress", { hasText: /\S/ });
  if (await preparing.isVisible()) await shooter.shoot(a, `preparing-${tag}`);
  await incoming(b, "offered", 60_000);
  await card(b, "file-in", "offered").getByTestId("file-accept").dispatchEvent("click");
  await waitUntil("the video to be under way at the receiver", () =>
    b.evaluate(() => {
      const bar = [...document.querySelectorAll<HTMLProgressElement>('[data-testid="file-in"][data-status="receiving"] progress')].pop();
      return bar !== undefined && bar.value / bar.max >= 0.02 && document.querySelector('[data-testid="file-in"][data-status="receiving"] .file-line')?.textContent?.includes("·") === true;
    }),
  120_000);
  await shooter.shoot(b, `receiving-${tag}`);
  await shooter.shoot(a, `sending-${tag}`);
  await card(a, "file-out").getByTestId("file-cancel").first().dispatchEvent("click");
  await incoming(b, "failed", 30_000);
  await shooter.shoot(b, `cancelled-by-sender-${tag}`);
  await shooter.shoot(a, `cancelled-${tag}`);

  // Notes from Cholpon to Bakyt, and Cholpon leaves before Bakyt answers.
  const cRow = await personMenu(c, bId);
  await cRow.getByTestId("person-file-input").setInputFiles(files.notes);
  await incoming(b, "offered");
  const notes = await card(b, "file-in", "offered").getAttribute("data-transfer");
  await c.context().close();
  await b.locator(`[data-testid="file-in"][data-transfer="${notes}"][data-status="failed"]`).waitFor({ timeout: 30_000 });
  await shooter.shoot(b, `sender-left-${tag}`);
  await relayShots(a, b, tag, lang);

  await a.context().close();
  await b.context().close();
}

const dir = await mkdtemp(joinPath(tmpdir(), "roomlink-files-"));
try {
  const langs = (process.env.LANGS?.split(",") ?? ["en", "ru", "ky"]) as FilesLang[];
  const made = {} as Record<FilesLang, Record<keyof typeof SIZES_BYTES, string>>;
  for (const lang of langs) {
    await mkdir(joinPath(dir, lang));
    made[lang] = await makeFiles(dir, lang);
  }
  await shootEverywhere(shooter, langs, (browser, app, lang, size) => screens(browser, app, lang, size, made[lang]));
} finally {
  await rm(dir, { recursive: true, force: true });
}
