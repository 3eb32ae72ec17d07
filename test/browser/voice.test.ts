// Voice messages in real Chromium against the local runtime, its R2 simulated by wrangler: a
// member records from the fake microphone and sends; the sender can play it at once; the other
// member and a late joiner play it from the room (duration shown, time advancing); the recording
// is served with the headers the issue names, and in ranges. One app, one browser, one room.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Page } from "playwright-core";
import { appAndBrowser, joinRoom, createRoom, newPeerContext, report, waitForRemoteVideo, waitUntil } from "./harness.ts";

const env = appAndBrowser();

async function newPage(): Promise<Page> {
  return (await newPeerContext(env.browser, env.app, { viewport: { width: 1100, height: 700 } })).newPage();
}

async function openChat(page: Page): Promise<void> {
  const toggle = page.getByTestId("chat-toggle");
  if (!((await toggle.getAttribute("class")) ?? "").includes("active")) await toggle.click();
}

/** Plays the page's last voice message and resolves with how far it got (seconds) after a while. */
const playLast = (page: Page) =>
  page.evaluate(async () => {
    const audios = [...document.querySelectorAll<HTMLAudioElement>('[data-testid="voice-audio"]')];
    const audio = audios.at(-1)!;
    audio.muted = true; // the test listens to currentTime, not to the speakers
    await audio.play();
    const start = audio.currentTime;
    await new Promise((r) => setTimeout(r, 1200));
    return { start, now: audio.currentTime, paused: audio.paused };
  });

const state: { room: string; a: Page; b: Page } = { room: "", a: null as never, b: null as never };

describe("voice messages", () => {
  it("records from the microphone, shows a timer and a level, and sends; the sender can play it at once", async () => {
    state.room = await createRoom(env.app);
    const a = (state.a = await newPage());
    const b = (state.b = await newPage());
    await joinRoom(a, env.app, state.room, "Asel");
    await joinRoom(b, env.app, state.room, "Bakyt");
    await waitForRemoteVideo(b, 1);
    await openChat(a);
    await openChat(b);

    await a.getByTestId("voice-record").click();
    await a.getByTestId("voice-recording").waitFor();
    await waitUntil("two seconds recorded", async () => /0:0[2-9]/.test((await a.getByTestId("voice-elapsed").textContent()) ?? ""), 10_000);
    const t0 = Date.now();
    await a.getByTestId("voice-send").click();
    await a.getByTestId("voice-message").first().waitFor();
    const own = await playLast(a);
    assert.ok(own.now > own.start, `the sender's own copy plays: ${JSON.stringify(own)}`);
    // The recorder took a copy of the call's microphone: the call's own track is still live and sent.
    assert.equal(await a.evaluate(() => (globalThis as unknown as { roomlink: { media: { tracks: { audio: MediaStreamTrack | null } } } }).roomlink.media.tracks.audio?.readyState), "live");

    await b.getByTestId("voice-message").first().waitFor({ timeout: 20_000 });
    report("voice message: Send → it is in the other member's chat", Date.now() - t0, "ms");
    const ms = Number(await b.getByTestId("voice-message").first().getAttribute("data-duration-ms"));
    assert.ok(ms >= 1500 && ms < 10_000, `duration ${ms} ms`);
  });

  it("the other member plays it: a real duration, and time advancing", async () => {
    const played = await playLast(state.b);
    assert.ok(played.now > played.start, JSON.stringify(played));
    const duration = await state.b.evaluate(() => document.querySelector<HTMLAudioElement>('[data-testid="voice-audio"]')!.duration);
    assert.ok(Number.isFinite(duration) && duration > 1, `element duration ${duration}`);
  });

  it("is served with the headers the issue names, and in ranges", async () => {
    const res = await state.b.evaluate(async () => {
      const src = document.querySelector<HTMLAudioElement>('[data-testid="voice-audio"]')!.currentSrc;
      const full = await fetch(src);
      const part = await fetch(src, { headers: { Range: "bytes=0-99" } });
      const headers = Object.fromEntries([...full.headers].filter(([k]) => ["content-type", "x-content-type-options", "content-security-policy", "cache-control", "accept-ranges"].includes(k)));
      return { status: full.status, headers, partStatus: part.status, partLength: (await part.arrayBuffer()).byteLength, range: part.headers.get("content-range"), stranger: (await fetch(src.replace(/m=[^&]+/, "m=not-a-member"))).status };
    });
    assert.equal(res.status, 200);
    assert.match(res.headers["content-type"] ?? "", /^audio\/(webm|mp4|ogg)$/);
    assert.equal(res.headers["x-content-type-options"], "nosniff");
    assert.equal(res.headers["content-security-policy"], "default-src 'none'; sandbox");
    assert.match(res.headers["cache-control"] ?? "", /private/);
    assert.equal(res.partStatus, 206);
    assert.equal(res.partLength, 100);
    assert.match(res.range ?? "", /^bytes 0-99\/\d+$/);
    assert.equal(res.stranger, 403);
  });

  it("a late joiner plays it from the history", async () => {
    const late = await newPage();
    await joinRoom(late, env.app, state.room, "Cholpon");
    await openChat(late);
    await late.getByTestId("voice-message").first().waitFor();
    const played = await playLast(late);
    assert.ok(played.now > played.start, JSON.stringify(played));
    const duration = await late.evaluate(() => document.querySelector<HTMLAudioElement>('[data-testid="voice-audio"]')!.duration);
    assert.ok(Number.isFinite(duration) && duration > 1, `the late joiner's element has a real duration: ${duration}`);
    await late.context().close();
  });
});
