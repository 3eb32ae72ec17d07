// Files in a room on the SFU, in real Chromium through the Worker and wrangler's local R2: there is
// no peer connection between the members, so a file goes through the room's bucket
// (protocol/features/file-relay.ts). With MESH_MAX=2, three people put the meeting on the SFU
// (through the Realtime stand-in, test/realtime-stand-in/). One sends a file with the chat's
// paperclip; one recipient accepts, saves it, and the download's SHA-256 is the file's; the
// other declines, and the sender's card says so. Nothing is uploaded before a yes.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { acceptOffer, generatedFile, MiB, savedSha256, sendFromChat } from "./file-helpers.ts";
import { createRoom, joinRoom, newPeerContext, report, waitUntil, type App } from "./harness.ts";
import { type SfuRig, startSfuRig } from "./stand-in.ts";

const APP_ID = "browser-sfu-files-app";
const SECRET = "browser-sfu-files-secret";
const MESH_MAX = 2;

let rig: SfuRig;
let app: App;
let browser: Browser;

before(async () => {
  rig = await startSfuRig(APP_ID, SECRET, { MESH_MAX: String(MESH_MAX) });
  ({ app, browser } = rig);
});

after(async () => {
  await rig?.stop();
});

type Hooked = {
  roomlink: {
    session: {
      peerConnections: RTCPeerConnection[];
      state: {
        transport: { kind: string };
        files: { outgoing: Array<{ recipients: Array<{ name: string; status: string; end: { problem: string } | null }> }>; incoming: Array<{ transfer: string; status: string }> };
      };
    };
  };
};

async function member(room: string, name: string): Promise<Page> {
  const page = await (await newPeerContext(browser, app, { viewport: { width: 1100, height: 700 } })).newPage();
  await joinRoom(page, app, room, name, { cam: false });
  return page;
}

const onSfu = (p: Page) => p.evaluate(() => (globalThis as unknown as Hooked).roomlink.session.state.transport.kind === "sfu");

const recipient = (p: Page, name: string) =>
  p.evaluate((n) => (globalThis as unknown as Hooked).roomlink.session.state.files.outgoing.at(-1)?.recipients.find((r) => r.name === n) ?? null, name);

describe("files on the SFU", () => {
  it("go through the room's bucket: nothing before the yes, the accepted file saved whole (SHA-256), the declined one told to the sender", async () => {
    const room = await createRoom(app);
    const pages = [await member(room, "Aigul"), await member(room, "Bakyt"), await member(room, "Cholpon")];
    const [a, b, c] = pages as [Page, Page, Page];
    try {
      for (const p of pages) await waitUntil("the room on the SFU", () => onSfu(p), 60_000);
      const file = generatedFile("sfu-twenty.bin", 20 * MiB);
      await sendFromChat(a, file.path);
      for (const p of [b, c]) await p.locator('[data-testid="file-in"][data-status="offered"]').waitFor({ timeout: 30_000 });
      assert.match((await b.locator('[data-testid="file-in"]').textContent()) ?? "", /sfu-twenty\.bin/);
      // Offered, nothing more: no upload before a yes.
      assert.equal((await recipient(a, "Bakyt"))?.status, "offered");

      const t0 = Date.now();
      const transfer = await acceptOffer(b);
      const hash = await savedSha256(b, transfer);
      report("20 MiB through R2 on the SFU: accept → saved", Date.now() - t0, "ms");
      assert.equal(hash, file.sha256);
      await waitUntil("the sender sees Bakyt done", async () => (await recipient(a, "Bakyt"))?.status === "done", 30_000);

      await c.locator('[data-testid="file-in"][data-status="offered"]').getByTestId("file-decline").click();
      await waitUntil("the sender sees Cholpon declined", async () => (await recipient(a, "Cholpon"))?.end?.problem === "declined", 30_000);
      // Still one connection each (to the SFU): the file went through no peer connection.
      for (const p of pages) assert.ok((await p.evaluate(() => (globalThis as unknown as Hooked).roomlink.session.peerConnections.length)) <= 1);
    } finally {
      for (const p of pages) await p.context().close();
    }
  });
});
