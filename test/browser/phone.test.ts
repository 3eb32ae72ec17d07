// A call on a phone, in real Chromium (issue #15). Two fake cameras (a phone's front and back):
// switching the camera from a phone-sized page's "More options" menu changes the track the other
// side receives, frames keep coming, and no offer is made on either side (replaceTrack, no
// renegotiation). Then what brings a call back: an `online` event restarts ICE on a link whose
// network was cut, and only there; a new kind of network (navigator.connection's type changing)
// restarts every link, which comes back up.
//
// Offers are counted in the page: an init script wraps RTCPeerConnection's setLocalDescription and
// restartIce before the app loads. The cut drops every UDP packet (udp-cut.ts), inside the suite's
// private network namespace.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { createRoom, joinRoom, launchBrowser, mediaStats, newPeerContext, startApp, waitForConnected, waitForRemoteVideo, waitUntil, type App } from "./harness.ts";
import { assertPrivateNamespace, cutUdp, restoreUdp } from "./udp-cut.ts";

let app: App;
let browser: Browser;

before(async () => {
  assertPrivateNamespace();
  restoreUdp();
  app = await startApp();
  browser = await launchBrowser({ cameras: 2 });
});

after(async () => {
  restoreUdp();
  await browser?.close();
  await app?.stop();
});

type Counted = { offers: number; restarts: number; fakeConnection: EventTarget & { type: string } };

/** Serialised into the page before the app: counts offers and ICE restarts, and stands in a navigator.connection whose type the test sets. */
function countNegotiation(): void {
  const g = globalThis as unknown as Counted;
  g.offers = 0;
  g.restarts = 0;
  const proto = RTCPeerConnection.prototype;
  const setLocal = proto.setLocalDescription;
  proto.setLocalDescription = function (this: RTCPeerConnection, ...args: unknown[]) {
    const done = (setLocal as (...a: unknown[]) => Promise<void>).apply(this, args);
    void done.then(() => {
      if (this.localDescription?.type === "offer") g.offers++;
    }, () => {});
    return done;
  } as typeof proto.setLocalDescription;
  const restartIce = proto.restartIce;
  proto.restartIce = function (this: RTCPeerConnection) {
    g.restarts++;
    return restartIce.call(this);
  };
  // Desktop Chromium has navigator.connection but no `type`; a phone's says wifi or cellular.
  const connection = Object.assign(new EventTarget(), { type: "wifi" });
  Object.defineProperty(Navigator.prototype, "connection", { configurable: true, get: () => connection });
  g.fakeConnection = connection;
}

const counts = (p: Page) => p.evaluate(() => ({ offers: (globalThis as unknown as Counted).offers, restarts: (globalThis as unknown as Counted).restarts }));

/** The track our camera sender sends, by its label (the fake devices are named apart). */
const sentCamera = (p: Page) =>
  p.evaluate(() => {
    const pcs = (globalThis as unknown as { roomlink: { session: { peerConnections: RTCPeerConnection[] } } }).roomlink.session.peerConnections;
    return pcs.flatMap((pc) => pc.getSenders().filter((s) => s.track?.kind === "video" && s.track.readyState === "live").map((s) => s.track!.label));
  });

/** Frames decoded so far from each peer, then waits for every count to rise past it. */
async function framesKeepComing(p: Page): Promise<void> {
  const before = (await mediaStats(p)).map((s) => s.video);
  await waitUntil("remote frames to keep coming", async () => {
    const now = await mediaStats(p);
    return now.length === before.length && now.every((s, i) => s.video > before[i]!);
  });
}

async function call(phoneSized: boolean): Promise<[Page, Page]> {
  const room = await createRoom(app);
  const open = async (name: string, viewport?: { width: number; height: number }) => {
    const context = await newPeerContext(browser, app, viewport ? { viewport } : {});
    await context.addInitScript(countNegotiation);
    const page = await context.newPage();
    await joinRoom(page, app, room, name);
    return page;
  };
  const a = await open("Aibek", phoneSized ? { width: 390, height: 844 } : undefined);
  const b = await open("Bermet");
  await waitForRemoteVideo(a, 1);
  await waitForRemoteVideo(b, 1);
  return [a, b];
}

describe("phone", () => {
  it("offers two colour cameras, as a phone does: what the flip below switches between", async () => {
    // Chromium's fake depth camera, if it were left in the list, gives frames no sender can send
    // (harness.ts, launchBrowser): a flip to it would freeze the far side on any app.
    const context = await newPeerContext(browser, app);
    const page = await context.newPage();
    await page.goto(app.url);
    const formats = await page.evaluate(async () => {
      type Processor = new (init: { track: MediaStreamTrack }) => { readable: ReadableStream<VideoFrame> };
      const Processor = (globalThis as unknown as { MediaStreamTrackProcessor: Processor }).MediaStreamTrackProcessor;
      const out: Array<string | null> = [];
      for (const input of (await navigator.mediaDevices.enumerateDevices()).filter((d) => d.kind === "videoinput")) {
        const track = (await navigator.mediaDevices.getUserMedia({ video: { deviceId: { exact: input.deviceId } } })).getVideoTracks()[0]!;
        const { value: frame } = await new Processor({ track }).readable.getReader().read();
        out.push(frame?.format ?? null);
        frame?.close();
        track.stop();
      }
      return out;
    });
    assert.equal(formats.length, 2);
    assert.ok(formats.every((f) => f !== null), `every camera gives colour frames: ${JSON.stringify(formats)}`);
    await context.close();
  });

  it("switches the camera from a phone's More menu without an offer, and the other side keeps getting frames", async () => {
    const [a, b] = await call(true);
    // Settled: every offer of the call's set-up has been made.
    await waitForConnected(a, 1);
    const before = [await counts(a), await counts(b)];
    const first = await sentCamera(a);
    assert.equal(first.length, 1);
    const receivedBefore = await b.evaluate(() => {
      const pc = (globalThis as unknown as { roomlink: { session: { peerConnections: RTCPeerConnection[] } } }).roomlink.session.peerConnections[0]!;
      return pc.getReceivers().filter((r) => r.track.kind === "video").map((r) => r.track.id);
    });

    await a.getByTestId("more").click();
    await a.getByTestId("flip-camera").click();
    await waitUntil("the other camera to be sent", async () => {
      const now = await sentCamera(a);
      return now.length === 1 && now[0] !== first[0];
    });
    // No renegotiation on either side: the same receiver track, no new offer.
    const receivedAfter = await b.evaluate(() => {
      const pc = (globalThis as unknown as { roomlink: { session: { peerConnections: RTCPeerConnection[] } } }).roomlink.session.peerConnections[0]!;
      return pc.getReceivers().filter((r) => r.track.kind === "video").map((r) => r.track.id);
    });
    assert.deepEqual(receivedAfter, receivedBefore);
    assert.deepEqual([await counts(a), await counts(b)], before);
    try {
      await framesKeepComing(b);
    } catch (e) {
      // What the sending side says, to tell a camera that gives no frames from an encoder that sends none.
      console.log(JSON.stringify(await a.evaluate(async () => {
        const rl = (globalThis as unknown as { roomlink: { session: { peerConnections: RTCPeerConnection[] } } }).roomlink;
        const pc = rl.session.peerConnections[0]!;
        const out: unknown[] = [];
        (await pc.getStats()).forEach((s) => {
          if ((s.type === "outbound-rtp" || s.type === "media-source") && s.kind === "video") out.push(s);
        });
        const t = pc.getSenders().find((x) => x.track?.kind === "video")?.track;
        return { out, settings: t?.getSettings(), muted: t?.muted, params: pc.getSenders().map((x) => x.getParameters().encodings) };
      })));
      throw e;
    }
    // The old camera was released (stopped before the new one was asked for): one live camera track on the page.
    const live = await a.evaluate(() => (globalThis as unknown as { roomlink: { media: { cameraStream: MediaStream } } }).roomlink.media.cameraStream.getVideoTracks().filter((t) => t.readyState === "live").length);
    assert.equal(live, 1);
    // And back to the first.
    await a.getByTestId("more").click();
    await a.getByTestId("flip-camera").click();
    await waitUntil("the first camera to be sent again", async () => (await sentCamera(a))[0] === first[0]);
    await framesKeepComing(b);
    assert.deepEqual([await counts(a), await counts(b)], before);
    await a.context().close();
    await b.context().close();
  });

  it("`online` restarts ICE on a cut link and not on a connected one; a new kind of network restarts every link", async () => {
    const [a, b] = await call(false);
    await waitForConnected(a, 1);
    // Connected: `online` (no navigator.connection change) leaves the link alone.
    const idle = await a.evaluate(() => {
      const g = globalThis as unknown as Counted;
      const before = g.restarts;
      dispatchEvent(new Event("online"));
      return g.restarts - before;
    });
    assert.equal(idle, 0);

    cutUdp();
    await waitUntil("the cut link to be noticed", () =>
      a.evaluate(() => (globalThis as unknown as { roomlink: { session: { state: { participants: Array<{ connection: string }> } } } }).roomlink.session.state.participants.some((p) => p.connection !== "connected")),
    30_000);
    // Counted within the event's own dispatch: the restart is the `online` event's doing, not the
    // restart policy's timers.
    const onCut = await a.evaluate(() => {
      const g = globalThis as unknown as Counted;
      const before = g.restarts;
      dispatchEvent(new Event("online"));
      return g.restarts - before;
    });
    assert.equal(onCut, 1);
    restoreUdp();
    await waitForConnected(a, 1, 40_000);
    await waitForConnected(b, 1, 40_000);

    // Wi-Fi to cellular: every link restarts, connected or not, and comes back.
    const moved = await a.evaluate(() => {
      const g = globalThis as unknown as Counted;
      const before = g.restarts;
      g.fakeConnection.type = "cellular";
      g.fakeConnection.dispatchEvent(new Event("change"));
      return g.restarts - before;
    });
    assert.equal(moved, 1);
    await waitForConnected(a, 1, 40_000);
    await waitForRemoteVideo(b, 1);
    await a.context().close();
    await b.context().close();
  });
});
