// Stage mode in real Chromium against the local runtime: one speaker (the room's creator) and
// four viewers. Viewers never ask for a camera or mic, receive the speaker on receive-only
// connections, send nothing, chat with the speaker, raise a hand, are invited onto the stage and
// moved back; a late viewer gets the stream. One app, one browser and one room for the file: each
// step builds on the last. Low resolution keeps five pages inside two cores.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { BrowserContext, Page } from "playwright-core";
import { appAndBrowser, createRoom, joinRoom, launchBrowser, mediaStats, newPeerContext, report, waitForRemoteVideo, waitUntil } from "./harness.ts";

const env = appAndBrowser();

type Hooked = {
  roomlink: { session: { peerConnections: RTCPeerConnection[]; state: { selfId: string; stage: { seat: string; hands: string[] } } } };
  __gumCalls: number;
};

/** Counts getUserMedia calls in every page of the context, from before the app's first line runs. */
function recordGetUserMedia(): void {
  const g = globalThis as unknown as { __gumCalls: number };
  g.__gumCalls = 0;
  const devices = navigator.mediaDevices;
  const original = devices.getUserMedia.bind(devices);
  devices.getUserMedia = (constraints?: MediaStreamConstraints) => {
    g.__gumCalls++;
    return original(constraints);
  };
}

async function newPage(): Promise<Page> {
  const context: BrowserContext = await newPeerContext(env.browser, env.app, { viewport: { width: 800, height: 600 } });
  await context.addInitScript(recordGetUserMedia);
  return context.newPage();
}

const gumCalls = (page: Page) => page.evaluate(() => (globalThis as unknown as Hooked).__gumCalls);
const selfId = (page: Page) => page.evaluate(() => (globalThis as unknown as Hooked).roomlink.session.state.selfId);
const seat = (page: Page) => page.evaluate(() => (globalThis as unknown as Hooked).roomlink.session.state.stage.seat);
const connections = (page: Page) => page.evaluate(() => (globalThis as unknown as Hooked).roomlink.session.peerConnections.length);

/** RTP this page sends, over all its connections: what a viewer must not have. */
const outbound = (page: Page) =>
  page.evaluate(async () => {
    let count = 0;
    for (const pc of (globalThis as unknown as Hooked).roomlink.session.peerConnections) {
      (await pc.getStats()).forEach((s) => {
        if (s.type === "outbound-rtp") count++;
      });
    }
    return count;
  });

/** Video frames this page sends, over all its connections. */
const framesSent = (page: Page) =>
  page.evaluate(async () => {
    let frames = 0;
    for (const pc of (globalThis as unknown as Hooked).roomlink.session.peerConnections) {
      (await pc.getStats()).forEach((s) => {
        if (s.type === "outbound-rtp" && s.kind === "video") frames += s.framesEncoded ?? 0;
      });
    }
    return frames;
  });

/** Opens the link as a viewer: a name, then Join; no camera or mic is asked for. */
async function watch(page: Page, roomId: string, name: string): Promise<void> {
  await page.goto(`${env.app.url}/r/${roomId}`);
  await page.getByTestId("name").fill(name);
  await page.getByTestId("join").click();
  await page.waitForSelector('[data-testid="room"][data-status="joined"]');
}

async function openPeople(page: Page): Promise<void> {
  const toggle = page.getByTestId("people-toggle");
  if (!((await toggle.getAttribute("class")) ?? "").includes("active")) await toggle.click();
}

async function personAction(host: Page, peerId: string, action: string): Promise<void> {
  await openPeople(host);
  const row = host.locator(`[data-testid="person"][data-peer="${peerId}"]`);
  await row.getByTestId("person-menu").click();
  await row.getByTestId(action).click();
}

const state: { room: string; speaker: Page; viewers: Page[] } = { room: "", speaker: null as never, viewers: [] };

describe("stage: one speaker, four viewers", () => {
  it("the creator opens a stage and is its speaker; four viewers watch without a camera prompt", async () => {
    const speaker = (state.speaker = await newPage());
    await speaker.goto(env.app.url);
    await speaker.getByTestId("mode-stage").check();
    await speaker.getByTestId("new-room").click();
    await speaker.waitForURL(/\/r\//);
    state.room = new URL(speaker.url()).pathname.split("/")[2]!;
    await speaker.getByTestId("name").fill("Streamer");
    await speaker.getByTestId("join").click();
    await speaker.waitForSelector('[data-testid="room"][data-status="joined"][data-role="host"]');
    assert.equal(await seat(speaker), "speaker");
    await speaker.getByTestId("stage-live").waitFor();

    for (let i = 1; i <= 4; i++) {
      const viewer = await newPage();
      state.viewers.push(viewer);
      await watch(viewer, state.room, `Viewer ${i}`);
      assert.equal(await seat(viewer), "viewer");
    }
    for (const viewer of state.viewers) await waitForRemoteVideo(viewer, 1, 30_000);
    // Viewers connect to the speaker only, never to each other.
    for (const viewer of state.viewers) assert.equal(await connections(viewer), 1);
    assert.equal(await connections(state.speaker), 4);
    await waitUntil("the viewer count on the speaker's stage bar", async () => ((await speaker.getByTestId("stage-viewers").textContent()) ?? "").includes("4"));
  });

  it("viewers send no media and never called getUserMedia; the speaker sends to each", async () => {
    for (const viewer of state.viewers) {
      assert.equal(await outbound(viewer), 0, "a viewer has no outbound-rtp");
      assert.equal(await gumCalls(viewer), 0, "a viewer never asked for camera or mic");
      // No tile for anyone but the speaker, and no camera or mic buttons.
      assert.equal(await viewer.getByTestId("mic-toggle").count(), 0);
    }
    await waitUntil("the speaker encoding video", async () => (await framesSent(state.speaker)) > 0);
  });

  it("a viewer's chat reaches the speaker, and the speaker's reaches the viewers", async () => {
    const [viewer] = state.viewers;
    await viewer!.getByTestId("chat-toggle").click().catch(() => {});
    await viewer!.getByTestId("chat-input").fill("hello from the audience");
    await viewer!.getByTestId("chat-input").press("Enter");
    await state.speaker.getByText("hello from the audience").waitFor();
    await state.speaker.getByTestId("chat-input").fill("thanks for watching");
    await state.speaker.getByTestId("chat-input").press("Enter");
    await state.viewers[3]!.getByTestId("chat-toggle").click().catch(() => {});
    await state.viewers[3]!.getByText("thanks for watching").waitFor();
  });

  it("a viewer raises a hand, is invited, publishes and is seen by the others; then is moved back", async () => {
    const [, guest, ...others] = state.viewers;
    const guestId = await selfId(guest!);
    await guest!.getByTestId("raise-hand").click();
    await waitUntil("the hand on the speaker's side", () =>
      state.speaker.evaluate((id) => (globalThis as unknown as Hooked).roomlink.session.state.stage.hands.includes(id), guestId),
    );
    await personAction(state.speaker, guestId, "invite-stage");
    await waitUntil("the guest on the stage", async () => (await seat(guest!)) === "speaker");
    await waitUntil("the guest asked for camera and mic once invited", async () => (await gumCalls(guest!)) > 0);
    await waitUntil("the guest encoding video", async () => (await framesSent(guest!)) > 0, 30_000);
    // The others now receive two speakers; the guest's hand went down.
    for (const viewer of others) await waitForRemoteVideo(viewer, 2, 30_000);
    await waitForRemoteVideo(state.speaker, 4, 30_000).catch(async () => {
      // The speaker receives video only from the guest (viewers send nothing).
      await waitUntil("the speaker decoding the guest", async () => (await mediaStats(state.speaker)).some((s) => s.video > 0));
    });
    assert.equal(
      await guest!.evaluate((id) => (globalThis as unknown as Hooked).roomlink.session.state.stage.hands.includes(id), guestId),
      false,
    );

    await personAction(state.speaker, guestId, "move-audience");
    await waitUntil("the guest back in the audience", async () => (await seat(guest!)) === "viewer");
    await waitUntil("the guest's connections to other viewers closed", async () => (await connections(guest!)) === 1, 20_000);
    for (const viewer of others) await waitUntil("one speaker again", async () => (await connections(viewer)) === 1, 20_000);
    await waitUntil("the guest sending nothing", async () => {
      const before = await framesSent(guest!);
      await new Promise((r) => setTimeout(r, 1500));
      return (await framesSent(guest!)) === before;
    });
  });

  it("a late viewer gets the stream (and is timed from opening the link)", async () => {
    const late = await newPage();
    const t0 = Date.now();
    await late.goto(`${env.app.url}/r/${state.room}`);
    await late.getByTestId("name").fill("Late");
    await late.getByTestId("join").click();
    await waitUntil("first remote frame", async () => ((await mediaStats(late))[0]?.video ?? 0) > 0, 30_000);
    report("stage: late viewer, open link → first remote frame", Date.now() - t0, "ms");
    assert.equal(await gumCalls(late), 0);
    assert.equal(await outbound(late), 0);
    await late.context().close();
  });
});

describe("Tap to listen", () => {
  it("shows when the browser blocks playback without a gesture, and a tap starts every blocked element", async () => {
    // Chromium's own autoplay policy, as a phone's browser has: unmuted playback needs a gesture.
    const strict = await launchBrowser({ autoplay: "default" });
    try {
      const speaker = await (await newPeerContext(strict, env.app)).newPage();
      const room = await createRoom(env.app);
      await joinRoom(speaker, env.app, room, "Talker");
      const listener = await (await newPeerContext(strict, env.app)).newPage();
      await listener.goto(`${env.app.url}/r/${room}`);
      await listener.getByTestId("name").fill("Listener");
      // A synthetic click: the join runs but the page gets no user activation, as when a page
      // rejoins by itself after a reload.
      await listener.getByTestId("join").dispatchEvent("click");
      await listener.waitForSelector('[data-testid="room"][data-status="joined"]');
      await waitForRemoteVideo(listener, 1);
      await listener.getByTestId("tap-to-listen").waitFor({ timeout: 15_000 });
      await listener.getByTestId("tap-to-listen").click();
      await listener.getByTestId("tap-to-listen").waitFor({ state: "detached" });
      const paused = await listener.evaluate(() => [...document.querySelectorAll("video, audio")].filter((m) => (m as HTMLMediaElement).srcObject && (m as HTMLMediaElement).paused).length);
      assert.equal(paused, 0, "every element with a stream plays after the tap");
    } finally {
      await strict.close();
    }
  });
});
