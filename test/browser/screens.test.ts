// Screenshots of every screen, in English and in Russian, saved to test-results/ for people to
// look at; the assertions check that each screen is really in the language asked for.

import assert from "node:assert/strict";
import { mkdir } from "node:fs/promises";
import { after, before, it } from "node:test";
import type { Browser, BrowserContext } from "playwright-core";
import { createRoom, joinRoom, launchBrowser, newPeerContext, startApp, waitForRemoteVideo, type App } from "./harness.ts";

let app: App;
let browser: Browser;

before(async () => {
  app = await startApp();
  browser = await launchBrowser();
  await mkdir("test-results", { recursive: true });
});

after(async () => {
  await browser?.close();
  await app?.stop();
});

const EXPECT = {
  en: { landing: "New room", prejoin: "Ready to join?", room: "Message everyone", people: "4 participants", name: "Aizhan", hello: "Hello everyone!" },
  ru: { landing: "Новая комната", prejoin: "Готовы войти?", room: "Написать всем", people: "4 участника", name: "Айжан", hello: "Всем привет!" },
} as const;

for (const [lang, text] of Object.entries(EXPECT)) {
  it(`renders landing, pre-join and a 4-person room in ${lang}`, async () => {
    const ctx = await newPeerContext(browser, app, { locale: lang === "ru" ? "ru-RU" : "en-US" });
    const page = await ctx.newPage();
    await page.goto(app.url);
    assert.equal(await page.getByTestId("new-room").textContent(), text.landing);
    await page.screenshot({ path: `test-results/landing-${lang}.png` });

    // The landing button creates a room and goes to its link.
    await page.getByTestId("new-room").click();
    await page.waitForURL(/\/r\/[A-Za-z0-9_-]{22}$/);
    const room = new URL(page.url()).pathname.split("/")[2]!;
    await page.getByTestId("preview").waitFor();
    await page.waitForFunction(() => (document.querySelector('[data-testid="preview"]') as HTMLVideoElement | null)?.videoWidth! > 0);
    assert.equal(await page.locator(".join-panel h1").textContent(), text.prejoin);
    await page.screenshot({ path: `test-results/prejoin-${lang}.png` });

    const others: BrowserContext[] = [];
    for (const name of ["Aigul", "Бакыт", "Nurlan"]) {
      const c = await newPeerContext(browser, app, { locale: lang });
      await joinRoom(await c.newPage(), app, room, name);
      others.push(c);
    }
    await page.getByTestId("name").fill(text.name);
    await page.getByTestId("join").click();
    await waitForRemoteVideo(page, 3);
    await page.getByTestId("chat-input").fill(text.hello);
    await page.keyboard.press("Enter");
    await page.getByTestId("chat-message").waitFor();
    assert.equal(await page.getByTestId("chat-input").getAttribute("placeholder"), text.room);
    await page.screenshot({ path: `test-results/room4-${lang}.png` });
    await page.getByTestId("people-toggle").click();
    assert.equal(await page.getByTestId("people-count").textContent(), text.people);
    await page.screenshot({ path: `test-results/people-${lang}.png` });
    for (const c of others) await c.close();
    await ctx.close();
  });
}

it("switches language in the UI and remembers it", async () => {
  const ctx = await newPeerContext(browser, app);
  const page = await ctx.newPage();
  await page.goto(app.url);
  await page.getByTestId("lang").selectOption("ky");
  await page.getByText("Жаңы бөлмө").waitFor();
  await page.reload();
  assert.equal(await page.getByTestId("new-room").textContent(), "Жаңы бөлмө");
  assert.equal(await page.evaluate(() => document.documentElement.lang), "ky");
  await page.screenshot({ path: "test-results/landing-ky.png" });
  await ctx.close();
  await createRoom(app); // the API is still healthy after the UI tests
});
