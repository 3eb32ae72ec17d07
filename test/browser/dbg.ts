import { createRoom, joinRoom, launchBrowser, newPeerContext, startApp } from "/work/main/test/browser/harness.ts";
const app = await startApp();
const browser = await launchBrowser();
const logs: string[] = [];
for (let round = 0; round < 6; round++) {
  const room = await createRoom(app);
  const pages = [];
  logs.length = 0;
  for (const name of ["A", "B", "C", "D"]) {
    const c = await newPeerContext(browser, app);
    await c.addInitScript(() => localStorage.setItem("roomlinkDebug", "1"));
    const p = await c.newPage();
    p.on("console", async (m) => { logs.push(`${name} ${m.text().slice(0, 220)}`); });
    await joinRoom(p, app, room, name);
    pages.push(p);
  }
  await new Promise((r) => setTimeout(r, 8000));
  const all = await Promise.all(pages.map((p) => p.evaluate(() => {
    const rl = (globalThis as any).roomlink;
    return { self: rl.session.state.selfId, pcs: rl.session.state.participants.map((x: any) => x.id + ":" + x.connection) };
  })));
  console.log(round, JSON.stringify(all));
  if (all.some((a) => a.pcs.some((x: string) => !x.endsWith("connected")))) { console.log(logs.filter((l) => !/peer-state|media/.test(l)).join("\n")); break; }
  for (const p of pages) await p.context().close();
}
await browser.close(); await app.stop();
