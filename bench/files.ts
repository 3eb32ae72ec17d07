// Peer-to-peer file figures in headless Chromium: a 200 MiB file from one member to another, from
// the receiver's accept to its card saying "done" (every block verified and written to OPFS),
// against a floor measured in the same run: one ordered data channel between two
// RTCPeerConnections wired inside one page, sending the same bytes as 64 KiB messages under the
// same backpressure rule (stop above 4 MiB buffered, go on at 1 MiB), timed from the first send
// to the last byte received.
//
// The members run as two pages of one browser (as the floor's two ends run in one), or each in a
// browser of its own (Placement, below). Two whole browsers on this 2-core machine compete for it
// (a raw channel between two browsers ran at 0.39–0.43× the in-page floor, between two pages of
// one browser at 0.82–0.85×), so the throughput target is weighed with one browser, and the
// memory with two: there the renderer processes of each browser are that member's page and
// nothing else, and the receiver's memory is the summed VmRSS (/proc) of
// its browser's renderers (pids from CDP's SystemInfo.getProcessInfo, as stage.ts does for CPU),
// read every 100 ms during the transfer. The page's renderer holds everything the transfer
// allocates: WebRTC and its SCTP buffers, the page's heap and the OPFS worker's (a dedicated worker
// runs in its page's process); Chromium's other renderers (a spare one, and one kept for the
// browser's own pages) do not grow. The page cannot weigh itself: measureUserAgentSpecificMemory
// needs a cross-origin-isolated page, and the app sends COOP without COEP.

import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser, type CDPSession, type Page } from "playwright-core";
import { installTestHook } from "../test/browser/test-hook.ts";
import { ARGS, type BenchKit } from "./browser.ts";
import { descendants, kindOf } from "./threads.ts";

export const FILE_BYTES = 200 * 1024 * 1024;
const MiB = 1024 * 1024;
const SAMPLE_MS = 100;
const HIGH_WATER = 4 * MiB;
const LOW_WATER = 1 * MiB;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface FloorRun {
  ms: number;
  /** 10^6 bytes per second. */
  mbps: number;
  chunk: number;
}

/** Two RTCPeerConnections in one page, one ordered channel: `bytes` as 64 KiB messages with the app's backpressure rule. */
export async function fileFloor(kit: BenchKit, bytes = FILE_BYTES): Promise<FloorRun> {
  const p = await kit.page();
  try {
    await p.goto(kit.url);
    const r = await p.evaluate(
      async ({ bytes, high, low }) => {
        const a = new RTCPeerConnection();
        const b = new RTCPeerConnection();
        a.onicecandidate = (e) => void b.addIceCandidate(e.candidate ?? undefined);
        b.onicecandidate = (e) => void a.addIceCandidate(e.candidate ?? undefined);
        const dc = a.createDataChannel("floor", { ordered: true });
        dc.binaryType = "arraybuffer";
        let resolveLast: (at: number) => void;
        const last = new Promise<number>((r) => (resolveLast = r));
        b.ondatachannel = (e) => {
          const rx = e.channel;
          rx.binaryType = "arraybuffer";
          let received = 0;
          rx.onmessage = (m: MessageEvent<ArrayBuffer>) => {
            received += m.data.byteLength;
            if (received >= bytes) resolveLast(performance.now());
          };
        };
        await a.setLocalDescription();
        await b.setRemoteDescription(a.localDescription!);
        await b.setLocalDescription();
        await a.setRemoteDescription(b.localDescription!);
        if (dc.readyState !== "open") await new Promise((r) => (dc.onopen = r));
        const max = a.sctp?.maxMessageSize;
        const chunk = Math.min(65536, max && max > 0 ? max : 65536);
        const payload = crypto.getRandomValues(new Uint8Array(chunk));
        dc.bufferedAmountLowThreshold = low;
        let wake: (() => void) | null = null;
        dc.onbufferedamountlow = () => {
          const w = wake;
          wake = null;
          w?.();
        };
        const t0 = performance.now();
        for (let sent = 0; sent < bytes; ) {
          const n = Math.min(chunk, bytes - sent);
          // The app's rule (files/channel.ts): wait while this message would take the buffer over the mark.
          while (dc.bufferedAmount > 0 && dc.bufferedAmount + n > high) await new Promise<void>((r) => (wake = r));
          dc.send(n === chunk ? payload : payload.subarray(0, n));
          sent += n;
        }
        const t1 = await last;
        a.close();
        b.close();
        return { ms: t1 - t0, chunk };
      },
      { bytes, high: HIGH_WATER, low: LOW_WATER },
    );
    return { ms: r.ms, mbps: bytes / 1e6 / (r.ms / 1000), chunk: r.chunk };
  } finally {
    await p.context().close();
  }
}

/**
 * The same ordered channel and backpressure as fileFloor, between two pages in browsers of their
 * own (as the members in fileTransfer are) with no call and no app code: what crossing from one
 * browser to another costs the platform by itself, next to the in-page floor. Offer and answer
 * travel through this process, complete (ICE gathered first), so no signaling is involved.
 */
export async function twoBrowserFloor(kit: BenchKit, bytes = FILE_BYTES): Promise<FloorRun> {
  const a = await ownBrowser(kit, "Floor A");
  const b = await ownBrowser(kit, "Floor B");
  type G = { floorPc?: RTCPeerConnection; floorDc?: RTCDataChannel };
  try {
    await a.page.goto(kit.url);
    await b.page.goto(kit.url);
    // Each side waits for ICE gathering to complete, so one description carries every candidate.
    const offer = await a.page.evaluate(async () => {
      const g = globalThis as unknown as G;
      const pc = (g.floorPc = new RTCPeerConnection());
      g.floorDc = pc.createDataChannel("floor", { ordered: true });
      g.floorDc.binaryType = "arraybuffer";
      await pc.setLocalDescription();
      if (pc.iceGatheringState !== "complete") await new Promise<void>((r) => pc.addEventListener("icegatheringstatechange", () => pc.iceGatheringState === "complete" && r()));
      return pc.localDescription!.toJSON() as RTCSessionDescriptionInit;
    });
    const answer = await b.page.evaluate(async (offer) => {
      const g = globalThis as unknown as G;
      const pc = (g.floorPc = new RTCPeerConnection());
      pc.ondatachannel = (e) => {
        g.floorDc = e.channel;
        g.floorDc.binaryType = "arraybuffer";
      };
      await pc.setRemoteDescription(offer);
      await pc.setLocalDescription();
      if (pc.iceGatheringState !== "complete") await new Promise<void>((r) => pc.addEventListener("icegatheringstatechange", () => pc.iceGatheringState === "complete" && r()));
      return pc.localDescription!.toJSON() as RTCSessionDescriptionInit;
    }, offer);
    await a.page.evaluate((answer) => (globalThis as unknown as G).floorPc!.setRemoteDescription(answer), answer);
    for (const p of [a.page, b.page]) await p.waitForFunction(() => (globalThis as unknown as G).floorDc?.readyState === "open", null, { polling: 20, timeout: 20_000 });
    const chunk = await a.page.evaluate(() => {
      const max = (globalThis as unknown as G).floorPc!.sctp?.maxMessageSize;
      return Math.min(65536, max && max > 0 ? max : 65536);
    });
    const ms = await timeChannel(a.page, b.page, bytes, chunk, "floorDc");
    return { ms, mbps: bytes / 1e6 / (ms / 1000), chunk };
  } finally {
    await a.browser.close();
    await b.browser.close();
  }
}

/** A browser of its own, so that its renderer processes are one member's page. */
export interface OwnBrowser {
  browser: Browser;
  page: Page;
  /** Sum of VmRSS over the browser's renderer processes, KiB, and how many there were. */
  rendererRss(): Promise<{ kib: number; processes: number }>;
}

export async function ownBrowser(kit: BenchKit, name: string): Promise<OwnBrowser> {
  const { browser, rendererRss } = await benchBrowser();
  return { browser, page: await memberPage(browser, kit, name), rendererRss };
}

/** A page in a context of its own in `browser`, named, with the test hook and media permissions. */
async function memberPage(browser: Browser, kit: BenchKit, name: string): Promise<Page> {
  const ctx = await browser.newContext({ viewport: { width: 800, height: 600 } });
  await ctx.grantPermissions(["camera", "microphone"], { origin: kit.url });
  await ctx.addInitScript((n) => localStorage.setItem("roomlink.name", n), name);
  await ctx.addInitScript(installTestHook);
  return ctx.newPage();
}

async function benchBrowser(): Promise<{ browser: Browser; rendererRss: OwnBrowser["rendererRss"] }> {
  // --expose-gc: the sender drops the 200 MiB it generated before the timing starts.
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium", args: [...ARGS, "--js-flags=--expose-gc"] });
  const cdp: CDPSession = await browser.newBrowserCDPSession();
  const rendererRss = async () => {
    const { processInfo } = (await cdp.send("SystemInfo.getProcessInfo")) as { processInfo: Array<{ type: string; id: number }> };
    let kib = 0;
    let processes = 0;
    for (const p of processInfo) {
      if (p.type !== "renderer") continue;
      const status = await readFile(`/proc/${p.id}/status`, "utf8").catch(() => "");
      const m = /^VmRSS:\s+(\d+) kB/m.exec(status);
      if (!m) continue;
      kib += Number(m[1]);
      processes++;
    }
    return { kib, processes };
  };
  return { browser, rendererRss };
}

/**
 * A browser with a persistent profile in a fresh temporary directory; its pages share one context
 * (a person's tabs do), so each page names itself. `browser.close()` closes the context and
 * removes the directory.
 */
async function persistentBrowser(kit: BenchKit): Promise<Omit<OwnBrowser, "page"> & { page(name: string): Promise<Page> }> {
  const dir = await mkdtemp(join(tmpdir(), "roomlink-bench-profile-"));
  const ctx = await chromium.launchPersistentContext(dir, {
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: [...ARGS, "--js-flags=--expose-gc"],
    viewport: { width: 800, height: 600 },
  });
  await ctx.grantPermissions(["camera", "microphone"], { origin: kit.url });
  await ctx.addInitScript(installTestHook);
  // The browser's renderers: no browser-level CDP session for a persistent context, so by process tree.
  const rendererRss = async () => {
    let kib = 0;
    let processes = 0;
    for (const pid of await descendants(process.pid)) {
      if ((await kindOf(pid)) !== "renderer") continue;
      const m = /^VmRSS:\s+(\d+) kB/m.exec(await readFile(`/proc/${pid}/status`, "utf8").catch(() => ""));
      if (!m) continue;
      kib += Number(m[1]);
      processes++;
    }
    return { kib, processes };
  };
  const page = async (name: string) => {
    const p = await ctx.newPage();
    await p.addInitScript((n) => localStorage.setItem("roomlink.name", n), name);
    return p;
  };
  const browser = {
    close: async () => {
      await ctx.close();
      await rm(dir, { recursive: true, force: true });
    },
  } as unknown as Browser;
  return { browser, rendererRss, page };
}

export interface FileRun {
  /** Accept → "done" at the receiver, ms. */
  ms: number;
  mbps: number;
  /** sendFiles → the offer in the receiver's state (the sender hashes the file meanwhile), ms. */
  hashMs: number;
  /** Receiver's renderer RSS: max during the transfer − just before accept, MiB. */
  receiverGrowthMiB: number;
  receiverBaseMiB: number;
  senderGrowthMiB: number;
  senderBaseMiB: number;
  /** RSS samples taken during the transfer. */
  samples: number;
  /**
   * A raw negotiated channel on the same two members' own peer connection (the call's video
   * running), LINK_BYTES as 64 KiB messages with the same backpressure: what that connection
   * carries with no file code at all, in 10^6 bytes per second.
   */
  linkMbps: number;
}

/** The raw channel's sample: enough for a steady rate, short next to the file's. */
const LINK_BYTES = 50 * MiB;
/** A stream id the app's file channels do not reach soon (they start at 0 and 1, round robin). */
const LINK_STREAM = 1001;

type Hooked = {
  roomlink: {
    session: {
      state: {
        participants: Array<{ id: string; connection: string }>;
        files: {
          incoming: Array<{ transfer: string; status: string; end: unknown; progress: { bytesDone: number } | null }>;
          outgoing: Array<{ id: string; recipients: Array<{ status: string; end: unknown }> }>;
        };
      };
      on(event: "change", fn: (s: Hooked["roomlink"]["session"]["state"]) => void): () => void;
      actions: {
        sendFiles(files: File[], to: string | null): boolean;
        acceptFile(transfer: string): boolean;
        dismissFile(id: string): boolean;
      };
    };
  };
  benchFile?: File;
  gc?: () => void;
};

/**
 * Where the two members run: each in a browser of its own (its renderers are that member's page
 * and nothing else, so the receiver's memory can be read), or both as pages of one browser, as
 * the in-page floor's two ends are (and as two people on two machines each have a browser's
 * processes to themselves: two whole browsers on one 2-core machine compete for it).
 */
export type Placement = "two-browsers" | "one-browser";

/** A sends a `bytes` file to B through the app; B accepts it. */
export interface TransferOptions {
  place?: Placement;
  /**
   * "call": cameras and mics on, as in a call; "off": both turned off first (a room for chat and
   * files); "stopped" (a diagnostic, files-cpu.ts): off, then the muted mic's track stopped and
   * every media element paused, so that no audio is captured, sent or played: what the call
   * itself costs while its mics are muted.
   */
  media?: "call" | "off" | "stopped";
  /** Runs beside the transfer (a profiler, a trace) and is awaited when it ends. */
  probe?: (sender: Page, receiver: Page) => Promise<unknown>;
  /**
   * One browser only: its pages in a persistent profile (a user-data directory on disk), as a
   * person's browser is, instead of Playwright's default incognito-like contexts, which keep
   * OPFS in memory.
   */
  persistent?: boolean;
}

export async function fileTransfer(kit: BenchKit, bytes = FILE_BYTES, { place = "two-browsers", media = "call", probe, persistent = false }: TransferOptions = {}): Promise<FileRun> {
  const { id } = await kit.room();
  let a: OwnBrowser;
  let b: OwnBrowser;
  if (persistent) {
    if (place !== "one-browser") throw new Error("a persistent profile is for one browser");
    const shared = await persistentBrowser(kit);
    a = { ...shared, page: await shared.page("Sender") };
    b = { ...shared, page: await shared.page("Receiver") };
  } else if (place === "two-browsers") {
    a = await ownBrowser(kit, "Sender");
    b = await ownBrowser(kit, "Receiver");
  } else {
    const shared = await benchBrowser();
    a = { ...shared, page: await memberPage(shared.browser, kit, "Sender") };
    b = { ...shared, page: await memberPage(shared.browser, kit, "Receiver") };
  }
  try {
    await kit.join(a.page, id);
    await a.page.waitForSelector('[data-testid="room"][data-status="joined"]');
    await kit.join(b.page, id);
    for (const p of [a.page, b.page]) {
      await p.waitForFunction(() => {
        const s = (globalThis as unknown as Hooked).roomlink?.session;
        return s?.state.participants.length === 1 && s.state.participants[0]!.connection === "connected";
      }, null, { polling: 50, timeout: 30_000 });
    }
    if (media !== "call") {
      for (const p of [a.page, b.page]) {
        await p.evaluate(async (stop) => {
          type Media = { setCam(on: boolean): Promise<void>; setMic(on: boolean): Promise<void>; tracks: { audio: MediaStreamTrack | null } };
          const m = (globalThis as unknown as { roomlink: { media: Media } }).roomlink.media;
          await m.setCam(false);
          await m.setMic(false);
          if (!stop) return;
          m.tracks.audio?.stop();
          for (const el of document.querySelectorAll<HTMLMediaElement>("audio, video")) el.pause();
        }, media === "stopped");
      }
    }
    // The file is made before anything is timed, and what made it is collected.
    await a.page.evaluate((bytes) => {
      const parts: Uint8Array[] = [];
      for (let i = 0; i < bytes; i += 65536) parts.push(crypto.getRandomValues(new Uint8Array(Math.min(65536, bytes - i))));
      const g = globalThis as unknown as Hooked;
      g.benchFile = new File(parts as BlobPart[], "bench.bin", { type: "application/octet-stream" });
      parts.length = 0;
      g.gc?.();
    }, bytes);
    await sleep(1000);
    const offered = b.page.evaluate(
      () =>
        new Promise<{ transfer: string; at: number }>((resolve, reject) => {
          const s = (globalThis as unknown as Hooked).roomlink.session;
          const check = (state: typeof s.state) => {
            const f = state.files.incoming.find((x) => x.status === "offered");
            if (!f) return;
            off();
            clearTimeout(timer);
            resolve({ transfer: f.transfer, at: performance.timeOrigin + performance.now() });
          };
          const off = s.on("change", check);
          const timer = setTimeout(() => (off(), reject(new Error("no offer within 120 s"))), 120_000);
          check(s.state);
        }),
    );
    // Awaited below; until then a failure (the browser closing after an error here) is not unhandled.
    offered.catch(() => undefined);
    const sentAt = await a.page.evaluate(() => {
      const g = globalThis as unknown as Hooked;
      const at = performance.timeOrigin + performance.now();
      if (!g.roomlink.session.actions.sendFiles([g.benchFile!], null)) throw new Error("sendFiles refused");
      return at;
    });
    const offer = await offered;
    const hashMs = offer.at - sentAt;

    const receiverBase = await b.rendererRss();
    const senderBase = await a.rendererRss();
    let receiverMax = receiverBase.kib;
    let senderMax = senderBase.kib;
    let samples = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const [rb, ra] = await Promise.all([b.rendererRss(), a.rendererRss()]);
        receiverMax = Math.max(receiverMax, rb.kib);
        senderMax = Math.max(senderMax, ra.kib);
        samples++;
        await sleep(SAMPLE_MS);
      }
    })();
    let ms: number;
    const probing = probe?.(a.page, b.page);
    try {
      ms = await b.page.evaluate(
        (transfer) =>
          new Promise<number>((resolve, reject) => {
            const s = (globalThis as unknown as Hooked).roomlink.session;
            const check = (state: typeof s.state) => {
              const f = state.files.incoming.find((x) => x.transfer === transfer);
              if (f?.status === "done") {
                off();
                clearTimeout(timer);
                resolve(performance.now() - t0);
              } else if (f?.status === "failed") {
                off();
                clearTimeout(timer);
                reject(new Error(`the transfer failed: ${JSON.stringify(f.end)}`));
              }
            };
            const off = s.on("change", check);
            const timer = setTimeout(() => (off(), reject(new Error("not done within 300 s"))), 300_000);
            const t0 = performance.now();
            if (!s.actions.acceptFile(transfer)) reject(new Error("acceptFile refused"));
          }),
        offer.transfer,
      );
    } finally {
      sampling = false;
      await sampler;
      await probing;
    }
    // The receiver frees what it stored; its OPFS directory is empty again.
    await b.page.evaluate(async (transfer) => {
      const s = (globalThis as unknown as Hooked).roomlink.session;
      if (!s.actions.dismissFile(transfer)) throw new Error("dismissFile refused");
      const root = await navigator.storage.getDirectory();
      const dir = await root.getDirectoryHandle("roomlink-received", { create: true });
      for (let i = 0; i < 100; i++) {
        let left = 0;
        for await (const _ of (dir as unknown as { keys(): AsyncIterable<string> }).keys()) left++;
        if (left === 0) return;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error("the received file is still in OPFS 5 s after dismissFile");
    }, offer.transfer);
    const linkMbps = await rawChannelMbps(a.page, b.page, LINK_BYTES);
    return {
      linkMbps,
      ms,
      mbps: bytes / 1e6 / (ms / 1000),
      hashMs,
      receiverGrowthMiB: (receiverMax - receiverBase.kib) / 1024,
      receiverBaseMiB: receiverBase.kib / 1024,
      senderGrowthMiB: (senderMax - senderBase.kib) / 1024,
      senderBaseMiB: senderBase.kib / 1024,
      samples,
    };
  } finally {
    await a.browser.close();
    if (b.browser !== a.browser) await b.browser.close();
  }
}

/** `bytes` through a raw negotiated channel on the two members' own peer connection. */
async function rawChannelMbps(sender: Page, receiver: Page, bytes: number): Promise<number> {
  const open = (stream: number) => {
    const g = globalThis as unknown as { roomlink: { session: { peerConnections: RTCPeerConnection[] } }; benchRaw?: RTCDataChannel };
    g.benchRaw = g.roomlink.session.peerConnections[0]!.createDataChannel("bench", { negotiated: true, id: stream, ordered: true });
    g.benchRaw.binaryType = "arraybuffer";
  };
  await sender.evaluate(open, LINK_STREAM);
  await receiver.evaluate(open, LINK_STREAM);
  for (const p of [sender, receiver]) await p.waitForFunction(() => (globalThis as unknown as { benchRaw: RTCDataChannel }).benchRaw.readyState === "open", null, { polling: 20, timeout: 20_000 });
  const ms = await timeChannel(sender, receiver, bytes, 65536, "benchRaw");
  return bytes / 1e6 / (ms / 1000);
}

/**
 * Sends `bytes` as `chunk`-byte messages on the open channel at globalThis[key] of `sender`, with
 * the app's backpressure rule, to the same channel of `receiver`: ms from the first send to the
 * last byte received (both pages on this machine's clock).
 */
async function timeChannel(sender: Page, receiver: Page, bytes: number, chunk: number, key: string): Promise<number> {
  const arrived = receiver.evaluate(
    ({ bytes, key }) =>
      new Promise<number>((resolve) => {
        const dc = (globalThis as unknown as Record<string, RTCDataChannel>)[key]!;
        let n = 0;
        dc.onmessage = (m) => {
          n += (m.data as ArrayBuffer).byteLength;
          if (n >= bytes) resolve(performance.timeOrigin + performance.now());
        };
      }),
    { bytes, key },
  );
  const started = await sender.evaluate(
    async ({ bytes, chunk, high, low, key }) => {
      const dc = (globalThis as unknown as Record<string, RTCDataChannel>)[key]!;
      const payload = crypto.getRandomValues(new Uint8Array(chunk));
      dc.bufferedAmountLowThreshold = low;
      let wake: (() => void) | null = null;
      dc.onbufferedamountlow = () => {
        const w = wake;
        wake = null;
        w?.();
      };
      const t0 = performance.timeOrigin + performance.now();
      for (let sent = 0; sent < bytes; ) {
        const n = Math.min(chunk, bytes - sent);
        while (dc.bufferedAmount > 0 && dc.bufferedAmount + n > high) await new Promise<void>((r) => (wake = r));
        dc.send(n === chunk ? payload : payload.subarray(0, n));
        sent += n;
      }
      return t0;
    },
    { bytes, chunk, high: HIGH_WATER, low: LOW_WATER, key },
  );
  return (await arrived) - started;
}
