// Starts the Realtime stand-in (test/realtime-stand-in/, test infrastructure only) from plain
// Node, for the browser tests and the bench: its HTTP server on a loopback port and its werift
// engine forwarding real media. Point the app at `apiUrl` (REALTIME_API_URL) with the same app id
// and secret.
//
// The stand-in's HTTP half is written for vitest (relative imports without an extension, and
// parameter properties), which Node's own type stripping does not take: within
// test/realtime-stand-in/, an import Node cannot find is tried again with ".ts", and those files
// are transformed (not only stripped) before they run. The hooks are registered when this module
// loads, and touch nothing outside that folder.

import { readFileSync } from "node:fs";
import { registerHooks, stripTypeScriptTypes } from "node:module";
import { fileURLToPath } from "node:url";
import type { Browser, Page } from "playwright-core";
import { WeriftEngine } from "../realtime-stand-in/werift-engine.ts";
import { launchBrowser, startApp, waitUntil, type App } from "./harness.ts";
import { assertPrivateNamespace } from "./udp-cut.ts";

/** What the tests use of test/realtime-stand-in/server.ts RunningStandIn. */
export interface RunningStandIn {
  apiUrl: string;
  standIn: { seen: Array<{ method: string; path: string; body: unknown }> };
  engine: WeriftEngine;
  stop(): Promise<void>;
}

const STAND_IN = "/test/realtime-stand-in/";
registerHooks({
  resolve(specifier, context, next) {
    try {
      return next(specifier, context);
    } catch (e) {
      if (!specifier.startsWith("./") || !context.parentURL?.includes(STAND_IN)) throw e;
      return next(`${specifier}.ts`, context);
    }
  },
  load(url, context, next) {
    if (!url.startsWith("file:") || !url.includes(STAND_IN) || !url.endsWith(".ts") || url.includes("/node_modules/")) return next(url, context);
    // Node 22 has the "transform" mode; @types/node types only "strip" (later Nodes transform by other means).
    const transform = { mode: "transform" } as unknown as { mode: "strip" };
    const source = stripTypeScriptTypes(readFileSync(fileURLToPath(url), "utf8"), transform);
    return { format: "module", source, shortCircuit: true };
  },
});

/** The stand-in with a fresh engine; `stop()` closes the server and shuts the engine down. */
export async function startStandIn(appId: string, secret: string): Promise<RunningStandIn> {
  // Named through a variable: the type checker would follow the import into those files too.
  const server = "../realtime-stand-in/server.ts";
  const { startRealtimeStandIn } = (await import(server)) as {
    startRealtimeStandIn(o: { appId: string; secret: string; engine: WeriftEngine }): Promise<Omit<RunningStandIn, "engine">>;
  };
  const engine = new WeriftEngine();
  const running = await startRealtimeStandIn({ appId, secret, engine });
  return { ...running, engine };
}

/** What an SFU test runs against: the stand-in, the app pointed at it, and one browser. */
export interface SfuRig {
  standIn: RunningStandIn;
  app: App;
  browser: Browser;
  stop(): Promise<void>;
}

/**
 * The stand-in, the app with Realtime configured against it (and `vars` over that; `persist` for
 * a test that redeploys it), and a browser. Only where loopback is the whole network (netns.sh): the engine binds 127.0.0.1. The
 * room's ration of switches (10 s by default) would only make a test wait, so it is off.
 */
export async function startSfuRig(appId: string, secret: string, vars: Record<string, string>, opts: { persist?: boolean } = {}): Promise<SfuRig> {
  assertPrivateNamespace();
  const standIn = await startStandIn(appId, secret);
  const app = await startApp({ REALTIME_APP_ID: appId, REALTIME_APP_SECRET: secret, REALTIME_API_URL: standIn.apiUrl, TRANSPORT_SWITCH_MS: "0", ...vars }, opts);
  const browser = await launchBrowser();
  return {
    standIn,
    app,
    browser,
    async stop() {
      await browser.close();
      await app.stop();
      await standIn.stop();
    },
  };
}

/**
 * Per participant's tile: the video track its camera stream shows and the frames decoded of it
 * (found by trackIdentifier, -1 if no inbound stream carries it), and the packets received of the
 * mic in that stream (`heard`, -1 likewise); the audio packets received per inbound audio stream; the transport, and how many connections the page has. Read by the tile's
 * track, so a layer pulled again (a new track) is followed.
 */
export const sfuMediaOf = (p: Page) =>
  p.evaluate(async () => {
    type Hooked = {
      roomlink: { session: { peerConnections: RTCPeerConnection[]; state: { transport: { kind: string }; participants: Array<{ name: string; camera: MediaStream | null }> } } };
    };
    const session = (globalThis as unknown as Hooked).roomlink.session;
    const reports = await Promise.all(session.peerConnections.map((pc) => pc.getStats()));
    const audio: number[] = [];
    for (const r of reports) r.forEach((s) => s.type === "inbound-rtp" && s.kind === "audio" && audio.push(s.packetsReceived ?? 0));
    const tiles = session.state.participants.map((x) => {
      const track = x.camera?.getVideoTracks()[0] ?? null;
      const mic = x.camera?.getAudioTracks()[0] ?? null;
      let frames = -1;
      let heard = -1;
      for (const r of reports) {
        r.forEach((s) => {
          if (s.type === "inbound-rtp" && s.kind === "video" && track !== null && s.trackIdentifier === track.id) frames = s.framesDecoded ?? 0;
          if (s.type === "inbound-rtp" && s.kind === "audio" && mic !== null && s.trackIdentifier === mic.id) heard = s.packetsReceived ?? 0;
        });
      }
      return { name: x.name, track: track?.id ?? null, live: track?.readyState === "live", frames, heard };
    });
    return { kind: session.state.transport.kind, connections: session.peerConnections.length, tiles, audio };
  });

export type SfuMedia = Awaited<ReturnType<typeof sfuMediaOf>>;

/**
 * Waits until the page is on the SFU with one connection and `others` tiles and audio streams,
 * and every tile's frames and every audio stream's packets rise past `from` (a reading taken
 * earlier; without one, the first reading on the SFU with every tile decoding). A tile whose
 * track changes meanwhile (a layer pulled again, or a rebuilt connection) is measured from its
 * new track's first reading.
 */
export async function waitForSfuFlow(p: Page, others: number, what: string, ms: number, from?: SfuMedia): Promise<void> {
  const shaped = (m: SfuMedia) => m.kind === "sfu" && m.connections === 1 && m.tiles.length === others && m.audio.length === others;
  let last: SfuMedia | null = from ?? null;
  const fail = (e: Error) => {
    throw new Error(`${e.message}: ${JSON.stringify(last)}`);
  };
  // A reading from before the SFU (the mesh's connections and counts) is no baseline.
  if (!last) {
    await waitUntil(`${what}: on the SFU, every tile decoding`, async () => {
      last = await sfuMediaOf(p);
      return shaped(last) && last.tiles.every((x) => x.live && x.frames > 0) && last.audio.every((n) => n > 0);
    }, ms).catch(fail);
  }
  const frames = new Map<string, number>(last!.tiles.map((x) => [x.track ?? "", x.frames]));
  const audio = [...last!.audio];
  await waitUntil(what, async () => {
    const now = await sfuMediaOf(p);
    last = now;
    for (const x of now.tiles) if (!frames.has(x.track ?? "")) frames.set(x.track ?? "", x.frames);
    return shaped(now) && now.tiles.every((x) => x.live && x.frames > Math.max(0, frames.get(x.track ?? "")!)) && now.audio.every((n, i) => n > (audio[i] ?? Number.MAX_SAFE_INTEGER));
  }, ms).catch(fail);
}
