// The SFU transport in real Chromium, through the Worker's proxy and the Realtime stand-in with
// its werift engine forwarding real media (test/realtime-stand-in/): three people in a meeting
// on the mesh, then on the SFU without a reload. Each page ends up with one peer connection, and
// decodes both others' cameras through it; the tiles (participants' camera streams) stay.
//
// The room's half of #16 (the switch, `peer-sfu`) is another branch: until it lands, the test
// tells each page what the room would (session.transportMessage), and carries each page's
// announcement to the others as the room's `peer-sfu` would.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { registerHooks, stripTypeScriptTypes } from "node:module";
import { fileURLToPath } from "node:url";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { WeriftEngine } from "../realtime-stand-in/werift-engine.ts";
import { createRoom, joinRoom, launchBrowser, newPeerContext, report, selfIdOf, startApp, waitForRemoteVideo, waitUntil, type App } from "./harness.ts";
import { assertPrivateNamespace } from "./udp-cut.ts";

/** What the test uses of test/realtime-stand-in/server.ts RunningStandIn. */
interface RunningStandIn {
  apiUrl: string;
  standIn: { seen: Array<{ method: string; path: string; body: unknown }> };
  stop(): Promise<void>;
}

const APP_ID = "browser-sfu-app";
const SECRET = "browser-sfu-secret";

let standIn: RunningStandIn;
let app: App;
let browser: Browser;

// The stand-in's HTTP half is written for vitest (relative imports without an extension, and
// parameter properties), which Node's own type stripping does not take: within
// test/realtime-stand-in/, an import Node cannot find is tried again with ".ts", and those files
// are transformed (not only stripped) before they run.
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

before(async () => {
  // The engine binds 127.0.0.1 only: run where loopback is the whole network (netns.sh).
  assertPrivateNamespace();
  // Named through a variable: the type checker would follow the import into those files too.
  const server = "../realtime-stand-in/server.ts";
  const { startRealtimeStandIn } = (await import(server)) as { startRealtimeStandIn(o: { appId: string; secret: string; engine: WeriftEngine }): Promise<RunningStandIn> };
  standIn = await startRealtimeStandIn({ appId: APP_ID, secret: SECRET, engine: new WeriftEngine() });
  app = await startApp({ REALTIME_APP_ID: APP_ID, REALTIME_APP_SECRET: SECRET, REALTIME_API_URL: standIn.apiUrl });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await app?.stop();
  await standIn?.stop();
});

/** protocol/features/transport.ts SfuPublication (the protocol's modules are not written for Node's resolution). */
type SfuPublication = { session: string; tracks: Array<{ name: string; role: string; rids?: string[] }> };
type TransportMessage =
  | { type: "transport"; transport: { kind: "mesh" | "sfu"; sfu: boolean } }
  | { type: "peer-sfu"; id: string; sfu: SfuPublication | null };
type Hooked = {
  roomlink: {
    session: {
      transportMessage(msg: TransportMessage): void;
      sfuPublication: SfuPublication | null;
      peerConnections: RTCPeerConnection[];
      state: { transport: { kind: string }; participants: Array<{ id: string; camera: MediaStream | null }> };
    };
  };
};

const tell = (p: Page, msg: TransportMessage) => p.evaluate((m) => (globalThis as unknown as Hooked).roomlink.session.transportMessage(m), msg);
const publication = (p: Page) => p.evaluate(() => (globalThis as unknown as Hooked).roomlink.session.sfuPublication);

/**
 * Per participant's tile: the video track its camera stream shows and the frames decoded of it
 * (found by trackIdentifier, -1 if no inbound stream carries it); and how many connections the
 * page has. Read by the tile's track, so a layer pulled again (a new track) is followed.
 */
const tiles = (p: Page) =>
  p.evaluate(async () => {
    const session = (globalThis as unknown as Hooked).roomlink.session;
    const reports = await Promise.all(session.peerConnections.map((pc) => pc.getStats()));
    const out = session.state.participants.map((x) => {
      const track = x.camera?.getVideoTracks()[0] ?? null;
      let frames = -1;
      for (const r of reports) {
        r.forEach((s) => {
          if (s.type === "inbound-rtp" && s.kind === "video" && track !== null && s.trackIdentifier === track.id) frames = s.framesDecoded ?? 0;
        });
      }
      return { id: x.id, track: track?.id ?? null, live: track?.readyState === "live", frames };
    });
    return { connections: session.peerConnections.length, tiles: out };
  });

/** On a failure: the stand-in's calls in short, and the page's transceivers and inbound video. */
async function diagnose(p: Page): Promise<string> {
  const calls = standIn.standIn.seen.map((c) => {
    const tracks = ((c.body as { tracks?: Array<Record<string, unknown>> } | undefined)?.tracks ?? []).map((t) => `${String(t.location ?? "")}:${String(t.trackName ?? t.mid ?? "")}${t.simulcast ? `@${String((t.simulcast as { preferredRid?: string }).preferredRid)}` : ""}`);
    return `${c.method} ${c.path.replace(/^.*\/sessions\//, "")} ${tracks.join(",")}`;
  });
  const page = await p.evaluate(async () => {
    const pc = (globalThis as unknown as Hooked).roomlink.session.peerConnections[0]!;
    const tx = pc.getTransceivers().map((t) => `${t.mid}:${t.direction}/${t.currentDirection}:${t.receiver.track.kind}:${t.receiver.track.id}`);
    const inbound: string[] = [];
    (await pc.getStats()).forEach((s) => {
      if (s.type === "inbound-rtp") inbound.push(`${s.kind} mid=${s.mid} track=${s.trackIdentifier} packets=${s.packetsReceived} frames=${s.framesDecoded}`);
    });
    return { state: pc.connectionState, tx, inbound };
  });
  return `calls:\n${calls.join("\n")}\npage: ${JSON.stringify(page, null, 1)}`;
}

/** The participants' tiles: each one's camera stream has a live video track. */
const tilesLive = (p: Page) =>
  p.evaluate(() =>
    (globalThis as unknown as Hooked).roomlink.session.state.participants.map((x) => x.camera?.getVideoTracks().some((t) => t.readyState === "live") ?? false),
  );

describe("SFU transport", () => {
  // One layer per camera: these browsers refuse simulcast (addTransceiver throws for
  // sendEncodings, as a browser without it may), so the fallback is what runs. The stand-in's
  // engine as committed forwards no video of a simulcast publisher whose session also pulls.
  it("three people move from the mesh to the SFU without a reload: one connection each, and each decodes both others' video through it", async () => {
    const room = await createRoom(app);
    const pages: Page[] = [];
    for (const name of ["Aigul", "Bakyt", "Cholpon"]) {
      const context = await newPeerContext(browser, app);
      await context.addInitScript(() => {
        const add = RTCPeerConnection.prototype.addTransceiver;
        RTCPeerConnection.prototype.addTransceiver = function (this: RTCPeerConnection, what: MediaStreamTrack | string, init?: RTCRtpTransceiverInit) {
          if (init?.sendEncodings) throw new DOMException("no simulcast in this test", "OperationError");
          return add.call(this, what, init);
        };
      });
      const page = await context.newPage();
      await joinRoom(page, app, room, name);
      pages.push(page);
    }
    for (const p of pages) await waitForRemoteVideo(p, 2, 30_000);
    const ids = await Promise.all(pages.map(selfIdOf));
    const started = Date.now();

    for (const p of pages) await tell(p, { type: "transport", transport: { kind: "sfu", sfu: true } });
    const pubs: SfuPublication[] = [];
    for (const p of pages) {
      await waitUntil("the page to publish its mic and camera on the SFU", async () => ((await publication(p))?.tracks.length ?? 0) >= 2, 20_000);
      pubs.push((await publication(p))!);
    }
    for (const pub of pubs) {
      assert.deepEqual(pub.tracks.map((t) => t.role).sort(), ["camera", "mic"]);
      // Simulcast refused: one layer, announced without rids.
      assert.equal(pub.tracks.find((t) => t.role === "camera")!.rids, undefined);
    }
    // Realtime holds a call until the session's connection is up (up to 5 s); the stand-in's engine
    // as committed does not yet, so the pulls wait here for every publisher to be connected.
    for (const p of pages) {
      await waitUntil("the page's connection to the SFU", () => p.evaluate(() => (globalThis as unknown as Hooked).roomlink.session.peerConnections.some((pc) => pc.connectionState === "connected" && pc.getTransceivers().some((t) => t.direction === "sendonly"))), 20_000);
    }
    // What the room's peer-sfu would carry, to everyone else.
    for (const [i, p] of pages.entries()) {
      for (const [j, pub] of pubs.entries()) if (i !== j) await tell(p, { type: "peer-sfu", id: ids[j]!, sfu: pub });
    }

    for (const p of pages) {
      let before = new Map<string, number>();
      let last: unknown = null;
      const sample = async () => {
        const s = await tiles(p);
        last = s;
        return s;
      };
      await waitUntil("one connection, and both others' tiles decoding video through it", async () => {
        const s = await sample();
        before = new Map(s.tiles.map((x) => [x.track ?? "", x.frames]));
        return s.connections === 1 && s.tiles.length === 2 && s.tiles.every((x) => x.live && x.frames > 0);
      }, 40_000).catch(async (e: Error) => {
        throw new Error(`${e.message}: ${JSON.stringify(last)}\n${await diagnose(p)}`);
      });
      await waitUntil("each tile's frame count to rise", async () => {
        const s = await sample();
        return s.connections === 1 && s.tiles.length === 2 && s.tiles.every((x) => x.frames > (before.get(x.track ?? "") ?? Number.MAX_SAFE_INTEGER));
      }, 20_000).catch(async (e: Error) => {
        throw new Error(`${e.message}: ${JSON.stringify(last)}\n${await diagnose(p)}`);
      });
      assert.deepEqual(await tilesLive(p), [true, true]);
      assert.equal(await p.evaluate(() => (globalThis as unknown as Hooked).roomlink.session.state.transport.kind), "sfu");
    }
    report("mesh → SFU, until every page decodes both others through the SFU", Date.now() - started, "ms");
    // Every page was on the stand-in: three sessions, each publishing two tracks and pulling four.
    const published = standIn.standIn.seen.filter((c) => c.method === "POST" && c.path.endsWith("/tracks/new"));
    assert.ok(published.length >= 6, `expected publish and pull calls from every page, saw ${published.length}`);
    const rids = published.flatMap((c) => ((c.body as { tracks?: Array<{ simulcast?: { preferredRid?: string } }> }).tracks ?? []).map((t) => t.simulcast?.preferredRid).filter(Boolean));
    console.log(`# camera layers pulled, in order: ${rids.join(" ")}`);
  });
});
