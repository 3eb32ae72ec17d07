// Accessibility: axe-core (WCAG 2.1 A and AA rules) finds nothing on any screen — the landing page,
// /check, the pre-join screen, a call of two, a call of three with the people panel, raised
// hands, the reactions palette and a connection's details open — and the call can be driven from
// the keyboard: every control of the bar is reached with Tab and shows where the focus is, the
// hand has its shortcut (but not while typing), and a connection's details open and close with
// Enter and Escape. The live region says joins, raised hands and others' messages; the hands are
// listed in the order raised, a member lowers its own and a host lowers them all.
//
// axe runs in the page: the context bypasses the app's CSP, which rightly refuses the injected
// script (TESTING.md).

import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { it } from "node:test";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { type App, appAndBrowser, createRoom, waitUntil, waitForConnected } from "./harness.ts";
import { installTestHook } from "./test-hook.ts";

const env = appAndBrowser();
const AXE = await readFile(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
const TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];

interface Violation {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

async function open(browser: Browser, app: App, viewport = { width: 1280, height: 800 }): Promise<Page> {
  const ctx: BrowserContext = await browser.newContext({ locale: "en-US", viewport, bypassCSP: true });
  await ctx.grantPermissions(["camera", "microphone", "clipboard-read", "clipboard-write"], { origin: app.url });
  await ctx.addInitScript(installTestHook);
  return ctx.newPage();
}

/** axe's WCAG 2.1 A/AA findings on the page as it is now. */
async function axe(page: Page): Promise<Violation[]> {
  if (!(await page.evaluate(() => "axe" in globalThis))) await page.addScriptTag({ content: AXE });
  return page.evaluate(async (tags) => {
    const run = (globalThis as unknown as { axe: { run(ctx: Document, opts: object): Promise<{ violations: Array<{ id: string; impact: string | null; help: string; nodes: Array<{ target: string[] }> }> }> } }).axe;
    const r = await run.run(document, { runOnly: { type: "tag", values: tags } });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(" ")) }));
  }, TAGS);
}

async function assertClean(page: Page, screen: string): Promise<void> {
  const found = await axe(page);
  assert.deepEqual(found.map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.join(", ")}`), [], `axe on ${screen}`);
}

async function join(page: Page, app: App, room: string, name: string, opts: { cam?: boolean } = {}): Promise<void> {
  await page.goto(`${app.url}/r/${room}`);
  await page.getByTestId("name").fill(name);
  if (opts.cam === false) await page.getByTestId("prejoin-cam").click();
  await page.getByTestId("join").click();
  await page.waitForSelector('[data-testid="room"][data-status="joined"]');
}

const closeAll = (pages: Page[]) => Promise.all(pages.map((p) => p.context().close()));

it("has no WCAG 2.1 A/AA violations on the landing page and /check", async () => {
  const { app, browser } = env;
  const page = await open(browser, app);
  await page.goto(app.url);
  await page.getByTestId("new-room").waitFor();
  await assertClean(page, "landing");
  // /check, once every probe has answered (its colours change with the answers).
  await page.goto(`${app.url}/check`);
  await page.waitForSelector('[data-testid="check-again"]:not([disabled])', { timeout: 30_000 });
  await assertClean(page, "/check");
  await closeAll([page]);
});

it("has no violations on the pre-join screen, in a call of two, with a connection's details, the recording dialog and the invite sheet open", async () => {
  const { app, browser } = env;
  const room = await createRoom(app);
  const a = await open(browser, app);
  await a.goto(`${app.url}/r/${room}`);
  await a.getByTestId("name").waitFor();
  await a.waitForFunction(() => (document.querySelector('[data-testid="preview"]') as HTMLVideoElement | null)?.videoWidth! > 0);
  await assertClean(a, "pre-join");
  await a.getByTestId("name").fill("Aigul");
  await a.getByTestId("join").click();
  await a.waitForSelector('[data-testid="room"][data-status="joined"]');
  const b = await open(browser, app);
  await join(b, app, room, "Bakyt");
  await waitForConnected(a, 1);
  await a.getByTestId("quality-button").waitFor({ timeout: 15_000 });
  await assertClean(a, "call of two");
  await a.getByTestId("quality-button").click();
  await a.getByTestId("quality-details").first().waitFor();
  await assertClean(a, "call of two, connection details open");
  await a.keyboard.press("Escape");

  // Session 7's dialogs: recording (what to record, and that everyone will see it) and the invite
  // QR sheet, each clean, each opened from the keyboard and giving the focus back to its button.
  for (const [button, dialog] of [["record", "rec-consent"], ["invite-open", "invite-sheet"]] as const) {
    await a.getByTestId(button).focus();
    await a.keyboard.press("Enter");
    await a.getByTestId(dialog).waitFor();
    await assertClean(a, `call of two, ${button} open`);
    await a.keyboard.press("Escape");
    await a.getByTestId(dialog).waitFor({ state: "detached" });
    await waitUntil(`the focus back on ${button}`, () => a.evaluate((id) => document.activeElement?.getAttribute("data-testid") === id, button), 2000);
  }
  await closeAll([a, b]);
});

it("has no violations in a call of three with hands up, the people panel, and the reactions palette open; says messages, hands and joins in its live region", async () => {
  const { app, browser } = env;
  // Aigul holds the host key: hers is "Lower all".
  const res = await fetch(`${app.url}/api/rooms`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ mode: "meeting" }) });
  const { id: room, hostKey } = (await res.json()) as { id: string; hostKey: string };
  const a = await open(browser, app);
  const b = await open(browser, app);
  const c = await open(browser, app);
  await a.goto(`${app.url}/r/${room}#host=${hostKey}`);
  await a.getByTestId("name").fill("Aigul");
  await a.getByTestId("join").click();
  await a.waitForSelector('[data-testid="room"][data-status="joined"][data-role="host"]');
  await join(b, app, room, "Bakyt");
  await join(c, app, room, "Cholpon", { cam: false });
  await waitForConnected(a, 2);
  const announcer = a.getByTestId("announcer");
  await waitUntil("Cholpon's join said", async () => ((await announcer.textContent()) ?? "").includes("Cholpon joined the room"), 5000);
  await assertClean(a, "call of three");

  // Hands: Cholpon's first, then Bakyt's; in that order on Aigul's tiles and in her people panel.
  await c.getByTestId("raise-hand").click();
  await waitUntil("Cholpon's hand said", async () => ((await announcer.textContent()) ?? "").includes("Cholpon raised a hand"), 5000);
  await b.getByTestId("raise-hand").click();
  await waitUntil("two hands on Aigul's tiles", async () => (await a.getByTestId("tile-hand").count()) === 2, 10_000);
  await a.getByTestId("people-toggle").click();
  await a.getByTestId("hands-section").waitFor();
  assert.deepEqual(await a.getByTestId("hand-entry").evaluateAll((els) => els.map((e) => e.textContent)), ["1Cholpon", "2Bakyt"], "hands in the order raised");
  await assertClean(a, "people panel with hands");

  // A member lowers its own hand from its panel; the host lowers the rest at once.
  await b.getByTestId("people-toggle").click();
  await b.getByTestId("lower-own-hand").click();
  await waitUntil("Bakyt's hand down on Aigul's page", async () => (await a.getByTestId("hand-entry").count()) === 1, 10_000);
  await a.getByTestId("lower-all-hands").click();
  await c.getByTestId("raise-hand").and(c.locator('[aria-pressed="false"]')).waitFor({ timeout: 10_000 });
  await a.getByTestId("hands-section").waitFor({ state: "detached" });

  // A message from another is said, cut short if long.
  await b.getByTestId("chat-toggle").click();
  await b.getByTestId("chat-input").fill(`Hello everyone! ${"la ".repeat(80)}`);
  await b.keyboard.press("Enter");
  await waitUntil("Bakyt's message said", async () => /Message from Bakyt: Hello everyone! (la )+la…/.test((await announcer.textContent()) ?? ""), 5000);

  await a.getByTestId("reactions-toggle").click();
  await a.getByTestId("reactions-palette").waitFor();
  await a.getByTestId("react-clap").click();
  await a.locator('[data-testid="reaction"][data-code="clap"]').first().waitFor();
  await b.locator('[data-testid="reaction"][data-code="clap"]').first().waitFor();
  await assertClean(a, "reactions palette and a reaction");
  await closeAll([a, b, c]);
});

it("is driven from the keyboard: Tab reaches every control of the bar with a visible focus, Ctrl+Alt+H toggles the hand except while typing, Enter and Escape open and close a connection's details", async () => {
  const { app, browser } = env;
  const room = await createRoom(app);
  const a = await open(browser, app);
  const b = await open(browser, app);
  await join(a, app, room, "Aigul");
  await join(b, app, room, "Bakyt");
  await waitForConnected(a, 1);
  await a.getByTestId("quality-button").waitFor({ timeout: 15_000 });

  // Tab from the top of the page: each control of the bar gets the focus, and shows it.
  const bar = await a.locator(".controls button").evaluateAll((els) => els.map((e) => e.getAttribute("data-testid") ?? e.getAttribute("aria-label")));
  const reached = new Map<string, { outline: string; shadow: string }>();
  await a.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  for (let i = 0; i < 60 && reached.size < bar.length; i++) {
    await a.keyboard.press("Tab");
    const focus = await a.evaluate(() => {
      const el = document.activeElement as HTMLElement | null;
      if (!el || !el.closest(".controls")) return null;
      const s = getComputedStyle(el);
      return { id: el.getAttribute("data-testid") ?? el.getAttribute("aria-label") ?? "", outline: `${s.outlineStyle} ${s.outlineWidth}`, shadow: s.boxShadow, visible: el.matches(":focus-visible") };
    });
    if (focus) reached.set(focus.id, { outline: focus.outline, shadow: focus.shadow });
  }
  assert.deepEqual([...reached.keys()].sort(), [...bar].sort(), "every control of the bar is reached with Tab");
  for (const [id, style] of reached) assert.ok(!style.outline.startsWith("none") || style.shadow !== "none", `${id} shows its focus (${style.outline})`);

  // The hand's shortcut, and not while typing in the chat.
  const hand = a.getByTestId("raise-hand");
  await a.locator("body").click({ position: { x: 5, y: 5 } });
  await a.keyboard.press("Control+Alt+KeyH");
  await waitUntil("the hand up", async () => (await hand.getAttribute("aria-pressed")) === "true", 5000);
  await b.getByTestId("tile-hand").waitFor();
  await a.keyboard.press("Control+Alt+KeyH");
  await waitUntil("the hand down", async () => (await hand.getAttribute("aria-pressed")) === "false", 5000);
  await a.getByTestId("chat-input").focus();
  await a.keyboard.press("Control+Alt+KeyH");
  await a.waitForTimeout(300);
  assert.equal(await hand.getAttribute("aria-pressed"), "false", "no hand while typing");

  // A connection's details: Enter opens them (the focus on the bars), Escape closes them.
  await a.getByTestId("quality-button").focus();
  await a.keyboard.press("Enter");
  await a.locator('[data-testid="quality-details"]:popover-open').waitFor();
  assert.match((await a.locator('[data-testid="quality-details"]:popover-open').textContent()) ?? "", /Delay \(round trip\)\d+ ms/);
  await a.keyboard.press("Escape");
  await a.locator('[data-testid="quality-details"]:popover-open').waitFor({ state: "detached" });
  await closeAll([a, b]);
});
