// What the screenshot scripts share: a browser context in a language and at a size, and a shot
// that also reports text cut off (overflowing elements, placeholders longer than their input), a
// page that scrolls sideways, and (given axe-core's source) every axe violation by rule.

import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { launchBrowser, startApp, type App } from "./harness.ts";

export const LANGS = {
  en: { locale: "en-US", name: "Aizhan", other: "Bakyt" },
  ru: { locale: "ru-RU", name: "Айжан", other: "Бакыт" },
  ky: { locale: "ky-KG", name: "Айжан", other: "Бакыт" },
} as const;
export const SIZES = {
  desktop: { viewport: { width: 1280, height: 800 }, isMobile: false },
  phone: { viewport: { width: 390, height: 844 }, isMobile: true },
} as const;

export type Lang = keyof typeof LANGS;
export type Size = keyof typeof SIZES;

export async function context(browser: Browser, app: App, lang: Lang, size: Size, opts: { media?: boolean; axe?: boolean; hook?: () => void } = {}): Promise<BrowserContext> {
  const media = opts.media ?? true;
  const ctx = await browser.newContext({
    locale: LANGS[lang].locale,
    ...SIZES[size],
    hasTouch: SIZES[size].isMobile,
    bypassCSP: opts.axe ?? false, // the app's CSP rightly refuses the injected axe script
  });
  await ctx.grantPermissions(media ? ["camera", "microphone", "clipboard-read", "clipboard-write"] : [], { origin: app.url });
  // The language the user picked, as the page's own control remembers it.
  await ctx.addInitScript((l) => localStorage.setItem("roomlink.lang", l), lang);
  if (opts.hook) await ctx.addInitScript(opts.hook);
  if (!media) {
    await ctx.addInitScript(() => {
      navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException("Permission denied", "NotAllowedError"));
    });
  }
  return ctx;
}

interface AxeFinding {
  shot: string;
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

/** A page in a context of its own (see context()), whose script errors are logged rather than lost. */
export async function shotPage(browser: Browser, app: App, lang: Lang, size: Size, opts: { axe: boolean; hook?: () => void }): Promise<Page> {
  const p = await (await context(browser, app, lang, size, opts)).newPage();
  p.on("pageerror", (e) => console.log(`page error: ${e.message}`));
  return p;
}

/** A meeting made through the API, and the host link that carries its key. */
export async function hostedMeeting(app: App): Promise<{ room: string; hostUrl: string }> {
  const res = await fetch(`${app.url}/api/rooms`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ mode: "meeting" }) });
  const { id, hostKey } = (await res.json()) as { id: string; hostKey: string };
  return { room: id, hostUrl: `${app.url}/r/${id}#host=${hostKey}` };
}

export class Shooter {
  readonly findings: AxeFinding[] = [];
  /** Shots with text cut off or a page that scrolls sideways. */
  readonly clipped: string[] = [];

  /** Where the PNGs (and the axe findings) go. */
  readonly outDir: string;
  private readonly axe: string | null;

  constructor(out: string, axe: string | null) {
    this.outDir = out;
    this.axe = axe;
  }

  async shoot(page: Page, name: string): Promise<void> {
    await page.evaluate(() => document.fonts.ready);
    await page.screenshot({ path: join(this.outDir, `${name}.png`), fullPage: true });
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
    if (clipped.length || wide) {
      const line = `${name}: ${wide ? "page scrolls sideways; " : ""}clipped: ${clipped.join(" | ")}`;
      this.clipped.push(line);
      console.log(line);
    }
    if (this.axe) {
      await page.addScriptTag({ content: this.axe });
      const violations = await page.evaluate(async () => {
        const axe = (globalThis as unknown as { axe: { run(ctx: Document, opts: object): Promise<{ violations: Array<{ id: string; impact: string | null; help: string; nodes: Array<{ target: string[] }> }> }> } }).axe;
        const r = await axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] } });
        return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(" ")) }));
      });
      for (const v of violations) this.findings.push({ shot: name, ...v });
    }
  }

  /** Prints the axe findings by rule and writes them to axe.json. */
  async report(): Promise<void> {
    if (!this.axe) return;
    await writeFile(join(this.outDir, "axe.json"), JSON.stringify(this.findings, null, 2));
    const byRule = new Map<string, string[]>();
    for (const f of this.findings) byRule.set(`${f.id} (${f.impact}): ${f.help}`, [...(byRule.get(`${f.id} (${f.impact}): ${f.help}`) ?? []), `${f.shot} ${f.nodes.join(", ")}`]);
    for (const [rule, where] of byRule) console.log(`axe ${rule}\n  ${where.join("\n  ")}`);
    console.log(`axe: ${this.findings.length} violation(s)`);
  }
}

/**
 * Starts the app (with `vars` as its environment) and a browser, runs `screens` for every
 * language and size, and reports what the shooter found: the whole of a screenshot script but its screens.
 */
export async function shootEverywhere<L extends Lang>(
  shooter: Shooter,
  langs: readonly L[],
  screens: (browser: Browser, app: App, lang: L, size: Size) => Promise<void>,
  vars: Record<string, string> = {},
): Promise<void> {
  await mkdir(shooter.outDir, { recursive: true });
  const app = await startApp(vars);
  const browser = await launchBrowser();
  try {
    for (const lang of langs) {
      for (const size of Object.keys(SIZES) as Size[]) await screens(browser, app, lang, size);
    }
  } finally {
    await browser.close();
    await app.stop();
  }
  await shooter.report();
  console.log(`screenshots in ${shooter.outDir}`);
}
