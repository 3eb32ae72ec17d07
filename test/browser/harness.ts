// Shared set-up for the browser tests: the real app served by wrangler's local runtime
// (workerd through miniflare, as `npm start` runs it) and Debian's headless Chromium, driven by
// playwright-core, with a fake camera and microphone.

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before } from "node:test";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { unstable_startWorker } from "wrangler";
import { installTestHook } from "./test-hook.ts";

process.env.CLOUDFLARE_CF_FETCH_ENABLED = "false";
process.env.WRANGLER_SEND_METRICS = "false";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

// From ../shared/TESTING.md: --allow-loopback-in-peer-connection is what lets ICE work when
// loopback is the only network; no --disable-features (it would replace Playwright's own list).
const ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--use-fake-ui-for-media-stream",
  "--use-fake-device-for-media-stream",
  "--allow-loopback-in-peer-connection",
  "--autoplay-policy=no-user-gesture-required",
  "--auto-select-desktop-capture-source=Entire screen",
];

export interface App {
  url: string;
  /**
   * Ships "new code": the runtime reloads the Worker and its Durable Objects, closing every
   * socket, as a deploy does in production. Storage survives (the app must be started with
   * `persist`).
   */
  redeploy(): Promise<void>;
  stop(): Promise<void>;
}

const plain = (vars: Record<string, string>) => Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, { type: "plain_text", value: v }]));

export async function startApp(vars: Record<string, string> = {}, opts: { persist?: boolean } = {}): Promise<App> {
  const dir = opts.persist ? await mkdtemp(join(tmpdir(), "roomlink-state-")) : null;
  const worker = await unstable_startWorker({
    config: "wrangler.toml",
    build: { nodejsCompatMode: null },
    bindings: plain(vars),
    dev: { server: { hostname: "127.0.0.1", port: 0 }, inspector: false, watch: false, persist: dir ?? false, logLevel: "error" },
  } as Parameters<typeof unstable_startWorker>[0]);
  await worker.ready;
  const url = (await worker.url).toString().replace(/\/$/, "");
  let deploys = 0;
  return {
    url,
    redeploy: async () => {
      await worker.patchConfig({ bindings: plain({ ...vars, DEPLOY_ID: String(++deploys) }) } as Parameters<typeof worker.patchConfig>[0]);
      await worker.ready;
    },
    stop: async () => {
      await worker.dispose();
      if (dir) await rm(dir, { recursive: true, force: true });
    },
  };
}

/** For a test file: the app and a browser, started before its tests and stopped after them. */
export function appAndBrowser(vars: Record<string, string> = {}, opts: { persist?: boolean } = {}): { readonly app: App; readonly browser: Browser } {
  const env = {} as { app: App; browser: Browser };
  before(async () => {
    env.app = await startApp(vars, opts);
    env.browser = await launchBrowser();
  });
  after(async () => {
    await env.browser?.close();
    await env.app?.stop();
  });
  return env;
}

/**
 * `autoplay: "default"` keeps Chromium's own autoplay policy (unmuted playback needs a user
 * gesture), for the test of "Tap to listen"; the other tests let media play by itself.
 */
export async function launchBrowser(opts: { autoplay?: "default"; fakeAudio?: string; cameras?: number } = {}): Promise<Browser> {
  const args = opts.autoplay === "default" ? ARGS.filter((a) => !a.startsWith("--autoplay-policy")) : [...ARGS];
  // More than one fake camera (a phone's front and back, for the camera flip). Chromium's fake
  // capture factory (media/capture/video/fake_video_capture_device_factory.cc) takes only a count
  // from the flag (it has no per-device format option), and its device 1 is always a Y16 depth
  // camera: a <video> shows its frames, but they have no pixel format a WebRTC sender takes
  // (VideoFrame.format is null), so a sender switched to it sends nothing and the far side
  // freezes. A phone's front and back cameras are colour cameras, so one device more is made and
  // the pages leave the depth one out (hideDepthCamera, which newPeerContext adds).
  if (opts.cameras && opts.cameras > 1) {
    args.splice(args.indexOf("--use-fake-device-for-media-stream"), 1, `--use-fake-device-for-media-stream=device-count=${opts.cameras + 1}`);
  }
  // A WAV (tone-wav.ts) instead of the fake mic's beeps; Chromium loops it.
  if (opts.fakeAudio) args.push(`--use-file-for-fake-audio-capture=${opts.fakeAudio}`);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args, headless: true });
  if (opts.cameras && opts.cameras > 1) withDepthCamera.add(browser);
  return browser;
}

/** Browsers whose fake cameras include Chromium's depth camera (launchBrowser with `cameras`). */
const withDepthCamera = new WeakSet<Browser>();

/**
 * Serialised into the page before the app: the device list leaves out Chromium's fake depth
 * camera ("fake_device_1", see launchBrowser), so the app lists, picks and flips between colour
 * cameras only, as on a phone.
 */
export function hideDepthCamera(): void {
  const list = MediaDevices.prototype.enumerateDevices;
  MediaDevices.prototype.enumerateDevices = async function (this: MediaDevices) {
    return (await list.call(this)).filter((d) => !(d.kind === "videoinput" && d.label === "fake_device_1"));
  };
}

export interface PeerOptions {
  locale?: string;
  /** false: the page has no camera/mic permission (getUserMedia is refused). */
  media?: boolean;
  viewport?: { width: number; height: number };
}

export async function newPeerContext(browser: Browser, app: App, opts: PeerOptions = {}): Promise<BrowserContext> {
  const context = await browser.newContext({
    locale: opts.locale ?? "en-US",
    viewport: opts.viewport ?? { width: 1100, height: 700 },
    permissions: opts.media === false ? [] : ["camera", "microphone", "clipboard-read", "clipboard-write"],
  });
  await context.addInitScript(installTestHook);
  if (withDepthCamera.has(browser)) await context.addInitScript(hideDepthCamera);
  if (opts.media === false) {
    // Chromium's fake-UI flag grants every prompt; deny the way a user's "Block" does.
    await context.addInitScript(() => {
      const deny = () => Promise.reject(new DOMException("Permission denied", "NotAllowedError"));
      navigator.mediaDevices.getUserMedia = deny;
    });
  }
  await context.grantPermissions(opts.media === false ? ["clipboard-read", "clipboard-write"] : ["camera", "microphone", "clipboard-read", "clipboard-write"], { origin: app.url });
  return context;
}

/** Opens the room link, fills the pre-join screen and joins. */
export async function joinRoom(page: Page, app: App, roomId: string, name: string, opts: { mic?: boolean; cam?: boolean; relayOnly?: boolean } = {}): Promise<void> {
  await page.goto(`${app.url}/r/${roomId}`);
  await page.getByTestId("name").fill(name);
  if (opts.relayOnly) await page.getByTestId("relay-only").check();
  if (opts.cam === false) await page.getByTestId("prejoin-cam").click();
  if (opts.mic === false) await page.getByTestId("prejoin-mic").click();
  await page.getByTestId("join").click();
  await page.waitForSelector('[data-testid="room"][data-status="joined"]');
}

/** From the landing page, as a person would: creates a stage (this browser keeps its host key) and joins it as its speaker. */
export async function openStage(page: Page, appUrl: string, name: string): Promise<void> {
  await page.goto(appUrl);
  await page.getByTestId("mode-stage").check();
  await page.getByTestId("new-room").click();
  await page.waitForURL(/\/r\//);
  await page.getByTestId("name").fill(name);
  await page.getByTestId("join").click();
  await page.waitForSelector('[data-testid="room"][data-status="joined"][data-role="host"]');
}

export async function createRoom(app: App): Promise<string> {
  const res = await fetch(`${app.url}/api/rooms`, { method: "POST" });
  return ((await res.json()) as { id: string }).id;
}

export interface InboundVideo {
  peer: string;
  framesDecoded: number;
  kind: string;
}

/** Per peer connection: video frames decoded so far and whether an audio track is live. */
export async function mediaStats(page: Page): Promise<Array<{ video: number; audioLive: boolean; state: string }>> {
  return page.evaluate(async () => {
    const rl = (globalThis as unknown as { roomlink?: { session: { peerConnections: RTCPeerConnection[] } } }).roomlink;
    if (!rl) return [];
    const out = [];
    for (const pc of rl.session.peerConnections) {
      const stats = await pc.getStats();
      let video = 0;
      stats.forEach((s) => {
        if (s.type === "inbound-rtp" && s.kind === "video") video += s.framesDecoded ?? 0;
      });
      const audioLive = pc.getReceivers().some((r) => r.track.kind === "audio" && r.track.readyState === "live" && !r.track.muted);
      out.push({ video, audioLive, state: pc.connectionState });
    }
    return out;
  });
}

/** Polls `check` until it returns true, or fails with `what` after `ms`. State-based, no fixed sleeps. */
export async function waitUntil(what: string, check: () => Promise<boolean> | boolean, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Every other person in the room is there and connected to this page (video or not). */
export const waitForConnected = (page: Page, peers: number, ms = 30_000): Promise<void> =>
  waitUntil(`${peers} connected peers`, () =>
    page.evaluate((n) => {
      const list = (globalThis as unknown as { roomlink: { session: { state: { participants: Array<{ connection: string }> } } } }).roomlink.session.state.participants;
      return list.length === n && list.every((x) => x.connection === "connected");
    }, peers),
  ms);

/** This page's member id in its room. */
export const selfIdOf = (page: Page): Promise<string> =>
  page.evaluate(() => (globalThis as unknown as { roomlink: { session: { state: { selfId: string } } } }).roomlink.session.state.selfId);

/** Every peer connection on the page has decoded video frames, and the count keeps rising. */
export async function waitForRemoteVideo(page: Page, peers: number, ms = 20_000): Promise<void> {
  let before: number[] = [];
  await waitUntil(`${peers} peers with decoded video`, async () => {
    const s = await mediaStats(page);
    before = s.map((x) => x.video);
    return s.length === peers && s.every((x) => x.video > 0);
  }, ms);
  await waitUntil("frame counts to rise", async () => {
    const s = await mediaStats(page);
    return s.length === peers && s.every((x, i) => x.video > (before[i] ?? 0));
  }, ms);
}

/** Two people in a new room, joined in this order, each already seeing the other's video. */
export async function twoPeerCall(browser: Browser, app: App, first: string, second: string): Promise<[Page, Page]> {
  const room = await createRoom(app);
  const a = await (await newPeerContext(browser, app)).newPage();
  await joinRoom(a, app, room, first);
  const b = await (await newPeerContext(browser, app)).newPage();
  await joinRoom(b, app, room, second);
  await waitForRemoteVideo(a, 1);
  await waitForRemoteVideo(b, 1);
  return [a, b];
}

/** A measured figure, printed for the record (the benchmarks own the targets; tests only log). */
export function report(what: string, value: number, unit: string): void {
  console.log(`# measured: ${what}: ${Math.round(value)} ${unit}`);
}

export interface SelectedPair {
  local: string;
  remote: string;
  /** The transport between this browser and its TURN server, for a relay candidate. */
  relayProtocol: string | null;
}

/** The candidate types of the selected pair of every peer connection on the page. */
export async function selectedPairs(page: Page): Promise<SelectedPair[]> {
  return page.evaluate(async () => {
    const rl = (globalThis as unknown as { roomlink: { session: { peerConnections: RTCPeerConnection[] } } }).roomlink;
    const out = [];
    for (const pc of rl.session.peerConnections) {
      const stats = await pc.getStats();
      const byId = new Map<string, Record<string, unknown>>();
      stats.forEach((s) => byId.set(s.id, s));
      let pair: Record<string, unknown> | undefined;
      stats.forEach((s) => {
        if (s.type === "transport" && s.selectedCandidatePairId) pair = byId.get(s.selectedCandidatePairId);
      });
      if (!pair) continue;
      const local = byId.get(pair.localCandidateId as string)!;
      const remote = byId.get(pair.remoteCandidateId as string)!;
      out.push({ local: local.candidateType as string, remote: remote.candidateType as string, relayProtocol: (local.relayProtocol as string | undefined) ?? null });
    }
    return out;
  });
}
