// Stage mode in real Chromium against the local runtime: one speaker (the room's creator) and
// four viewers. Viewers never ask for a camera or mic, receive the speaker on receive-only
// connections, send nothing, chat with the speaker, raise a hand, are invited onto the stage and
// moved back; a late viewer gets the stream. One app, one browser and one room for the file: each
// step builds on the last. Low resolution keeps five pages inside two cores.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { BrowserContext, Page } from "playwright-core";
import { openChat, openPeople, personAction, sawHand, seatOf } from "./stage-helpers.ts";
import { appAndBrowser, mediaStats, newPeerContext, openStage, report, startApp, waitForRemoteVideo, waitUntil } from "./harness.ts";

const env = appAndBrowser();

type Hooked = {
  roomlink: { session: { peerConnections: RTCPeerConnection[]; state: { selfId: string } } };
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

/**
 * Viewers here have camera and mic permission from an earlier visit (never used: the test counts
 * getUserMedia calls). A first-time viewer, with no permission at all, gathers no host candidate
 * in Chromium (only the default route's address, behind an mDNS name), and in this namespace,
 * whose only network is loopback, there is none: it connects through the room's STUN or TURN
 * server, which turn.test.ts tests ("a first-time stage viewer"). On a real network it also has its default
 * route's address, and the speaker sees it as peer-reflexive.
 */
async function newPage(): Promise<Page> {
  const context: BrowserContext = await newPeerContext(env.browser, env.app, { viewport: { width: 800, height: 600 } });
  await context.addInitScript(recordGetUserMedia);
  return context.newPage();
}

const gumCalls = (page: Page) => page.evaluate(() => (globalThis as unknown as Hooked).__gumCalls);
const selfId = (page: Page) => page.evaluate(() => (globalThis as unknown as Hooked).roomlink.session.state.selfId);
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

const state: { room: string; speaker: Page; viewers: Page[] } = { room: "", speaker: null as never, viewers: [] };

describe("stage: one speaker, four viewers", () => {
  it("the creator opens a stage and is its speaker; four viewers watch without a camera prompt", async () => {
    const speaker = (state.speaker = await newPage());
    await openStage(speaker, env.app.url, "Streamer");
    state.room = new URL(speaker.url()).pathname.split("/")[2]!;
    assert.equal(await seatOf(speaker), "speaker");
    await speaker.getByTestId("stage-live").waitFor();

    for (let i = 1; i <= 4; i++) {
      const viewer = await newPage();
      state.viewers.push(viewer);
      await watch(viewer, state.room, `Viewer ${i}`);
      assert.equal(await seatOf(viewer), "viewer");
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
      assert.equal(await viewer.getByTestId("mic").count(), 0);
      assert.equal(await viewer.getByTestId("cam").count(), 0);
    }
    await waitUntil("the speaker encoding video", async () => (await framesSent(state.speaker)) > 0);
  });

  it("a viewer's people panel counts the audience and lists no other viewer (the crowd); the speaker's lists them all", async () => {
    const [first, second] = state.viewers as [Page, Page];
    await openPeople(first);
    // The other three viewers are a count: the room's `audience`, less the viewer itself.
    await first.waitForSelector('[data-testid="crowd-more"][data-count="3"]');
    assert.equal(await first.locator(`[data-testid="person"][data-peer="${await selfId(second)}"]`).count(), 0);
    assert.equal(await first.locator('[data-testid="watching-heading"]').getAttribute("data-count"), "4");
    await openPeople(state.speaker);
    await state.speaker.locator(`[data-testid="person"][data-peer="${await selfId(second)}"]`).waitFor();
    assert.equal(await state.speaker.getByTestId("crowd-more").count(), 0);
    // Closed again: the next steps open what they need.
    await first.getByTestId("people-toggle").click();
  });

  it("a viewer's chat reaches the speaker, and the speaker's reaches the viewers", async () => {
    const [viewer] = state.viewers;
    await openChat(viewer!);
    await viewer!.getByTestId("chat-input").fill("hello from the audience");
    await viewer!.getByTestId("chat-input").press("Enter");
    // The panel is closed by default at this width (800 px): the unread badge says there is news.
    await state.speaker.getByTestId("unread").waitFor();
    await openChat(state.speaker);
    // In the chat list (the live region says it too, for screen readers).
    await state.speaker.getByTestId("chat-list").getByText("hello from the audience").waitFor();
    await state.speaker.getByTestId("chat-input").fill("thanks for watching");
    await state.speaker.getByTestId("chat-input").press("Enter");
    await openChat(state.viewers[3]!);
    await state.viewers[3]!.getByTestId("chat-list").getByText("thanks for watching").waitFor();
  });

  it("a viewer raises a hand, is invited, publishes and is seen by the others; then is moved back", async () => {
    const [, guest, ...others] = state.viewers;
    const guestId = await selfId(guest!);
    await guest!.getByTestId("raise-hand").click();
    await waitUntil("the hand on the speaker's side", () => sawHand(state.speaker, guestId));
    // A viewer who declines stays in the audience and is never asked for a camera.
    const shy = others[0]!;
    await personAction(state.speaker, await selfId(shy), "invite-stage");
    await shy.getByTestId("stage-invitation").waitFor();
    assert.equal(await seatOf(shy), "speaker");
    assert.equal(await gumCalls(shy), 0, "nothing starts before the viewer says yes");
    await shy.getByTestId("stage-decline").click();
    await waitUntil("the shy viewer back in the audience", async () => (await seatOf(shy)) === "viewer");
    assert.equal(await gumCalls(shy), 0);

    await personAction(state.speaker, guestId, "invite-stage");
    await waitUntil("the guest on the stage", async () => (await seatOf(guest!)) === "speaker");
    await guest!.getByTestId("stage-invitation").waitFor();
    assert.equal(await gumCalls(guest!), 0, "nothing starts before the guest says yes");
    await guest!.getByTestId("stage-accept").click();
    await waitUntil("the guest asked for camera and mic once it accepted", async () => (await gumCalls(guest!)) > 0);
    await waitUntil("the guest encoding video", async () => (await framesSent(guest!)) > 0, 30_000);
    // The others now receive two speakers; the guest's hand went down.
    for (const viewer of others) await waitForRemoteVideo(viewer, 2, 30_000);
    // The speaker receives video only from the guest (viewers send nothing).
    await waitUntil("the speaker decoding the guest", async () => (await mediaStats(state.speaker)).some((s) => s.video > 0));
    assert.equal(await sawHand(guest!, guestId), false);

    await personAction(state.speaker, guestId, "move-audience");
    await waitUntil("the guest back in the audience", async () => (await seatOf(guest!)) === "viewer");
    await waitUntil("the guest's connections to other viewers closed", async () => (await connections(guest!)) === 1, 20_000);
    for (const viewer of others) await waitUntil("one speaker again", async () => (await connections(viewer)) === 1, 20_000);
    await waitUntil("the guest sending nothing", async () => {
      const before = await framesSent(guest!);
      await new Promise((r) => setTimeout(r, 1500));
      return (await framesSent(guest!)) === before;
    });
  });

  it("a late viewer gets the stream, the screen share and the chat history (and is timed from opening the link)", async () => {
    await state.speaker.getByTestId("screen").click();
    await waitUntil("the speaker sharing", () => state.speaker.evaluate(() => (globalThis as unknown as { roomlink: { media: { state: { screen: boolean } } } }).roomlink.media.state.screen));
    const late = await newPage();
    const t0 = Date.now();
    await late.goto(`${env.app.url}/r/${state.room}`);
    await late.getByTestId("name").fill("Late");
    await late.getByTestId("join").click();
    await waitUntil("first remote frame", async () => ((await mediaStats(late))[0]?.video ?? 0) > 0, 30_000);
    report("stage: late viewer, open link → first remote frame", Date.now() - t0, "ms");
    assert.equal(await gumCalls(late), 0);
    assert.equal(await outbound(late), 0);
    const speakerId = await selfId(state.speaker);
    await late.getByTestId(`tile-screen-${speakerId}`).waitFor();
    await openChat(late);
    await late.getByTestId("chat-list").getByText("hello from the audience").waitFor();
    await late.getByTestId("chat-list").getByText("thanks for watching").waitFor();
    await state.speaker.getByTestId("screen").click();
    await late.context().close();
  });

  // Last: a removal bars the removed member's address from joining without the lobby for a while,
  // and every page here comes from 127.0.0.1.
  it("a host removes a disruptive viewer: it is out for good, and the others watch on", async () => {
    const pest = state.viewers[3]!;
    const pestId = await selfId(pest);
    await personAction(state.speaker, pestId, "remove");
    await state.speaker.getByTestId("confirm-remove").getByTestId("confirm-ok").click();
    await pest.waitForSelector('[data-testid="refused"][data-code="4403"]');
    await waitUntil("the viewer gone from the speaker's roster", () =>
      state.speaker.evaluate((id) => !(globalThis as unknown as { roomlink: { session: { state: { participants: Array<{ id: string }> } } } }).roomlink.session.state.participants.some((p) => p.id === id), pestId),
    );
    await waitForRemoteVideo(state.viewers[0]!, 1);
  });
});

describe("Tap to listen", () => {
  it("shows when the browser refuses playback until a gesture, and a tap starts every refused element", async () => {
    // Safari (and Chromium's default policy) refuse an unmuted play() until the page has had a
    // gesture. Chromium cannot show that under Playwright, whose every evaluate counts as a user
    // gesture; so play() is made to refuse here the way those browsers do (NotAllowedError),
    // until a trusted click, which only a real input event (Playwright's click) is.
    const speaker = await newPage();
    await openStage(speaker, env.app.url, "Talker");

    const context = await newPeerContext(env.browser, env.app, { viewport: { width: 800, height: 600 } });
    await context.addInitScript(() => {
      const g = globalThis as unknown as { __refused: number; __tapped: boolean };
      g.__refused = 0;
      g.__tapped = false;
      addEventListener("click", (e) => void (e.isTrusted && (g.__tapped = true)), true);
      const play = HTMLMediaElement.prototype.play;
      HTMLMediaElement.prototype.play = function (this: HTMLMediaElement) {
        if (g.__tapped || this.muted) return play.call(this);
        g.__refused++;
        return Promise.reject(new DOMException("play() can only be initiated by a user gesture.", "NotAllowedError"));
      };
    });
    const listener = await context.newPage();
    await listener.goto(speaker.url());
    await listener.getByTestId("name").fill("Listener");
    // An untrusted click: the join runs, but it is no gesture, as when a page rejoins by itself.
    await listener.getByTestId("join").dispatchEvent("click");
    await listener.waitForSelector('[data-testid="room"][data-status="joined"]');
    await waitForRemoteVideo(listener, 1);
    await listener.getByTestId("tap-to-listen").waitFor({ timeout: 15_000 });
    assert.ok((await listener.evaluate(() => (globalThis as unknown as { __refused: number }).__refused)) > 0);
    await listener.getByTestId("tap-to-listen").click();
    await listener.getByTestId("tap-to-listen").waitFor({ state: "detached" });
    const paused = await listener.evaluate(() => [...document.querySelectorAll("video, audio")].filter((m) => (m as HTMLMediaElement).srcObject && !(m as HTMLMediaElement).muted && (m as HTMLMediaElement).paused).length);
    assert.equal(paused, 0, "every element with a stream plays after the tap");
    await speaker.context().close();
    await context.close();
  });
});

describe("stage capacity", () => {
  it("past the speaker's budget a viewer gets audio only and is told why; past the viewer limit the stage is full", async () => {
    // A 300 kbps budget holds one video copy (250 + 32 kbps); two viewers at most.
    const app = await startApp({ UPLOAD_BUDGET_KBPS: "300", STAGE_VIEWERS: "2" });
    const open = async () => {
      const context = await newPeerContext(env.browser, app, { viewport: { width: 800, height: 600 } });
      await context.addInitScript(recordGetUserMedia);
      return context.newPage();
    };
    try {
      const speaker = await open();
      await openStage(speaker, app.url, "Speaker");
      const enter = async (name: string) => {
        const page = await open();
        await page.goto(speaker.url());
        await page.getByTestId("name").fill(name);
        await page.getByTestId("join").click();
        return page;
      };
      const first = await enter("First");
      await first.waitForSelector('[data-testid="room"][data-status="joined"]');
      await waitForRemoteVideo(first, 1);
      const second = await enter("Second");
      await second.waitForSelector('[data-testid="room"][data-status="joined"]');
      await second.getByTestId("video-off-note").waitFor();
      assert.equal(await second.getByTestId("video-off-note").textContent(), "Video is off because the stage is full.");
      await waitUntil("the second viewer hearing the speaker", async () => (await mediaStats(second)).some((s) => s.audioLive));
      const tiers = await speaker.evaluate(() => (globalThis as unknown as { roomlink: { session: { stageTiers: { video: string[]; audioOnly: string[] } } } }).roomlink.session.stageTiers);
      assert.deepEqual([tiers.video.length, tiers.audioOnly.length], [1, 1]);
      assert.equal(await first.getByTestId("video-off-note").count(), 0);
      // The first still gets video: its frame count keeps rising.
      await waitForRemoteVideo(first, 1);

      const third = await enter("Third");
      await third.waitForSelector('[data-testid="refused"]');
      assert.match((await third.locator("main").textContent()) ?? "", /This stage is full/);
      assert.equal(await third.getByTestId("refused-limit").textContent(), "It takes at most 2 viewers.");
      // When the first viewer leaves (Leave: a dropped socket would keep its place for the grace
      // period, in case it comes back), the second moves up to video and the note goes.
      await first.getByTestId("leave").click();
      await first.getByTestId("left").waitFor();
      await second.getByTestId("video-off-note").waitFor({ state: "detached", timeout: 20_000 });
      await waitForRemoteVideo(second, 1);
      for (const p of [speaker, second, third]) await p.context().close();
    } finally {
      await app.stop();
    }
  });
});
