// Join speed in headless Chromium with fake devices, against the app served by wrangler's local
// runtime; the floor is two RTCPeerConnections wired directly inside one page.

import { chromium, type Browser, type Page } from "playwright-core";
import { unstable_startWorker } from "wrangler";
import { installTestHook } from "../test/browser/test-hook.ts";

export const ARGS = [
  "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
  "--disable-component-update", "--disable-sync", "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
  "--allow-loopback-in-peer-connection", "--autoplay-policy=no-user-gesture-required",
];

/** What a browser figure needs: the app's URL, pages with fake devices, rooms, and an in-page Join. */
export interface BenchKit {
  url: string;
  browser: Browser;
  page(opts?: { hostKeyFor?: { room: string; key: string } }): Promise<Page>;
  room(body?: Record<string, unknown>): Promise<{ id: string; hostKey: string }>;
  join(p: Page, id: string): Promise<void>;
}

export interface BrowserBench {
  kit: BenchKit;
  floorMs(): Promise<number>;
  joinMs(): Promise<number>;
  meshMs(): Promise<number>;
  stop(): Promise<void>;
}

/** Seconds of CPU every process of `browser` has used so far (CDP's SystemInfo.getProcessInfo): read twice, a window's load. */
export async function cpuClock(browser: Browser): Promise<() => Promise<number>> {
  const cdp = await browser.newBrowserCDPSession();
  return async () => {
    const { processInfo } = (await cdp.send("SystemInfo.getProcessInfo")) as { processInfo: Array<{ cpuTime: number }> };
    return processInfo.reduce((sum, p) => sum + p.cpuTime, 0);
  };
}

/** A member in a context of its own in `browser`, with a name, the test hook, and the call joined. */
export async function member(browser: Browser, kit: BenchKit, room: string, name: string, viewport = { width: 800, height: 600 }): Promise<Page> {
  const ctx = await browser.newContext({ viewport });
  await ctx.grantPermissions(["camera", "microphone"], { origin: kit.url });
  await ctx.addInitScript((n) => localStorage.setItem("roomlink.name", n), name);
  await ctx.addInitScript(installTestHook);
  const page = await ctx.newPage();
  await kit.join(page, room);
  return page;
}

/** Resolves when `page`'s session sees `n` participants, each connected. */
export const connectedTo = (page: Page, n: number): Promise<unknown> =>
  page.waitForFunction(
    (n) => {
      const s = (globalThis as unknown as { roomlink?: { session: { state: { participants: Array<{ connection: string }> } } } }).roomlink?.session;
      return s?.state.participants.length === n && s.state.participants.every((p) => p.connection === "connected");
    },
    n,
    { polling: 50, timeout: 60_000 },
  );

/**
 * A mesh of `n` members in one browser whose fake cameras run at 5 fps: at 30 fps four members
 * encoding for each other take both of this machine's cores, and a saturated machine cannot show
 * what something costs. Returns once every member is connected and bandwidth estimation has
 * ramped up (6 s); the CPU clock counts every process of that browser.
 */
export async function slowCameraMesh(kit: BenchKit, n: number): Promise<{ browser: Browser; pages: Page[]; cpuSeconds: () => Promise<number> }> {
  const args = ARGS.map((a) => (a === "--use-fake-device-for-media-stream" ? "--use-fake-device-for-media-stream=fps=5" : a));
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium", args });
  try {
    const cpuSeconds = await cpuClock(browser);
    const { id } = await kit.room();
    const pages: Page[] = [];
    for (let i = 0; i < n; i++) pages.push(await member(browser, kit, id, `M${i + 1}`));
    for (const p of pages) await connectedTo(p, n - 1);
    await new Promise((r) => setTimeout(r, 6_000));
    return { browser, pages, cpuSeconds };
  } catch (e) {
    await browser.close();
    throw e;
  }
}

/** The machine has two cores: let the previous figure's browser contexts finish closing first. */
const settle = () => new Promise((r) => setTimeout(r, 1000));

export const firstFrame = (page: Page) =>
  page.waitForFunction(async () => {
    const rl = (globalThis as unknown as { roomlink?: { session: { peerConnections: RTCPeerConnection[] } } }).roomlink;
    for (const pc of rl?.session.peerConnections ?? []) {
      let frames = 0;
      (await pc.getStats()).forEach((s) => {
        if (s.type === "inbound-rtp" && s.kind === "video") frames += s.framesDecoded ?? 0;
      });
      if (frames > 0) return true;
    }
    return false;
  }, null, { polling: 20, timeout: 30_000 });

/**
 * The app with wrangler.toml's vars, and `vars` over them (the SFU's figures point it at the
 * Realtime stand-in); `config`: another wrangler config (files-cpu.ts serves a second build of the
 * web app beside this one).
 */
export async function startBrowserBench(vars: Record<string, string> = {}, config = "wrangler.toml"): Promise<BrowserBench> {
  const worker = await unstable_startWorker({
    config,
    bindings: Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, { type: "plain_text", value: v }])),
    dev: { server: { hostname: "127.0.0.1", port: 0 }, inspector: false, watch: false, persist: false, logLevel: "error" },
  } as Parameters<typeof unstable_startWorker>[0]);
  await worker.ready;
  const url = (await worker.url).toString().replace(/\/$/, "");
  const browser: Browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium", args: ARGS });
  const page = async (opts: { hostKeyFor?: { room: string; key: string } } = {}) => {
    const ctx = await browser.newContext({ viewport: { width: 800, height: 600 } });
    await ctx.grantPermissions(["camera", "microphone"], { origin: url });
    await ctx.addInitScript(() => localStorage.setItem("roomlink.name", "Bench"));
    // The creator's browser keeps the room's host key (as the landing page does after creating it).
    if (opts.hostKeyFor) await ctx.addInitScript(({ room, key }) => localStorage.setItem(`roomlink.hostKey.${room}`, key), opts.hostKeyFor);
    await ctx.addInitScript(installTestHook);
    return ctx.newPage();
  };
  const createRoom = async (body?: Record<string, unknown>) => {
    const res = await fetch(`${url}/api/rooms`, {
      method: "POST",
      headers: { "CF-Connecting-IP": `bench-${Math.random()}`, ...(body ? { "Content-Type": "application/json" } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return (await res.json()) as { id: string; hostKey: string };
  };
  const room = async () => (await createRoom()).id;
  // Join is pressed from inside the page in the first animation frame where it is enabled: what
  // is measured is the app, not the driver (Playwright's click() waits for the button to hold
  // still over two frames and hit-tests it, 70–110 ms per click on this machine).
  const join = async (p: Page, id: string) => {
    await p.goto(`${url}/r/${id}`);
    await p.waitForFunction(() => {
      const button = document.querySelector<HTMLButtonElement>('[data-testid="join"]');
      if (!button || button.disabled) return false;
      button.click();
      return true;
    }, null, { polling: "raf" });
  };

  return {
    kit: { url, browser, page, room: createRoom, join },
    async floorMs() {
      const p = await page();
      await p.goto(url);
      const ms = await p.evaluate(async () => {
        const t0 = performance.now();
        const stream = await navigator.mediaDevices.getUserMedia({ video: { width: { ideal: 640 }, height: { ideal: 360 } }, audio: true });
        const a = new RTCPeerConnection();
        const b = new RTCPeerConnection();
        a.onicecandidate = (e) => void b.addIceCandidate(e.candidate ?? undefined);
        b.onicecandidate = (e) => void a.addIceCandidate(e.candidate ?? undefined);
        for (const t of stream.getTracks()) a.addTrack(t, stream);
        await a.setLocalDescription();
        await b.setRemoteDescription(a.localDescription!);
        await b.setLocalDescription();
        await a.setRemoteDescription(b.localDescription!);
        for (;;) {
          let frames = 0;
          (await b.getStats()).forEach((s) => {
            if (s.type === "inbound-rtp" && s.kind === "video") frames += s.framesDecoded ?? 0;
          });
          if (frames > 0) break;
          await new Promise((r) => setTimeout(r, 20));
        }
        const done = performance.now() - t0;
        a.close();
        b.close();
        for (const t of stream.getTracks()) t.stop();
        return done;
      });
      await p.context().close();
      return ms;
    },
    async joinMs() {
      const id = await room();
      const waiting = await page();
      await join(waiting, id);
      await waiting.waitForSelector('[data-testid="room"][data-status="joined"]');
      const joiner = await page();
      // A peer that is waiting has its camera running and has settled; the browser contexts of
      // the previous figure have finished closing.
      await waiting.waitForFunction(() => (globalThis as unknown as { roomlink: { media: { tracks: { video: MediaStreamTrack | null } } } }).roomlink.media.tracks.video?.readyState === "live");
      await settle();
      const t0 = performance.now();
      await join(joiner, id);
      await firstFrame(joiner);
      const ms = performance.now() - t0;
      await waiting.context().close();
      await joiner.context().close();
      return ms;
    },
    async meshMs() {
      const id = await room();
      const pages = await Promise.all([page(), page(), page(), page()]);
      await settle();
      const t0 = performance.now();
      await Promise.all(pages.map((p) => join(p, id)));
      await Promise.all(
        pages.map((p) =>
          p.waitForFunction(() => {
            const rl = (globalThis as unknown as { roomlink?: { session: { peerConnections: RTCPeerConnection[] } } }).roomlink;
            const pcs = rl?.session.peerConnections ?? [];
            return pcs.length === 3 && pcs.every((pc) => pc.connectionState === "connected");
          }, null, { polling: 20, timeout: 30_000 }),
        ),
      );
      const ms = performance.now() - t0;
      for (const p of pages) await p.context().close();
      return ms;
    },
    async stop() {
      await browser.close();
      await worker.dispose();
    },
  };
}
