// Stage figures in headless Chromium: what a speaker's upload and CPU cost with 1, 2 and 4
// viewers (each viewer is one more encoded copy in a mesh), and against the SFU with 1, 4 and 8
// (stageUploadFigures: one copy whatever the audience); and a late viewer's time from opening the
// link to the first frame, which browserFigures compares with the 2-peer join of the same run.
//
// The speaker runs in a browser of its own, so that the CPU read from its processes is the
// speaker's alone (encoding happens in its renderer); the viewers share another.

import { chromium, type Page } from "playwright-core";
import { installTestHook } from "../test/browser/test-hook.ts";
import { ARGS, firstFrame, type BenchKit, cpuClock } from "./browser.ts";

export interface SpeakerLoad {
  viewers: number;
  /** The speaker's whole upload (every outbound RTP stream), kbps. */
  uploadKbps: number;
  /** The speaker's browser, all processes, in % of one core. */
  cpuPercent: number;
  /** Connections the speaker sends camera video on: on the mesh one per viewer with video (the rest get audio only), on the SFU one. */
  videoViewers: number;
  /** Whether any video sender reported qualityLimitationReason "cpu" at the end. */
  cpuLimited: boolean;
}

const WINDOW_MS = 4000;
/** Bandwidth estimation starts low and ramps up; the window starts once it has had this long. */
const RAMP_MS = 4000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Bytes the page has sent on every peer connection, and whether any video sender is CPU-limited. */
const sent = (page: Page) =>
  page.evaluate(async () => {
    const rl = (globalThis as unknown as { roomlink: { session: { peerConnections: RTCPeerConnection[] } } }).roomlink;
    let bytes = 0;
    let cpu = false;
    let video = 0;
    for (const pc of rl.session.peerConnections) {
      let sendsVideo = false;
      (await pc.getStats()).forEach((s) => {
        if (s.type !== "outbound-rtp") return;
        bytes += (s.bytesSent ?? 0) + (s.headerBytesSent ?? 0);
        if (s.kind === "video" && s.qualityLimitationReason === "cpu") cpu = true;
      });
      for (const sender of pc.getSenders()) if (sender.track?.kind === "video" && sender.track.readyState === "live") sendsVideo = true;
      if (sendsVideo) video++;
    }
    return { bytes, cpu, video };
  });

type Hooked = { roomlink?: { session: { peerConnections: RTCPeerConnection[]; state: { transport: { kind: string } } } } };

/**
 * Resolves when the page is on the SFU with one connection (a switch's handover over, the mesh's
 * links closed) and, for a viewer, decodes video on it. A stage goes to the SFU at its first viewer
 * when STAGE_VIEWERS is 0, so a viewer's first frame may still come over the mesh.
 */
const onSfu = (page: Page, decoding: boolean) =>
  page.waitForFunction(
    async (decoding) => {
      const s = (globalThis as unknown as Hooked).roomlink?.session;
      const pc = s?.peerConnections[0];
      if (s?.state.transport.kind !== "sfu" || s.peerConnections.length !== 1 || !pc) return false;
      if (!decoding) return true;
      let frames = 0;
      (await pc.getStats()).forEach((r) => {
        if (r.type === "inbound-rtp" && r.kind === "video") frames += r.framesDecoded ?? 0;
      });
      return frames > 0;
    },
    decoding,
    { polling: 100, timeout: 120_000 },
  );

/**
 * The speaker's upload and CPU with `viewers` viewers. `transport: "sfu"`: the kit's app is
 * pointed at the Realtime stand-in with STAGE_VIEWERS=0, and the window starts once everyone is
 * on the SFU alone.
 */
export async function speakerLoad(kit: BenchKit, viewers: number, transport: "mesh" | "sfu" = "mesh"): Promise<SpeakerLoad> {
  const own = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium", args: ARGS });
  const cpuSeconds = await cpuClock(own);
  const pages: Page[] = [];
  try {
    const { id, hostKey } = await kit.room({ mode: "stage" });
    const ctx = await own.newContext({ viewport: { width: 800, height: 600 } });
    await ctx.grantPermissions(["camera", "microphone"], { origin: kit.url });
    await ctx.addInitScript(() => localStorage.setItem("roomlink.name", "Speaker"));
    await ctx.addInitScript(({ room, key }) => localStorage.setItem(`roomlink.hostKey.${room}`, key), { room: id, key: hostKey });
    await ctx.addInitScript(installTestHook);
    const speaker = await ctx.newPage();
    await kit.join(speaker, id);
    await speaker.waitForSelector('[data-testid="room"][data-status="joined"]');
    for (let i = 0; i < viewers; i++) {
      const v = await kit.page();
      pages.push(v);
      await kit.join(v, id);
    }
    if (transport === "sfu") await Promise.all([onSfu(speaker, false), ...pages.map((p) => onSfu(p, true))]);
    else await Promise.all(pages.map((p) => firstFrame(p)));
    await sleep(RAMP_MS);
    const b0 = await sent(speaker);
    const c0 = await cpuSeconds();
    const t0 = performance.now();
    await sleep(WINDOW_MS);
    const b1 = await sent(speaker);
    const c1 = await cpuSeconds();
    const seconds = (performance.now() - t0) / 1000;
    return {
      viewers,
      uploadKbps: ((b1.bytes - b0.bytes) * 8) / 1000 / seconds,
      cpuPercent: ((c1 - c0) / seconds) * 100,
      videoViewers: b1.video,
      cpuLimited: b1.cpu,
    };
  } finally {
    for (const p of pages) await p.context().close();
    await own.close();
  }
}

/** A stage with its speaker and one viewer settled; then a late viewer opens the link: ms to its first frame. */
export async function lateViewerMs(kit: BenchKit): Promise<number> {
  const { id, hostKey } = await kit.room({ mode: "stage" });
  const speaker = await kit.page({ hostKeyFor: { room: id, key: hostKey } });
  const early = await kit.page();
  const late = await kit.page();
  try {
    await kit.join(speaker, id);
    await speaker.waitForSelector('[data-testid="room"][data-status="joined"]');
    await kit.join(early, id);
    await firstFrame(early);
    await sleep(1000);
    const t0 = performance.now();
    await kit.join(late, id);
    await firstFrame(late);
    return performance.now() - t0;
  } finally {
    for (const p of [speaker, early, late]) await p.context().close();
  }
}
