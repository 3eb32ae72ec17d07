// Screenshots of the transport notes (issue #16) at a desktop and a phone size, in en, ru and ky
// (LANGS=ru for one), for a person to look at. Two people in a meeting whose mesh takes two
// (ROOM_CAPACITY=2) on a deployment without an SFU: the people panel says why nobody else gets
// in, and a third person is refused with the room's size. Then the page's session handles a `transport` frame moving the room to the SFU, as if the
// room had sent it (its handler table, reached from here: this deployment has no SFU to switch
// to): the panel says what the safety code no longer covers. With
// AXE=<path to axe.min.js>, axe-core runs on each and its findings are printed by rule. Not a
// test (it asserts nothing); run it by hand, one browser at a time:
//   npm run build && AXE=node_modules/axe-core/axe.min.js bash test/browser/netns.sh node_modules/.bin/node test/browser/screens-transport.ts /tmp/shots/transport

import { readFile } from "node:fs/promises";
import type { Browser, Page } from "playwright-core";
import { waitForConnected, type App } from "./harness.ts";
import { LANGS, Shooter, shootEverywhere, shotPage, type Lang, type Size } from "./shots.ts";
import { installTestHook } from "./test-hook.ts";

const OUT = process.argv[2] ?? "/tmp/shots/transport";
const AXE = process.env.AXE ? await readFile(process.env.AXE, "utf8") : null;
const shooter = new Shooter(OUT, AXE);

type Hooked = { roomlink: { session: { handlers: { transport(msg: { type: "transport"; transport: { kind: "sfu"; sfu: boolean } }): void } } } };

const page = (browser: Browser, app: App, lang: Lang, size: Size): Promise<Page> => shotPage(browser, app, lang, size, { axe: AXE !== null, hook: installTestHook });

async function join(p: Page, url: string, name: string): Promise<void> {
  await p.goto(url);
  await p.getByTestId("name").fill(name);
  await p.getByTestId("join").click();
  await p.waitForSelector('[data-testid="room"][data-status="joined"]');
}

async function openPeople(p: Page): Promise<void> {
  const toggle = p.getByTestId("people-toggle");
  if (!((await toggle.getAttribute("class")) ?? "").includes("active")) await toggle.dispatchEvent("click");
}

async function screens(browser: Browser, app: App, lang: Lang, size: Size): Promise<void> {
  const tag = `${lang}-${size}`;
  const res = await fetch(`${app.url}/api/rooms`, { method: "POST" });
  const { id: room } = (await res.json()) as { id: string };
  const url = `${app.url}/r/${room}`;
  const a = await page(browser, app, lang, size);
  const b = await page(browser, app, lang, "desktop");
  await join(a, url, LANGS[lang].name);
  await join(b, url, LANGS[lang].other);
  await waitForConnected(a, 1);
  await openPeople(a);
  await a.getByTestId("mesh-limit-note").waitFor();
  await shooter.shoot(a, `mesh-full-${tag}`);

  // The third person, refused: the screen says how many the room takes.
  const c = await page(browser, app, lang, size);
  await c.goto(url);
  await c.getByTestId("name").fill(LANGS[lang].other);
  await c.getByTestId("join").click();
  await c.getByTestId("refused-limit").waitFor();
  await shooter.shoot(c, `room-full-${tag}`);
  await c.context().close();

  // What the room's `transport` frame says when it moves the call to the SFU.
  await a.evaluate(() => (globalThis as unknown as Hooked).roomlink.session.handlers.transport({ type: "transport", transport: { kind: "sfu", sfu: true } }));
  await a.getByTestId("sfu-safety-note").waitFor();
  await shooter.shoot(a, `sfu-safety-${tag}`);
  for (const p of [a, b]) await p.context().close();
}

await shootEverywhere(shooter, (process.env.LANGS?.split(",") ?? ["en", "ru", "ky"]) as Lang[], screens, { ROOM_CAPACITY: "2" });
