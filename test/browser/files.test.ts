// Peer-to-peer files in real Chromium against the local runtime, as people do them: a file picked
// with the chat's paperclip, offered to everyone; each receiver accepts with its button, and
// saves the finished file through its link; the download's SHA-256 is compared with the file's.
// Then cancelling from either side, and a cut of every UDP packet mid-transfer (the network
// namespace's nftables, udp-cut.ts) that the transfer survives without starting
// over. The relay-only transfer is in turn.test.ts, beside its coturn.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { createRoom, joinRoom, launchBrowser, newPeerContext, report, startApp, waitUntil, type App } from "./harness.ts";
import { assertPrivateNamespace, cutUdp, restoreUdp } from "./udp-cut.ts";
import { acceptOffer, generatedFile, MiB, receivedBytes, savedSha256, sendFromChat } from "./file-helpers.ts";

let app: App;
let browser: Browser;

before(async () => {
  assertPrivateNamespace();
  restoreUdp();
  app = await startApp();
  browser = await launchBrowser();
});

after(async () => {
  restoreUdp();
  await browser?.close();
  await app?.stop();
});

async function member(room: string, name: string): Promise<Page> {
  const page = await (await newPeerContext(browser, app, { viewport: { width: 1100, height: 700 } })).newPage();
  // Small video: three pages and a 50 MiB transfer share two cores.
  await joinRoom(page, app, room, name, { cam: false });
  return page;
}

const recipientStatus = (page: Page, peerName: string) =>
  page.evaluate((name) => {
    const g = globalThis as unknown as { roomlink: { session: { state: { files: { outgoing: Array<{ recipients: Array<{ name: string; status: string; end: unknown }> }> } } } } };
    const r = g.roomlink.session.state.files.outgoing.at(-1)?.recipients.find((x) => x.name === name);
    return r ? { status: r.status, end: r.end } : null;
  }, peerName);

/** Files ours in OPFS (roomlink-received), for checking that a cancelled one is gone. */
const storedNames = (page: Page) =>
  page.evaluate(async () => {
    const root = await navigator.storage.getDirectory();
    try {
      const dir = await root.getDirectoryHandle("roomlink-received");
      const names: string[] = [];
      for await (const name of (dir as unknown as { keys(): AsyncIterable<string> }).keys()) names.push(name);
      return names;
    } catch {
      return [];
    }
  });

/** Until the page's connections to `n` others are up (the camera is off: no video to wait for). */
const connectedTo = (page: Page, n: number) =>
  waitUntil(`connected to ${n}`, () =>
    page.evaluate((count) => {
      const g = globalThis as unknown as { roomlink?: { session: { state: { participants: Array<{ connection: string }> } } } };
      return (g.roomlink?.session.state.participants.filter((p) => p.connection === "connected").length ?? 0) >= count;
    }, n),
  30_000);

async function closeAll(...pages: Page[]) {
  for (const p of pages) await p.context().close();
}

describe("peer-to-peer files", () => {
  it("sends a 50 MiB file to two people: nothing comes before they accept, both save it whole", async () => {
    const room = await createRoom(app);
    const a = await member(room, "Asel");
    const b = await member(room, "Bakyt");
    const c = await member(room, "Cholpon");
    try {
      await connectedTo(a, 2);
      const file = generatedFile("fifty.bin", 50 * MiB);
      await sendFromChat(a, file.path);
      // The offer names the file, its size and its sender; nothing is stored before the yes.
      for (const p of [b, c]) {
        const offer = p.locator('[data-testid="file-in"][data-status="offered"]');
        await offer.waitFor({ timeout: 30_000 });
        const text = (await offer.textContent()) ?? "";
        assert.match(text, /fifty\.bin/);
        assert.match(text, /Asel/);
        assert.match(text, /52\s?MB/);
      }
      await new Promise((r) => setTimeout(r, 1000));
      assert.deepEqual(await storedNames(b), []);
      assert.equal((await recipientStatus(a, "Bakyt"))?.status, "offered");

      const t0 = Date.now();
      const [tb, tc] = [await acceptOffer(b), await acceptOffer(c)];
      const [hb, hc] = await Promise.all([savedSha256(b, tb), savedSha256(c, tc)]);
      report("50 MiB to two people: both accept → both done", Date.now() - t0, "ms");
      assert.equal(hb, file.sha256);
      assert.equal(hc, file.sha256);
      await waitUntil("the sender sees both done", async () => (await a.locator('[data-testid="file-recipient"][data-status="done"]').count()) === 2, 10_000);
    } finally {
      await closeAll(a, b, c);
    }
  });

  it("cancels mid-way from either side: the other is told, and nothing is left on disk", async () => {
    const room = await createRoom(app);
    const a = await member(room, "Asel");
    const b = await member(room, "Bakyt");
    try {
      await connectedTo(a, 1);
      const file = generatedFile("cancel.bin", 300 * MiB);

      // The sender cancels.
      await sendFromChat(a, file.path);
      const first = await acceptOffer(b);
      await waitUntil("some of it arrived", async () => (await receivedBytes(b, first)) >= 4 * MiB, 60_000);
      await a.getByTestId("file-out").last().getByTestId("file-cancel").first().click();
      const cancelled = b.locator(`[data-testid="file-in"][data-transfer="${first}"][data-status="failed"]`);
      await cancelled.waitFor({ timeout: 30_000 });
      assert.ok(((await cancelled.getByTestId("file-problem").textContent()) ?? "").includes("Asel"), "says who cancelled");
      assert.ok((await receivedBytes(b, first)) < 300 * MiB);
      await waitUntil("its part is deleted", async () => !(await storedNames(b)).some((n) => n.endsWith(first)), 10_000);

      // The receiver cancels.
      await sendFromChat(a, file.path);
      const second = await acceptOffer(b);
      await waitUntil("some of it arrived", async () => (await receivedBytes(b, second)) >= 4 * MiB, 60_000);
      await b.locator(`[data-testid="file-in"][data-transfer="${second}"]`).getByTestId("file-cancel").click();
      await waitUntil("the sender is told", async () => (await recipientStatus(a, "Bakyt"))?.status === "failed", 30_000);
      assert.deepEqual((await recipientStatus(a, "Bakyt"))?.end, { problem: "cancelled", by: "remote" });
      const row = a.getByTestId("file-out").last().getByTestId("file-recipient");
      assert.ok(((await row.getByTestId("file-problem").textContent()) ?? "").includes("Bakyt"), "says who cancelled");
      await waitUntil("its part is deleted", async () => !(await storedNames(b)).some((n) => n.endsWith(second)), 10_000);
    } finally {
      await closeAll(a, b);
    }
  });

  it("survives a cut of every UDP packet mid-transfer: it goes on from where it was, not from the start", async () => {
    const room = await createRoom(app);
    const a = await member(room, "Asel");
    const b = await member(room, "Bakyt");
    try {
      await connectedTo(b, 1);
      const size = 200 * MiB;
      const file = generatedFile("cut.bin", size);
      await sendFromChat(a, file.path);
      const transfer = await acceptOffer(b);
      await waitUntil("a fifth arrived", async () => (await receivedBytes(b, transfer)) >= size / 5, 60_000);
      cutUdp();
      const cutAt = Date.now();
      // Long enough for the stall watchdog (20 s without an ack) to give up on the channel, and
      // for Chromium to call the connection failed (about 17 s), so both the resume and the ICE
      // restart are exercised.
      await new Promise((r) => setTimeout(r, 25_000));
      const beforeRestore = await receivedBytes(b, transfer);
      // Either path is a resume: SCTP carrying on over the restarted ICE, or (if the sender's stall
      // watchdog let the channel go) a new channel from the last verified block. Said, not asserted.
      const senderAtRestore = (await recipientStatus(a, "Bakyt"))?.status;
      assert.ok(beforeRestore >= size / 5 && beforeRestore < size, `verified at the cut: ${beforeRestore}`);
      const seen = new Set<string>();
      const lows: number[] = [];
      const watch = setInterval(() => {
        void b
          .evaluate((t) => {
            const g = globalThis as unknown as { roomlink: { session: { state: { files: { incoming: Array<{ transfer: string; status: string; progress: { bytesDone: number } | null }> } } } } };
            const f = g.roomlink.session.state.files.incoming.find((x) => x.transfer === t);
            return f ? { status: f.status, done: f.progress?.bytesDone ?? 0 } : null;
          }, transfer)
          .then((s) => {
            if (!s) return;
            seen.add(s.status);
            lows.push(s.done);
          })
          .catch(() => {});
      }, 100);
      restoreUdp();
      const restoredAt = Date.now();
      const hash = await savedSha256(b, transfer, 120_000);
      clearInterval(watch);
      report(`200 MiB transfer: UDP restored after a 25 s cut (sender ${senderAtRestore}) → file done`, Date.now() - restoredAt, "ms");
      assert.equal(hash, file.sha256);
      assert.ok(lows.length > 10, `watched ${lows.length} times`);
      assert.ok(Math.min(...lows) >= beforeRestore, `progress went back: ${Math.min(...lows)} < ${beforeRestore}`);
      assert.ok(seen.has("receiving") || seen.has("saving"), `statuses seen after the restore: ${[...seen].join(", ")}`);
      // Not started over: all B's connection received (the file, the blocks in flight at the cut,
      // and a minute of audio) is far less than the file twice over.
      const received = await b.evaluate(async () => {
        const g = globalThis as unknown as { roomlink: { session: { peerConnections: RTCPeerConnection[] } } };
        let bytes = 0;
        for (const pc of g.roomlink.session.peerConnections) (await pc.getStats()).forEach((s) => s.type === "transport" && (bytes += s.bytesReceived ?? 0));
        return bytes;
      });
      assert.ok(received > size && received < size + 32 * MiB, `B's connection received ${received} bytes for a ${size}-byte file`);
      assert.ok(Date.now() - cutAt > 25_000);
    } finally {
      restoreUdp();
      await closeAll(a, b);
    }
  });
});
