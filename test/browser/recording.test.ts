// Recording with consent in real Chromium against the local runtime: the room's creator (a host)
// records the call as laid out while a member records its own camera and mic, everyone (and a
// late joiner) sees REC with both names, the stops clear it everywhere, and each file plays in
// the page with its length written in and both its sound and its picture decoding. Then a
// recorder who leaves takes its REC with it (and still gets its file), and a host turning
// recording off stops a member's recording and refuses a new one.
// One app, one browser and one room for the whole file: each step builds on the last.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Page } from "playwright-core";
import { appAndBrowser, joinRoom, newPeerContext, report, waitForConnected, waitUntil } from "./harness.ts";

const env = appAndBrowser();

/** How long the two recordings run at once. */
const RECORD_MS = 20_000;

type RecState = { own: { phase: string; startedAt?: number; elapsedMs?: number; bytes?: number } | null; notice: string | null; self: unknown };
type Hooked = { roomlink: { session: { state: { recording: RecState; chat: Array<{ kind: string; event?: string; name?: string }> } } } };

const recording = (page: Page) => page.evaluate(() => (globalThis as unknown as Hooked).roomlink.session.state.recording);

/** The names on the page's REC sign (none: no sign). */
const recNames = (page: Page) =>
  page.evaluate(() => {
    const sign = document.querySelector('[data-testid="rec-banner"]');
    return sign ? (sign.getAttribute("data-names") ?? "").split("\n").sort() : [];
  });

const hasNames = async (page: Page, names: string[]) => {
  const shown = await recNames(page);
  return shown.length === names.length && names.every((n) => shown.some((s) => s.startsWith(n)));
};

/** What a page knows of recordings, for a failure's message. */
const diagnose = (page: Page) =>
  page.evaluate(() => {
    const s = (globalThis as unknown as { roomlink: { session: { state: { status: string; reconnects: number; recording: unknown; participants: Array<{ name: string; recording: unknown }> } } } }).roomlink.session.state;
    return { status: s.status, reconnects: s.reconnects, own: s.recording, others: s.participants.map((p) => [p.name, p.recording]), sign: document.querySelector('[data-testid="rec-banner"]')?.textContent ?? null };
  });

/** Uncaught errors in the pages, for a failure's message. */
const pageErrors: string[] = [];

async function newPage(): Promise<Page> {
  const page = await (await newPeerContext(env.browser, env.app)).newPage();
  page.on("pageerror", (e) => pageErrors.push(e.message));
  return page;
}

/** Opens the start dialog from the bar, picks the kind, and starts: the way a person does. */
async function startRecording(page: Page, kind: "composite" | "self"): Promise<void> {
  await page.getByTestId("record").click();
  await page.getByTestId("rec-dialog").waitFor();
  await page.getByTestId(`rec-kind-${kind}`).check();
  await page.getByTestId("rec-start").click();
  await waitUntil("the recorder to record", async () => (await recording(page)).own?.phase === "recording", 15_000);
}

/**
 * The newest offered file, probed through its Save link in a new <video>: its duration (written
 * into the file), and the bytes of audio and video the page decoded while it played.
 */
async function probeSaved(page: Page): Promise<{ name: string; duration: number; audio: number; video: number; href: string }> {
  const item = page.getByTestId("rec-item").first();
  await item.waitFor();
  const save = item.getByTestId("rec-save");
  await waitUntil("the Save link's URL", async () => ((await save.getAttribute("href")) ?? "").startsWith("blob:"));
  const href = (await save.getAttribute("href"))!;
  const name = (await save.getAttribute("download"))!;
  const probe = await page.evaluate(
    (src) =>
      new Promise<{ duration: number; audio: number; video: number }>((resolve, reject) => {
        const v = document.createElement("video");
        v.muted = true;
        v.src = src;
        const counts = () => {
          const d = v as HTMLVideoElement & { webkitAudioDecodedByteCount: number; webkitVideoDecodedByteCount: number };
          return { duration: v.duration, audio: d.webkitAudioDecodedByteCount, video: d.webkitVideoDecodedByteCount };
        };
        v.onerror = () => reject(new Error(`the file does not play: ${v.error?.message ?? v.error?.code}`));
        v.onloadedmetadata = () => {
          void v.play().catch(reject);
          const poll = setInterval(() => {
            const c = counts();
            if ((c.audio > 0 && c.video > 0) || v.ended) {
              clearInterval(poll);
              v.pause();
              resolve(c);
            }
          }, 100);
        };
      }),
    href,
  );
  return { name, href, ...probe };
}

const state: { room: string; host: Page; member: Page; third: Page; late: Page } = {} as never;

describe("recording with consent", () => {
  it("two record at once: everyone (a late joiner too) sees both names, the stops clear it everywhere, and the files play whole", async () => {
    // The creator holds the host key: a host, for the last step.
    const host = (state.host = await newPage());
    await host.goto(env.app.url);
    await host.getByTestId("new-room").click();
    await host.waitForURL(/\/r\//);
    state.room = new URL(host.url()).pathname.split("/")[2]!;
    await host.getByTestId("name").fill("Aigul");
    await host.getByTestId("join").click();
    await host.waitForSelector('[data-testid="room"][data-status="joined"][data-role="host"]');
    const member = (state.member = await newPage());
    await joinRoom(member, env.app, state.room, "Bakyt");
    const third = (state.third = await newPage());
    // Cholpon and (later) Daniyar without cameras: two 720p encoders and a four-way mesh on two cores are load enough.
    await joinRoom(third, env.app, state.room, "Cholpon", { cam: false });
    for (const p of [host, member, third]) await waitForConnected(p, 2);

    // The dialog says what recording means before anything starts.
    await host.getByTestId("record").click();
    const consent = (await host.getByTestId("rec-consent").textContent()) ?? "";
    assert.match(consent, /REC sign with your name/);
    assert.match(consent, /cannot be prevented technically, only made visible/);
    await host.getByTestId("rec-cancel").click();
    assert.deepEqual(await recNames(third), [], "a cancelled dialog announces nothing");

    await startRecording(host, "composite");
    await startRecording(member, "self");
    for (const p of [host, member, third]) {
      await waitUntil("REC with both names", () => hasNames(p, ["Aigul", "Bakyt"]), 10_000).catch(async (e: Error) => {
        throw new Error(`${e.message}: ${JSON.stringify(await Promise.all([host, member, third].map(diagnose)))} ${pageErrors.join("; ")}`);
      });
    }
    // The chat says it where it happened.
    const notes = await third.evaluate(() => (globalThis as unknown as Hooked).roomlink.session.state.chat.filter((i) => i.kind === "system").map((i) => `${i.name} ${i.event}`));
    assert.deepEqual(notes.filter((n) => n.includes("recording")), ["Aigul recording-started", "Bakyt recording-started"]);
    // The chat is open beside the call on a wide screen.
    if (!((await third.getByTestId("chat-toggle").getAttribute("class")) ?? "").includes("active")) await third.getByTestId("chat-toggle").click();
    assert.ok((await third.getByTestId("chat-system").allTextContents()).includes("Aigul started recording"));

    // A late joiner walks into both recordings: the welcome says so.
    const late = (state.late = await newPage());
    await joinRoom(late, env.app, state.room, "Daniyar", { cam: false });
    await waitUntil("the late joiner's REC with both names", () => hasNames(late, ["Aigul", "Bakyt"]), 10_000);

    // Twenty seconds of both, by the recorders' own clocks.
    await waitUntil("both recordings to run 20 s", async () => {
      for (const p of [host, member]) if (((await recording(p)).own?.elapsedMs ?? 0) < RECORD_MS) return false;
      return true;
    }, RECORD_MS + 30_000);
    const lengths: number[] = [];
    for (const p of [host, member]) {
      const before = await recording(p);
      if (before.own?.phase !== "recording") throw new Error(`not recording any more: ${JSON.stringify(await Promise.all([host, member, third].map(diagnose)))} ${pageErrors.join("; ")}`);
      const startedAt = before.own.startedAt!;
      await p.getByTestId("rec-stop").dispatchEvent("click");
      lengths.push(Date.now() - startedAt);
    }
    for (const p of [host, member, third, late]) await waitUntil("REC to clear", async () => (await recNames(p)).length === 0, 15_000);

    for (const [i, p] of [host, member].entries()) {
      const file = await probeSaved(p);
      report(`${i === 0 ? "composite" : "self"} recording: written duration minus wall time`, file.duration * 1000 - lengths[i]!, "ms");
      assert.ok(Number.isFinite(file.duration), `${file.name}: a finite duration (${file.duration})`);
      assert.ok(Math.abs(file.duration * 1000 - lengths[i]!) <= 3_000, `${file.name}: ${file.duration} s for a recording of ${lengths[i]} ms`);
      assert.ok(file.audio > 0, `${file.name}: its sound decodes (${file.audio} bytes)`);
      assert.ok(file.video > 0, `${file.name}: its picture decodes (${file.video} bytes)`);
      assert.match(file.name, /\.(webm|mp4)$/);
    }
    assert.equal(await host.getByTestId("rec-item").count(), 1);
    // Delete frees it: the item goes.
    await host.getByTestId("rec-delete").click();
    await host.getByTestId("rec-sheet").waitFor({ state: "detached" });
  });

  it("a recorder who leaves takes its REC with it, and its file is still offered", async () => {
    const { host, member, third, late } = state;
    await startRecording(late, "self");
    for (const p of [host, member, third]) await waitUntil("REC · Daniyar", () => hasNames(p, ["Daniyar"]), 10_000);
    // A file to offer: on a busy machine the encoder's first slice can take longer than this
    // test takes to get here, and a recorder that wrote nothing has nothing to offer.
    await waitUntil("Daniyar's first slice on disk", async () => ((await recording(late)).own?.bytes ?? 0) > 0, 15_000);
    await late.getByTestId("leave").click();
    await late.getByTestId("left").waitFor();
    for (const p of [host, member, third]) await waitUntil("REC to clear when Daniyar leaves", async () => (await recNames(p)).length === 0, 15_000);
    const file = await probeSaved(late);
    assert.ok(file.video > 0, "the left page offers a file that plays");
    await late.context().close();
  });

  it("a host turning recording off stops a member's recording, says why, and refuses a new one", async () => {
    const { host, member, third } = state;
    await startRecording(third, "self");
    for (const p of [host, member, third]) await waitUntil("REC · Cholpon", () => hasNames(p, ["Cholpon"]), 10_000);
    await host.getByTestId("settings-toggle").click();
    await host.getByTestId("settings").waitFor();
    await host.getByTestId("setting-recording").uncheck();
    await waitUntil("Cholpon's recorder to stop", async () => (await recording(third)).own === null, 15_000);
    assert.equal(await third.getByTestId("rec-notice").getAttribute("data-notice"), "turned-off");
    for (const p of [host, member, third]) await waitUntil("REC to clear when recording is off", async () => (await recNames(p)).length === 0, 15_000);
    // What was recorded is kept and offered.
    assert.ok((await probeSaved(third)).video > 0);
    // A new one: the dialog says why, its Start does nothing.
    await member.getByTestId("record").click();
    await member.getByTestId("rec-off").waitFor();
    assert.equal(await member.getByTestId("rec-start").isDisabled(), true);
    await member.getByTestId("rec-cancel").click();
    // And the session would not announce one either.
    const started = await member.evaluate(() =>
      (globalThis as unknown as { roomlink: { session: { actions: { startRecording: (k: string, s: unknown) => boolean } } } }).roomlink.session.actions.startRecording("self", { kind: "self", ownTracks: () => ({ audio: null, video: null }), layout: () => [], audioTracks: () => [] }),
    );
    assert.equal(started, false);
    assert.deepEqual(await recNames(host), []);
    // On again: recording works again.
    await host.getByTestId("setting-recording").check();
    await host.getByTestId("settings-close").click();
    await startRecording(member, "self");
    await waitUntil("REC · Bakyt again", () => hasNames(host, ["Bakyt"]), 10_000);
    await member.getByTestId("rec-stop").click();
    await waitUntil("REC to clear", async () => (await recNames(host)).length === 0, 15_000);
    for (const p of [host, member, third]) await p.context().close();
  });
});
