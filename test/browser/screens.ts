// Takes screenshots of the main screens into test-results/ (for people to look at).
import { mkdir } from "node:fs/promises";
import { createRoom, joinRoom, launchBrowser, newPeerContext, startApp, waitForRemoteVideo } from "./harness.ts";

const app = await startApp();
const browser = await launchBrowser();
await mkdir("test-results", { recursive: true });
try {
  for (const locale of ["en-US", "ru-RU"]) {
    const tag = locale.slice(0, 2);
    const ctx = await newPeerContext(browser, app, { locale });
    const page = await ctx.newPage();
    await page.goto(app.url);
    await page.screenshot({ path: `test-results/landing-${tag}.png` });
    const room = await createRoom(app);
    await page.goto(`${app.url}/r/${room}`);
    await page.getByTestId("preview").waitFor();
    await page.waitForTimeout(500);
    await page.screenshot({ path: `test-results/prejoin-${tag}.png` });
    const others = [];
    for (const name of ["Aigul", "Бакыт", "Nurlan"]) {
      const c = await newPeerContext(browser, app, { locale });
      const p = await c.newPage();
      await joinRoom(p, app, room, name);
      others.push(c);
    }
    await page.getByTestId("name").fill(tag === "ru" ? "Айжан" : "Aizhan");
    await page.getByTestId("join").click();
    await waitForRemoteVideo(page, 3);
    await page.getByTestId("chat-input").fill(tag === "ru" ? "Всем привет!" : "Hello everyone!");
    await page.keyboard.press("Enter");
    await page.waitForTimeout(800);
    await page.screenshot({ path: `test-results/room4-${tag}.png` });
    for (const c of others) await c.close();
    await ctx.close();
  }
} finally {
  await browser.close();
  await app.stop();
}
