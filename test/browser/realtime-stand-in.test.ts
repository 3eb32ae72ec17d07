// The Realtime stand-in's media engine (test/realtime-stand-in/werift-engine.ts) with real
// Chromium pages, driven from Node with no Worker and no HTTP: the test carries SDP between the
// engine and the pages, as the stand-in's HTTP half and the app will. A page with the fake camera
// and mic publishes; other pages pull its tracks by (session, trackName) and must decode them.

import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import type { RemoteTrack, Sdp } from "../realtime-stand-in/engine.ts";
import { WeriftEngine } from "../realtime-stand-in/werift-engine.ts";
import { launchBrowser, report, waitUntil } from "./harness.ts";
import { assertPrivateNamespace } from "./udp-cut.ts";

let browser: Browser;
let server: Server;
let origin: string;
let engine: WeriftEngine;

before(async () => {
  // The engine binds 127.0.0.1 only: run where loopback is the whole network (netns.sh).
  assertPrivateNamespace();
  engine = new WeriftEngine();
  // getUserMedia needs a secure context: an empty page from http://127.0.0.1 is one.
  server = createServer((_req, res) => res.writeHead(200, { "content-type": "text/html" }).end("<!doctype html><title>stand-in</title>"));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launchBrowser();
});

after(async () => {
  await engine?.shutdown();
  await browser?.close();
  await new Promise((resolve) => server?.close(resolve));
});

interface Layer {
  rid: string;
  scaleResolutionDownBy: number;
}

interface InboundStats {
  mid: string;
  kind: string;
  packetsReceived: number;
  framesDecoded: number;
  frameWidth: number;
  pliCount?: number;
  nackCount?: number;
  keyFramesDecoded?: number;
  framesReceived?: number;
  ssrc?: number;
}

/** Page-side state, serialised into each page before it loads. */
interface StandInPage {
  pc: RTCPeerConnection;
  outbound(): Promise<Array<{ kind: string; rid: string | null; packetsSent: number; frameWidth: number }>>;
  inbound(): Promise<InboundStats[]>;
  videoWidths(): number[];
}

function installPage(): void {
  const g = globalThis as unknown as StandInPage;
  // Chromium's default bundle policy: with max-bundle it refuses to offer once every transceiver
  // is stopped ("max-bundle is used but no bundle group found"), which a page closing all it pulls does.
  g.pc = new RTCPeerConnection();
  // Each pulled track plays in its own element, as a tile would.
  g.pc.ontrack = (e) => {
    const el = document.createElement(e.track.kind === "video" ? "video" : "audio");
    el.autoplay = true;
    el.muted = true;
    el.dataset.mid = e.transceiver.mid ?? "";
    el.srcObject = new MediaStream([e.track]);
    document.body.append(el);
  };
  g.outbound = async () => {
    const out: Array<{ kind: string; rid: string | null; packetsSent: number; frameWidth: number }> = [];
    (await g.pc.getStats()).forEach((s) => {
      if (s.type === "outbound-rtp") out.push({ kind: s.kind, rid: s.rid ?? null, packetsSent: s.packetsSent ?? 0, frameWidth: s.frameWidth ?? 0 });
    });
    return out;
  };
  g.inbound = async () => {
    const out: InboundStats[] = [];
    for (const t of g.pc.getTransceivers()) {
      if (t.currentDirection === "stopped" || !t.mid) continue;
      (await t.receiver.getStats()).forEach((s) => {
        if (s.type === "inbound-rtp") out.push({ mid: t.mid!, kind: s.kind, packetsReceived: s.packetsReceived ?? 0, framesDecoded: s.framesDecoded ?? 0, frameWidth: s.frameWidth ?? 0, pliCount: s.pliCount, nackCount: s.nackCount, keyFramesDecoded: s.keyFramesDecoded, framesReceived: s.framesReceived, ssrc: s.ssrc });
      });
    }
    return out;
  };
  g.videoWidths = () => [...document.querySelectorAll("video")].map((v) => v.videoWidth);
}

async function newPage(): Promise<Page> {
  const context = await browser.newContext({ permissions: ["camera", "microphone"] });
  await context.addInitScript(installPage);
  const page = await context.newPage();
  await page.goto(origin);
  return page;
}

/**
 * The page publishes its fake mic and camera (with `layers`, as simulcast) on a new session:
 * the offer goes to the engine with the track names, the engine's answer comes back.
 */
async function publish(page: Page, sessionId: string, layers: Layer[] = []): Promise<void> {
  const offer = await page.evaluate(async (layers) => {
    const g = globalThis as unknown as StandInPage;
    const media = await navigator.mediaDevices.getUserMedia({ audio: true, video: { width: 1280, height: 720 } });
    const audio = g.pc.addTransceiver(media.getAudioTracks()[0]!, { direction: "sendonly" });
    const video = g.pc.addTransceiver(media.getVideoTracks()[0]!, { direction: "sendonly", ...(layers.length ? { sendEncodings: layers } : {}) });
    await g.pc.setLocalDescription();
    return { sdp: { type: "offer" as const, sdp: g.pc.localDescription!.sdp }, audio: audio.mid!, video: video.mid! };
  }, layers);
  await engine.createSession(sessionId);
  const { answer, tracks } = await engine.applyOffer(sessionId, offer.sdp, [
    { mid: offer.audio, trackName: "mic" },
    { mid: offer.video, trackName: "camera" },
  ]);
  assert.deepEqual(tracks, [
    { mid: offer.audio, trackName: "mic" },
    { mid: offer.video, trackName: "camera" },
  ]);
  await page.evaluate((answer) => (globalThis as unknown as StandInPage).pc.setRemoteDescription(answer), answer);
}

/** The page pulls `tracks` on its session (made on first use): the engine offers, the page answers. */
async function pull(page: Page, sessionId: string, tracks: RemoteTrack[]): Promise<string[]> {
  if (!engine.describe(sessionId)) await engine.createSession(sessionId);
  const { offer, tracks: results } = await engine.pull(sessionId, tracks);
  assert.ok(offer, "the engine offers the pulled tracks");
  const answer = await page.evaluate(async (offer: Sdp) => {
    const g = globalThis as unknown as StandInPage;
    await g.pc.setRemoteDescription(offer);
    await g.pc.setLocalDescription();
    return { type: "answer" as const, sdp: g.pc.localDescription!.sdp };
  }, offer);
  await engine.applyAnswer(sessionId, answer);
  return results.map((r) => {
    assert.ok("mid" in r, `pulled ${r.trackName}: ${"errorCode" in r ? r.errorCode : ""}`);
    return r.mid;
  });
}

const inbound = (page: Page) => page.evaluate(() => (globalThis as unknown as StandInPage).inbound());
const outbound = (page: Page) => page.evaluate(() => (globalThis as unknown as StandInPage).outbound());

/** Waits until the video of `mid` has decoded frames past `after` and the audio has packets past theirs. */
async function waitForMedia(page: Page, mids: { audio?: string; video?: string }, since: InboundStats[] = []): Promise<InboundStats[]> {
  const before = (mid: string, key: "packetsReceived" | "framesDecoded") => since.find((s) => s.mid === mid)?.[key] ?? 0;
  let last: InboundStats[] = [];
  await waitUntil("pulled media decoding", async () => {
    last = await inbound(page);
    const video = mids.video === undefined || last.some((s) => s.mid === mids.video && s.framesDecoded > before(mids.video!, "framesDecoded") + 10);
    const audio = mids.audio === undefined || last.some((s) => s.mid === mids.audio && s.packetsReceived > before(mids.audio!, "packetsReceived") + 20);
    return video && audio;
  }, 30_000).catch((e: Error) => assert.fail(`${e.message}; inbound: ${JSON.stringify(last)}`));
  return last;
}

/** This process's CPU time over `ms`, in ms per second. */
async function cpuOver(ms: number): Promise<number> {
  const start = process.cpuUsage();
  await new Promise((r) => setTimeout(r, ms));
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000 / (ms / 1000);
}

describe("Realtime stand-in: the werift media engine with Chromium", () => {
  it("forwards a published camera and mic to pullers who decode them; one puller closing leaves the rest", async () => {
    const a = await newPage();
    const b = await newPage();
    await publish(a, "A");

    const [bAudio, bVideo] = await pull(b, "B", [
      { sessionId: "A", trackName: "mic" },
      { sessionId: "A", trackName: "camera" },
    ]);
    await waitForMedia(b, { audio: bAudio!, video: bVideo! });
    await waitUntil("B's video element shows the picture", async () => (await b.evaluate(() => (globalThis as unknown as StandInPage).videoWidths())).some((w) => w > 0));
    assert.deepEqual(
      engine.describe("A")?.tracks.map((t) => [t.location, t.trackName, t.status]),
      [
        ["local", "mic", "active"],
        ["local", "camera", "active"],
      ],
    );
    assert.equal(engine.describe("B")?.connectionState, "connected");

    // B closes both pulled tracks the way the API's client does: stop, offer, tracks/close.
    const closeOffer = await b.evaluate(async (mids) => {
      const g = globalThis as unknown as StandInPage;
      for (const t of g.pc.getTransceivers()) if (t.mid && mids.includes(t.mid)) t.stop();
      await g.pc.setLocalDescription();
      return { type: "offer" as const, sdp: g.pc.localDescription!.sdp };
    }, [bAudio!, bVideo!]);
    const closed = await engine.close("B", [bAudio!, bVideo!], closeOffer);
    assert.deepEqual(closed.tracks, [
      { mid: bAudio, trackName: "mic", sessionId: "A" },
      { mid: bVideo, trackName: "camera", sessionId: "A" },
    ]);
    assert.ok(closed.answer);
    await b.evaluate((answer) => (globalThis as unknown as StandInPage).pc.setRemoteDescription(answer), closed.answer);
    assert.deepEqual(
      engine.describe("B")?.tracks.map((t) => t.status),
      ["inactive", "inactive"],
    );

    const receiving = await cpuOver(5000);
    // A still sends, and a third page pulling later decodes it too.
    const sentBefore = await outbound(a);
    const c = await newPage();
    const [cAudio, cVideo] = await pull(c, "C", [
      { sessionId: "A", trackName: "mic" },
      { sessionId: "A", trackName: "camera" },
    ]);
    await waitForMedia(c, { audio: cAudio!, video: cVideo! });
    // The engine's cost, for the report (this test process runs it): receiving A alone, then also
    // forwarding A's camera and mic to C.
    const forwarding = await cpuOver(5000);
    report("stand-in CPU receiving one camera + mic", receiving, "ms per s");
    report("stand-in CPU receiving it and forwarding it to one puller", forwarding, "ms per s");
    const sentAfter = await outbound(a);
    for (const kind of ["audio", "video"]) {
      const was = sentBefore.find((s) => s.kind === kind)!.packetsSent;
      assert.ok(sentAfter.find((s) => s.kind === kind)!.packetsSent > was, `A keeps sending ${kind}`);
    }
    assert.deepEqual(
      engine.describe("A")?.tracks.map((t) => t.status),
      ["active", "active"],
    );
    // Nothing reaches B on its stopped transceivers: its inbound list is empty.
    assert.deepEqual(await inbound(b), []);
    for (const p of [a, b, c]) await p.context().close();
  });

  it("with simulcast, each puller receives the layer its preferredRid names", async () => {
    const publisher = await newPage();
    // Chromium's own order: lowest resolution first. 1280×720 capture: f 1280, h 640, q 320 wide.
    await publish(publisher, "S", [
      { rid: "q", scaleResolutionDownBy: 4 },
      { rid: "h", scaleResolutionDownBy: 2 },
      { rid: "f", scaleResolutionDownBy: 1 },
    ]);
    const half = await newPage();
    const quarter = await newPage();
    const [halfMid] = await pull(half, "S-half", [{ sessionId: "S", trackName: "camera", simulcast: { preferredRid: "h" } }]);
    const [quarterMid] = await pull(quarter, "S-quarter", [{ sessionId: "S", trackName: "camera", simulcast: { preferredRid: "q" } }]);
    await waitForMedia(half, { video: halfMid! });
    await waitForMedia(quarter, { video: quarterMid! });
    // Each puller decodes the width the publisher encodes for its rid (polled: Chromium may scale
    // all layers down together when the machine is busy, and the three stats come at different moments).
    const width = (stats: InboundStats[], mid: string) => stats.find((s) => s.mid === mid)?.frameWidth ?? 0;
    let seen = "";
    await waitUntil("each puller decoding its layer's width", async () => {
      const sent = await outbound(publisher);
      const sentWidth = (rid: string) => sent.find((s) => s.rid === rid)?.frameWidth ?? -1;
      const [h, q] = [width(await inbound(half), halfMid!), width(await inbound(quarter), quarterMid!)];
      seen = `h: ${h} decoded, ${sentWidth("h")} sent; q: ${q} decoded, ${sentWidth("q")} sent`;
      return h === sentWidth("h") && q === sentWidth("q") && h > q;
    }).catch((e: Error) => assert.fail(`${e.message} (${seen})`));
    for (const p of [publisher, half, quarter]) await p.context().close();
  });

  it("two pages each publish with simulcast and pull the other's middle layer on one connection, as in a meeting", async () => {
    const layers = [
      { rid: "q", scaleResolutionDownBy: 4 },
      { rid: "h", scaleResolutionDownBy: 2 },
      { rid: "f", scaleResolutionDownBy: 1 },
    ];
    const [m1, m2] = [await newPage(), await newPage()];
    await publish(m1, "M1", layers);
    await publish(m2, "M2", layers);
    // The engine's offers for these pulls must keep each page's own simulcast (withSimulcastReceive).
    const [m1Audio, m1Video] = await pull(m1, "M1", [
      { sessionId: "M2", trackName: "mic" },
      { sessionId: "M2", trackName: "camera", simulcast: { preferredRid: "h" } },
    ]);
    const [m2Audio, m2Video] = await pull(m2, "M2", [
      { sessionId: "M1", trackName: "mic" },
      { sessionId: "M1", trackName: "camera", simulcast: { preferredRid: "h" } },
    ]);
    await waitForMedia(m1, { audio: m1Audio!, video: m1Video! });
    await waitForMedia(m2, { audio: m2Audio!, video: m2Video! });
    for (const id of ["M1", "M2"]) {
      assert.deepEqual(
        engine.describe(id)?.tracks.map((t) => [t.location, t.trackName, t.status]),
        [
          ["local", "mic", "active"],
          ["local", "camera", "active"],
          ["remote", "mic", "active"],
          ["remote", "camera", "active"],
        ],
      );
    }
    // M1 stops publishing its camera (its own offer, as tracks/close takes it): M2's copy stops.
    const cameraMid = engine.describe("M1")!.tracks.find((t) => t.location === "local" && t.trackName === "camera")!.mid;
    const offer = await m1.evaluate(async (mid) => {
      const g = globalThis as unknown as StandInPage;
      g.pc.getTransceivers().find((t) => t.mid === mid)!.stop();
      await g.pc.setLocalDescription();
      return { type: "offer" as const, sdp: g.pc.localDescription!.sdp };
    }, cameraMid);
    const { answer } = await engine.close("M1", [cameraMid], offer);
    await m1.evaluate((answer) => (globalThis as unknown as StandInPage).pc.setRemoteDescription(answer!), answer);
    assert.deepEqual(
      engine.describe("M2")?.tracks.map((t) => t.status),
      ["active", "active", "active", "inactive"],
    );
    // The rest still flows both ways: M1 still hears M2 and sees M2's camera.
    await waitForMedia(m1, { audio: m1Audio!, video: m1Video! }, await inbound(m1));
    await waitForMedia(m2, { audio: m2Audio! }, await inbound(m2));
    for (const p of [m1, m2]) await p.context().close();
  });

  // Issue #16: werift on its own answers the restarted checks but never starts its restarted agent
  // while DTLS is up, and then sends nothing; the engine starts it (resumeRestartedIce).
  it("takes an ICE restart on a session (the client's offer with new ICE credentials, as renegotiate carries it): media flows again both ways", async () => {
    const a = await newPage();
    const b = await newPage();
    await publish(a, "RA");
    const [audio, video] = await pull(b, "RB", [
      { sessionId: "RA", trackName: "mic" },
      { sessionId: "RA", trackName: "camera" },
    ]);
    let seen = await waitForMedia(b, { audio: audio!, video: video! });
    // The puller restarts, then the publisher: each time B must decode A again, on the same sessions.
    for (const [page, session] of [
      [b, "RB"],
      [a, "RA"],
    ] as const) {
      const restart = await page.evaluate(async () => {
        const g = globalThis as unknown as StandInPage;
        const ufrag = (d: RTCSessionDescription | null) => /a=ice-ufrag:(\S+)/.exec(d?.sdp ?? "")?.[1];
        const before = ufrag(g.pc.localDescription);
        await g.pc.setLocalDescription(await g.pc.createOffer({ iceRestart: true }));
        return { offer: { type: "offer" as const, sdp: g.pc.localDescription!.sdp }, changed: ufrag(g.pc.localDescription) !== before };
      });
      assert.ok(restart.changed, "the offer has new ICE credentials");
      const { answer } = await engine.applyOffer(session, restart.offer, []);
      await page.evaluate((answer) => (globalThis as unknown as StandInPage).pc.setRemoteDescription(answer), answer);
      seen = await waitForMedia(b, { audio: audio!, video: video! }, seen);
      assert.equal(engine.describe(session)?.connectionState, "connected");
    }
    for (const p of [a, b]) await p.context().close();
  });

  it("answers unknown tracks with per-item errors and still offers the known ones", async () => {
    const page = await newPage();
    await publish(page, "P");
    await engine.createSession("Q");
    const { offer, tracks } = await engine.pull("Q", [
      { sessionId: "P", trackName: "camera" },
      { sessionId: "nobody", trackName: "camera" },
      { sessionId: "P", trackName: "nothing" },
    ]);
    assert.ok(offer);
    assert.equal(tracks.length, 3);
    assert.ok("mid" in tracks[0]!);
    assert.deepEqual(
      tracks.slice(1).map((t) => ("errorCode" in t ? [t.trackName, t.sessionId, t.errorCode] : null)),
      [
        ["camera", "nobody", "not_found"],
        ["nothing", "P", "not_found"],
      ],
    );
    await assert.rejects(engine.pull("nobody", []), { name: "UnknownSessionError" });

    // 64 tracks per session: Q holds one, so 63 of 64 more are offered and the last is refused.
    const many = await engine.pull("Q", Array.from({ length: 64 }, () => ({ sessionId: "P", trackName: "camera" })));
    assert.equal(many.tracks.filter((t) => "mid" in t).length, 63);
    assert.deepEqual(many.tracks.at(-1), { trackName: "camera", sessionId: "P", errorCode: "too_many_tracks", errorDescription: "at most 64 tracks per session" });
    // Closing frees room; an unknown mid is refused per item.
    const closed = await engine.close("Q", ["0", "99"], null);
    assert.deepEqual(closed.tracks.map((t) => ("errorCode" in t ? t.errorCode : t.mid)), ["0", "invalid_mid"]);
    assert.deepEqual((await engine.pull("Q", [{ sessionId: "P", trackName: "mic" }])).tracks.map((t) => "mid" in t), [true]);

    // The publisher goes away without a word: once its checks stop (30 s, RFC 7675's consent
    // expiry), its session is dropped, and so are its tracks for anyone pulling them.
    await waitUntil("P connected", () => engine.describe("P")?.connectionState === "connected");
    await page.context().close();
    await waitUntil("P's session dropped", () => engine.describe("P") === null, 90_000);
    assert.ok(engine.describe("Q")?.tracks.every((t) => t.status === "inactive"));
    assert.deepEqual((await engine.pull("Q", [{ sessionId: "P", trackName: "mic" }])).tracks.map((t) => ("errorCode" in t ? t.errorCode : t.mid)), ["not_found"]);
  });
});
