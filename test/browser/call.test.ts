// The product as people use it: real Chromium with fake camera and mic, the env.app served by the
// local runtime, rooms joined through the UI.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Page } from "playwright-core";
import { startCoturn } from "./coturn.ts";
import {
  createRoom,
  joinRoom,
  appAndBrowser,
  startApp,
  mediaStats,
  newPeerContext,
  report,
  waitForRemoteVideo,
  waitUntil,
  type App,
} from "./harness.ts";

const env = appAndBrowser();

async function peer(name: string, roomId: string, opts: { mic?: boolean; cam?: boolean } = {}): Promise<Page> {
  const ctx = await newPeerContext(env.browser, env.app);
  const page = await ctx.newPage();
  await joinRoom(page, env.app, roomId, name, opts);
  return page;
}

const selfId = (page: Page) => page.evaluate(() => (globalThis as unknown as { roomlink: { session: { state: { selfId: string } } } }).roomlink.session.state.selfId);

async function sendChat(page: Page, text: string) {
  await page.getByTestId("chat-input").fill(text);
  await page.getByTestId("chat-input").press("Enter");
}

const chatTexts = (page: Page) => page.getByTestId("chat-message").locator(".text").allTextContents();

/** Total audio energy received per peer connection: it rises while the sender's mic is live. */
const audioEnergy = (page: Page) =>
  page.evaluate(async () => {
    const rl = (globalThis as unknown as { roomlink: { session: { peerConnections: RTCPeerConnection[] } } }).roomlink;
    let total = 0;
    for (const pc of rl.session.peerConnections) (await pc.getStats()).forEach((s) => { if (s.type === "inbound-rtp" && s.kind === "audio") total += s.totalAudioEnergy ?? 0; });
    return total;
  });

/** Session descriptions this page sends over the room socket, by type ("offer", "answer"). */
function descriptionsSent(page: Page): Record<string, number> {
  const sent: Record<string, number> = {};
  page.on("websocket", (ws) =>
    ws.on("framesent", ({ payload }) => {
      const msg = typeof payload === "string" && payload.startsWith("{") ? JSON.parse(payload) : null;
      if (msg?.type === "signal" && msg.data.kind === "description") sent[msg.data.description.type] = (sent[msg.data.description.type] ?? 0) + 1;
    }),
  );
  return sent;
}

describe("a call in the browser", () => {
  it("two peers see and hear each other and chat both ways", async () => {
    const room = await createRoom(env.app);
    const a = await (await newPeerContext(env.browser, env.app)).newPage();
    const fromA = descriptionsSent(a);
    await joinRoom(a, env.app, room, "Aigul");
    const ctx = await newPeerContext(env.browser, env.app);
    const b = await ctx.newPage();
    const fromB = descriptionsSent(b);
    const t0 = Date.now();
    await joinRoom(b, env.app, room, "Bakyt");
    await waitUntil("first remote frame at the joiner", async () => (await mediaStats(b))[0]?.video! > 0);
    report("2 peers: open link → first remote frame (joiner)", Date.now() - t0, "ms");
    // One offer/answer carries media both ways: the joiner offers, the one already there answers
    // with its own camera and mic and never needs an offer of its own.
    await waitForRemoteVideo(a, 1);
    assert.deepEqual({ fromA, fromB }, { fromA: { answer: 1 }, fromB: { offer: 1 } });

    await waitForRemoteVideo(a, 1);
    await waitForRemoteVideo(b, 1);
    for (const page of [a, b]) {
      const [s] = await mediaStats(page);
      assert.equal(s!.state, "connected");
      assert.equal(s!.audioLive, true, "remote audio track is live");
    }
    // The tile shows the other person's name and plays their video.
    assert.equal(await a.getByTestId(`tile-camera-${await selfId(b)}`).locator(".name").textContent(), "Bakyt");

    await sendChat(a, "Салам, Бакыт!");
    await sendChat(b, "Привет!");
    for (const page of [a, b]) {
      await waitUntil("both messages on both sides", async () => (await chatTexts(page)).length === 2);
      assert.deepEqual((await chatTexts(page)).sort(), ["Привет!", "Салам, Бакыт!"].sort());
    }

    // With the chat closed, a new message shows as unread, on the button and in the tab title.
    assert.match(await b.title(), /^roomlink: 2 people$/);
    await b.getByTestId("chat-toggle").click();
    await sendChat(a, "are you there?");
    await b.getByTestId("unread").waitFor();
    assert.equal(await b.getByTestId("unread").textContent(), "1");
    await waitUntil("unread count in the title", async () => (await b.title()) === "(1) roomlink: 2 people");
    await b.getByTestId("chat-toggle").click();
    await b.getByTestId("unread").waitFor({ state: "detached" });
    await waitUntil("read again in the title", async () => (await b.title()) === "roomlink: 2 people");
    // Muted shows in the title too, so the tab says it even when the window is elsewhere.
    await b.getByTestId("mic").click();
    await waitUntil("muted in the title", async () => (await b.title()) === "🔇 roomlink: 2 people");

    // The invite button copies the room's link.
    await b.getByTestId("invite").click();
    assert.equal(await b.evaluate(() => navigator.clipboard.readText()), `${env.app.url}/r/${room}`);
    await a.context().close();
    await ctx.close();
  });

  it("a page still on the previous version (one-way camera transceivers) gets media both ways", async () => {
    // During a deploy, open pages keep the old code. The previous version offered its camera and
    // mic on send-only transceivers; the current one must not answer by sending on those.
    const room = await createRoom(env.app);
    const current = await peer("Current", room);
    const ctx = await newPeerContext(env.browser, env.app);
    await ctx.addInitScript(() => {
      const add = RTCPeerConnection.prototype.addTransceiver;
      RTCPeerConnection.prototype.addTransceiver = function (this: RTCPeerConnection, track, init) {
        return add.call(this, track, init?.direction === "sendrecv" ? { ...init, direction: "sendonly" } : init);
      };
    });
    const previous = await ctx.newPage();
    const fromPrevious = descriptionsSent(previous);
    await joinRoom(previous, env.app, room, "Previous");
    await waitForRemoteVideo(current, 1);
    await waitForRemoteVideo(previous, 1);
    // The joiner offered; the current page answered and then offered its own media.
    assert.deepEqual(fromPrevious, { offer: 1, answer: 1 });
    await ctx.close();
    await current.context().close();
  });

  it("a late joiner gets the chat history and both videos", async () => {
    const room = await createRoom(env.app);
    const a = await peer("A", room);
    const b = await peer("B", room);
    await sendChat(a, "first");
    await sendChat(b, "second");
    await waitUntil("chat on A", async () => (await chatTexts(a)).length === 2);
    const c = await peer("C", room);
    await waitUntil("history at the late joiner", async () => (await chatTexts(c)).length === 2);
    assert.deepEqual(await chatTexts(c), ["first", "second"]);
    await waitForRemoteVideo(c, 2);
    await waitForRemoteVideo(a, 2);
    for (const p of [a, b, c]) await p.context().close();
  });

  it("shows mic and camera toggles on the other side, in the indicator and in the media", async () => {
    const room = await createRoom(env.app);
    const a = await peer("A", room);
    const b = await peer("B", room);
    await waitForRemoteVideo(b, 1);
    const aTile = b.getByTestId(`tile-camera-${await selfId(a)}`);

    // Mic off: the indicator appears and the audio B receives goes silent.
    await waitUntil("audio energy rising", async () => (await audioEnergy(b)) > 0);
    await a.getByTestId("mic").click();
    await aTile.getByTestId("mic-off").waitFor();
    // Audio already in the receiver's jitter buffer still plays out; wait for it to drain (a live
    // mic never goes quiet, so this would time out), then require a full second of silence.
    await waitUntil("in-flight audio to drain", async () => {
      const before = await audioEnergy(b);
      await new Promise((r) => setTimeout(r, 300));
      return (await audioEnergy(b)) - before < 1e-5;
    }, 5000);
    const e1 = await audioEnergy(b);
    await new Promise((r) => setTimeout(r, 1000));
    const e2 = await audioEnergy(b);
    assert.ok(e2 - e1 < 1e-4, `audio energy while muted rose by ${e2 - e1}`);
    // Muted, the mic stays open (unmuting is instant) but A puts no audio on the wire: no encoder
    // and no packets of silence to each peer. Unmuted, the same track goes back on.
    const wire = () =>
      a.evaluate(async () => {
        const rl = (globalThis as unknown as { roomlink: { session: { peerConnections: RTCPeerConnection[] } } }).roomlink;
        const pc = rl.session.peerConnections[0]!;
        let packets = 0;
        (await pc.getStats()).forEach((s) => {
          if (s.type === "outbound-rtp" && s.kind === "audio") packets += s.packetsSent ?? 0;
        });
        const sender = pc.getSenders().find((x) => x.track?.kind === "audio" || x.track === null);
        const mic = (globalThis as unknown as { roomlink: { media: { tracks: { audio: MediaStreamTrack | null } } } }).roomlink.media.tracks.audio;
        return { packets, sending: pc.getSenders().some((x) => x.track !== null && x.track === mic), micOpen: mic?.readyState === "live", sender: sender !== undefined };
      });
    const m1 = await wire();
    await new Promise((r) => setTimeout(r, 1000));
    const m2 = await wire();
    assert.equal(m2.packets, m1.packets, "audio packets sent while muted");
    assert.deepEqual({ sending: m2.sending, micOpen: m2.micOpen }, { sending: false, micOpen: true });
    await a.getByTestId("mic").click();
    await aTile.getByTestId("mic-off").waitFor({ state: "detached" });
    await waitUntil("audio energy rising again", async () => (await audioEnergy(b)) - e2 > 1e-3);
    const m3 = await wire();
    assert.ok(m3.sending && m3.packets > m2.packets, `unmuted: ${JSON.stringify(m3)}`);

    // Camera off: the indicator and avatar appear, and frames stop; on again, they resume.
    await a.getByTestId("cam").click();
    await aTile.getByTestId("cam-off").waitFor();
    await aTile.locator(".avatar").waitFor();
    const f1 = (await mediaStats(b))[0]!.video;
    await new Promise((r) => setTimeout(r, 1000));
    const f2 = (await mediaStats(b))[0]!.video;
    assert.ok(f2 - f1 <= 1, `frames kept coming with the camera off (${f2 - f1})`);
    await a.getByTestId("cam").click();
    await aTile.getByTestId("cam-off").waitFor({ state: "detached" });
    await waitUntil("frames resume", async () => (await mediaStats(b))[0]!.video > f2 + 5);

    // Keyboard: Ctrl+D toggles the mic, as in Google Meet.
    await a.keyboard.press("Control+d");
    await aTile.getByTestId("mic-off").waitFor();
    await a.keyboard.press("Control+d");
    await aTile.getByTestId("mic-off").waitFor({ state: "detached" });

    // Mic and camera off: nothing at all comes from A, which B must not take for a dead link
    // (a stall grades it 0). Three stats polls (2 s apart) of silence.
    await a.getByTestId("mic").click();
    await a.getByTestId("cam").click();
    await aTile.getByTestId("mic-off").waitFor();
    await aTile.getByTestId("cam-off").waitFor();
    const aId = await selfId(a);
    const grades: Array<number | null> = [];
    for (let i = 0; i < 8; i++) {
      await new Promise((r) => setTimeout(r, 1000));
      grades.push(
        await b.evaluate((id) => {
          type State = { presence: { quality: Record<string, { grade: number }> } };
          return (globalThis as unknown as { roomlink: { session: { state: State } } }).roomlink.session.state.presence.quality[id]?.grade ?? null;
        }, aId),
      );
    }
    assert.ok(grades.some((g) => g !== null) && !grades.includes(0), `B's grades of A's silent link, a second apart: ${grades.join(", ")}`);
    for (const p of [a, b]) await p.context().close();
  });

  it("shares a screen as a separate tile and stops cleanly", async () => {
    const room = await createRoom(env.app);
    const a = await peer("A", room);
    const b = await peer("B", room);
    await waitForRemoteVideo(b, 1);
    const aId = await selfId(a);
    await a.getByTestId("screen").click();
    const screenTile = b.getByTestId(`tile-screen-${aId}`);
    await screenTile.waitFor();
    await waitUntil("screen video playing at B", () =>
      screenTile.locator("video").evaluate((v: HTMLVideoElement) => v.videoWidth > 0 && !v.paused));
    // The camera tile is still there and still moving.
    const before = (await mediaStats(b))[0]!.video;
    await waitUntil("camera and screen frames", async () => (await mediaStats(b))[0]!.video > before + 10);
    await a.getByTestId("screen").click();
    await screenTile.waitFor({ state: "detached" });
    assert.equal(await a.getByTestId("tile-screen-self").count(), 0);
    const live = await a.evaluate(() => (globalThis as unknown as { roomlink: { media: { tracks: { screenStream: MediaStream | null } } } }).roomlink.media.tracks.screenStream);
    assert.equal(live, null);
    for (const p of [a, b]) await p.context().close();
  });

  it("on leave, the others drop the tile, say so in chat, and no connection is left open", async () => {
    const room = await createRoom(env.app);
    const a = await peer("A", room);
    const b = await peer("Leaver", room);
    await waitForRemoteVideo(a, 1);
    const bId = await selfId(b);
    await b.evaluate(() => {
      const g = globalThis as unknown as {
        roomlink: { session: { peerConnections: RTCPeerConnection[] }; media: { tracks: { audio: MediaStreamTrack | null; video: MediaStreamTrack | null } } };
        held: RTCPeerConnection[];
        heldTracks: MediaStreamTrack[];
      };
      g.held = g.roomlink.session.peerConnections;
      g.heldTracks = [g.roomlink.media.tracks.audio!, g.roomlink.media.tracks.video!];
    });
    await b.getByTestId("leave").click();
    await a.getByTestId(`tile-camera-${bId}`).waitFor({ state: "detached" });
    await waitUntil("system message", async () => (await a.getByTestId("chat-system").allTextContents()).includes("Leaver left"));
    await waitUntil("A has no peer connection", async () => (await mediaStats(a)).length === 0);
    const states = await b.evaluate(() => (globalThis as unknown as { held: RTCPeerConnection[] }).held.map((pc) => pc.connectionState));
    assert.deepEqual(states, ["closed"]);
    // The leaver sees that they left, and their camera and mic are released (no light stays on).
    await b.getByTestId("left").waitFor();
    await b.screenshot({ path: "test-results/left-en.png" });
    const tracks = await b.evaluate(() => (globalThis as unknown as { heldTracks: MediaStreamTrack[] }).heldTracks.map((t) => `${t.kind}:${t.readyState}`));
    assert.deepEqual(tracks, ["audio:ended", "video:ended"]);
    // Rejoin is a new visit: the pre-join screen with the camera back on.
    await b.getByTestId("rejoin").click();
    await b.getByTestId("preview").waitFor();
    for (const p of [a, b]) await p.context().close();
  });

  it("explains a blocked camera and mic in plain words and still lets the person join", async () => {
    // Chromium gives a page without camera/mic permission no host candidates (privacy), so such a
    // participant receives media only through a relay: this room has one, as production should.
    const coturn = await startCoturn("call-test-secret");
    const relayed = await startApp({ TURN_PROVIDER: "coturn", TURN_SECRET: coturn.secret, TURN_URLS: `turn:127.0.0.1:${coturn.port}?transport=udp` });
    try {
      await blockedDevices(relayed);
    } finally {
      await relayed.stop();
      await coturn.stop();
    }
  });
});

async function blockedDevices(relayed: App) {
  {
    const room = await createRoom(relayed);
    const a = await (await newPeerContext(env.browser, relayed)).newPage();
    await joinRoom(a, relayed, room, "A");
    const ctx = await newPeerContext(env.browser, relayed, { media: false });
    const b = await ctx.newPage();
    await b.goto(`${relayed.url}/r/${room}`);
    const error = b.getByTestId("media-error");
    await error.waitFor();
    const text = await error.textContent();
    assert.match(text!, /Camera: access was blocked\. Allow it in the browser's address bar/);
    assert.match(text!, /Microphone: access was blocked/);
    await b.getByTestId("name").fill("No devices");
    await b.getByTestId("join").click();
    await b.waitForSelector('[data-testid="room"][data-status="joined"]');
    const bTile = a.getByTestId(`tile-camera-${await selfId(b)}`);
    await bTile.getByTestId("cam-off").waitFor();
    await bTile.getByTestId("mic-off").waitFor();
    // A's video still reaches the person without devices.
    await waitForRemoteVideo(b, 1);
    await sendChat(b, "I can only type");
    await waitUntil("chat from the device-less peer", async () => (await chatTexts(a)).includes("I can only type"));
    await a.context().close();
    await ctx.close();
  }
}
