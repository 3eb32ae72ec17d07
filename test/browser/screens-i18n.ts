// Screenshots of every screen in Russian and Kyrgyz, at a desktop and a phone size, for a person
// to read: do the texts read right, fit, and not overflow? Also runs axe-core on each screen
// when it is given one (AXE=<path to axe.min.js>), and prints every violation by rule. Reports
// text cut off (overflowing elements and placeholders longer than their input).
// Not a test (it asserts nothing), so not *.test.ts: run it by hand, one browser at a time, e.g.
//   npm run build && bash test/browser/netns.sh node_modules/.bin/node test/browser/screens-i18n.ts /tmp/shots/after

import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { createRoom, joinRoom, launchBrowser, startApp, waitForRemoteVideo, type App } from "./harness.ts";

const OUT = process.argv[2] ?? "/tmp/shots";
const AXE = process.env.AXE ? await readFile(process.env.AXE, "utf8") : null;
const LANGS = { ru: { locale: "ru-RU", name: "Айжан", other: "Бакыт" }, ky: { locale: "ky-KG", name: "Айжан", other: "Бакыт" } } as const;
const SIZES = {
  desktop: { viewport: { width: 1280, height: 800 }, isMobile: false },
  phone: { viewport: { width: 390, height: 844 }, isMobile: true },
} as const;

type Lang = keyof typeof LANGS;
type Size = keyof typeof SIZES;

interface AxeFinding {
  shot: string;
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}
const findings: AxeFinding[] = [];

async function context(browser: Browser, app: App, lang: Lang, size: Size, media = true): Promise<BrowserContext> {
  const ctx = await browser.newContext({
    locale: LANGS[lang].locale,
    ...SIZES[size],
    hasTouch: SIZES[size].isMobile,
    bypassCSP: AXE !== null, // the app's CSP rightly refuses the injected axe script
  });
  await ctx.grantPermissions(media ? ["camera", "microphone", "clipboard-read", "clipboard-write"] : [], { origin: app.url });
  // The language the user picked, as the page's own control remembers it.
  await ctx.addInitScript((l) => localStorage.setItem("roomlink.lang", l), lang);
  if (!media) {
    await ctx.addInitScript(() => {
      navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException("Permission denied", "NotAllowedError"));
    });
  }
  return ctx;
}

async function shoot(page: Page, name: string): Promise<void> {
  await page.evaluate(() => document.fonts.ready);
  await page.screenshot({ path: join(OUT, `${name}.png`), fullPage: true });
  // Any element whose text is cut off: scrollWidth beyond its box with overflow hidden/clip.
  const clipped = await page.evaluate(() =>
    [...document.querySelectorAll<HTMLElement>("body *")]
      .filter((el) => !el.closest(".sr-only") && el.children.length === 0 && el.textContent?.trim() && el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX !== "visible")
      .map((el) => `${el.tagName.toLowerCase()}.${el.className}: ${el.textContent!.trim().slice(0, 60)}`),
  );
  // A placeholder longer than its input is cut off too, but is no element's text: measure it.
  const canvas = await page.evaluate(() => {
    const ctx = document.createElement("canvas").getContext("2d")!;
    return [...document.querySelectorAll<HTMLInputElement>("input[placeholder]")]
      .filter((el) => {
        const s = getComputedStyle(el);
        ctx.font = `${s.fontWeight} ${s.fontSize} ${s.fontFamily}`;
        return ctx.measureText(el.placeholder).width > el.clientWidth - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight);
      })
      .map((el) => `placeholder: ${el.placeholder}`);
  });
  clipped.push(...canvas);
  const wide = await page.evaluate(() => document.documentElement.scrollWidth > innerWidth);
  if (clipped.length || wide) console.log(`${name}: ${wide ? "page scrolls sideways; " : ""}clipped: ${clipped.join(" | ")}`);
  if (AXE) {
    await page.addScriptTag({ content: AXE });
    const violations = await page.evaluate(async () => {
      const axe = (globalThis as unknown as { axe: { run(ctx: Document, opts: object): Promise<{ violations: Array<{ id: string; impact: string | null; help: string; nodes: Array<{ target: string[] }> }> }> } }).axe;
      const r = await axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] } });
      return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(" ")) }));
    });
    for (const v of violations) findings.push({ shot: name, ...v });
  }
}

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

  await page.getByTestId("leave").click();
  await page.getByTestId("left").waitFor();
  await shoot(page, `left-${tag}`);
  // The refusal texts no screen shows yet, in the same notice, to see that they fit.
  const strings = (await import(new URL(`../../web/src/i18n/${lang}.ts`, import.meta.url).href))[lang] as Record<string, string>;
  await page.evaluate(([text, rejoin, home]) => {
    document.querySelector('[data-testid="left"] p')!.textContent = text!;
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

await mkdir(OUT, { recursive: true });
const app = await startApp();
const browser = await launchBrowser();
try {
  for (const lang of Object.keys(LANGS) as Lang[]) {
    for (const size of Object.keys(SIZES) as Size[]) await screens(browser, app, lang, size);
  }
} finally {
  await browser.close();
  await app.stop();
}
if (AXE) {
  await writeFile(join(OUT, "axe.json"), JSON.stringify(findings, null, 2));
  const byRule = new Map<string, string[]>();
  for (const f of findings) byRule.set(`${f.id} (${f.impact}): ${f.help}`, [...(byRule.get(`${f.id} (${f.impact}): ${f.help}`) ?? []), `${f.shot} ${f.nodes.join(", ")}`]);
  for (const [rule, where] of byRule) console.log(`axe ${rule}\n  ${where.join("\n  ")}`);
}
console.log(`screenshots in ${OUT}`);
