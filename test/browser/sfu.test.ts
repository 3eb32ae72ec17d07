// The SFU transport in real Chromium, through the Worker's proxy and the Realtime stand-in with its
// werift engine forwarding real media (test/realtime-stand-in/). The room decides: with MESH_MAX=3,
// a fourth person takes the meeting to the SFU without anyone reloading; each page then has one
// peer connection, and sees and hears the three others through it. When the room shrinks to one,
// it goes back to the mesh, and the next person meets the one left on a direct connection.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { createRoom, joinRoom, newPeerContext, report, waitForRemoteVideo, waitUntil, type App } from "./harness.ts";
import { markLoaded, notReloaded } from "./session-probe.ts";
import { type RunningStandIn, type SfuMedia as Media, type SfuRig, sfuMediaOf as mediaOf, startSfuRig } from "./stand-in.ts";

const APP_ID = "browser-sfu-app";
const SECRET = "browser-sfu-secret";
const MESH_MAX = 3;

let rig: SfuRig;
let standIn: RunningStandIn;
let app: App;
let browser: Browser;

before(async () => {
  rig = await startSfuRig(APP_ID, SECRET, { MESH_MAX: String(MESH_MAX) });
  ({ standIn, app, browser } = rig);
});

after(async () => {
  await rig?.stop();
});

type Hooked = {
  roomlink: {
    session: {
      peerConnections: RTCPeerConnection[];
      state: { selfId: string; transport: { kind: string }; participants: Array<{ id: string; name: string; camera: MediaStream | null }> };
    };
  };
};


/** On a failure: the stand-in's calls in short, and the page's transceivers and inbound streams. */
async function diagnose(p: Page): Promise<string> {
  const calls = standIn.standIn.seen.map((c) => {
    const tracks = ((c.body as { tracks?: Array<Record<string, unknown>> } | undefined)?.tracks ?? []).map((t) => `${String(t.location ?? "")}:${String(t.trackName ?? t.mid ?? "")}${t.simulcast ? `@${String((t.simulcast as { preferredRid?: string }).preferredRid)}` : ""}`);
    return `${c.method} ${c.path.replace(/^.*\/sessions\//, "")} ${tracks.join(",")}`;
  });
  const page = await p.evaluate(async () => {
    const out = [];
    for (const pc of (globalThis as unknown as Hooked).roomlink.session.peerConnections) {
      const tx = pc.getTransceivers().map((t) => `${t.mid}:${t.direction}/${t.currentDirection}:${t.receiver.track.kind}:${t.receiver.track.id}`);
      const inbound: string[] = [];
      (await pc.getStats()).forEach((s) => {
        if (s.type === "inbound-rtp") inbound.push(`${s.kind} mid=${s.mid} track=${s.trackIdentifier} packets=${s.packetsReceived} frames=${s.framesDecoded} pli=${s.pliCount}`);
      });
      out.push({ state: pc.connectionState, tx, inbound });
    }
    return out;
  });
  return `calls:\n${calls.slice(-40).join("\n")}\npage: ${JSON.stringify(page, null, 1)}`;
}

/**
 * Waits until the page is on `kind` with `connections` peer connections, shows `others` tiles each
 * decoding video, hears as many audio streams, and then until every tile's frames and every audio
 * stream's packets rise again (media flowing, not a count left from before). A tile whose track
 * changes meanwhile (its layer pulled again) is measured from its new track's first reading.
 */
async function waitForCall(p: Page, want: { kind: string; connections: number; others: number }, ms = 60_000): Promise<void> {
  let last: Media | null = null;
  const shaped = (m: Media) => m.kind === want.kind && m.connections === want.connections && m.tiles.length === want.others && m.audio.length === want.others;
  const fail = async (e: Error) => {
    throw new Error(`${e.message}: ${JSON.stringify(last)}\n${await diagnose(p)}`);
  };
  await waitUntil(`${want.kind}: ${want.connections} connection(s), ${want.others} others decoding`, async () => {
    last = await mediaOf(p);
    return shaped(last) && last.tiles.every((x) => x.live && x.frames > 0) && last.audio.every((n) => n > 0);
  }, ms).catch(fail);
  const frames = new Map<string, number>();
  const audio = [...last!.audio];
  for (const x of last!.tiles) frames.set(x.track ?? "", x.frames);
  await waitUntil("every tile's frames and every audio stream's packets to rise", async () => {
    last = await mediaOf(p);
    for (const x of last.tiles) if (!frames.has(x.track ?? "")) frames.set(x.track ?? "", x.frames);
    return shaped(last) && last.tiles.every((x) => x.live && x.frames > frames.get(x.track ?? "")!) && last.audio.every((n, i) => n > (audio[i] ?? Number.MAX_SAFE_INTEGER));
  }, 30_000).catch(fail);
}

async function join(room: string, name: string): Promise<Page> {
  const context = await newPeerContext(browser, app);
  const page = await context.newPage();
  await joinRoom(page, app, room, name);
  await markLoaded(page);
  return page;
}

describe("SFU transport", () => {
  it(`a meeting past MESH_MAX (${MESH_MAX}) moves to the SFU without a reload, everyone sees and hears everyone on one connection, and it comes back to the mesh`, async () => {
    const room = await createRoom(app);
    const pages: Page[] = [];
    for (const name of ["Aigul", "Bakyt", "Cholpon"]) pages.push(await join(room, name));
    for (const p of pages) await waitForRemoteVideo(p, 2, 30_000);
    for (const p of pages) assert.equal((await mediaOf(p)).kind, "mesh");

    const started = Date.now();
    pages.push(await join(room, "Daniyar"));
    for (const [i, p] of pages.entries()) {
      await waitForCall(p, { kind: "sfu", connections: 1, others: 3 });
      console.log(`# page ${i + 1} on the SFU with three others decoding after ${Date.now() - started} ms`);
    }
    report("mesh → SFU at the fourth person, until all four decode the three others", Date.now() - started, "ms");
    for (const p of pages) assert.equal(await notReloaded(p), true);
    // Four sessions on the stand-in, each publishing a mic and a camera.
    assert.equal(standIn.engine.sessionCount, 4);

    // Three leave: one person is at MESH_MAX − 2 and the room goes back to the mesh.
    const [stay, ...leaving] = pages;
    for (const p of leaving) await p.context().close();
    await waitUntil("the one left back on the mesh, with no connection", async () => {
      const m = await mediaOf(stay!);
      return m.kind === "mesh" && m.connections === 0 && m.tiles.length === 0;
    }, 30_000);
    const next = await join(room, "Elnura");
    for (const p of [stay!, next]) await waitForCall(p, { kind: "mesh", connections: 1, others: 1 });
    assert.equal(await notReloaded(stay!), true);
    for (const p of [stay!, next]) await p.context().close();
  });
});
