// Relay-only calls through a real coturn on loopback, with credentials minted by the Worker, and
// the failures a user must be told about (expired or wrong credentials).

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { startCoturn, type Coturn } from "./coturn.ts";
import { acceptOffer, generatedFile, MiB, savedSha256, sendFromChat } from "./file-helpers.ts";
import {
  createRoom,
  joinRoom,
  launchBrowser,
  mediaStats,
  newPeerContext,
  openStage,
  report,
  selectedPairs,
  startApp,
  waitForRemoteVideo,
  waitUntil,
  type App,
} from "./harness.ts";

const SECRET = "coturn-test-secret";
let coturn: Coturn;
let browser: Browser;

before(async () => {
  coturn = await startCoturn(SECRET);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await coturn?.stop();
});

const turnVars = (transport: "udp" | "tcp", extra: Record<string, string> = {}) => ({
  TURN_PROVIDER: "coturn",
  TURN_SECRET: SECRET,
  TURN_URLS: `turn:127.0.0.1:${coturn.port}?transport=${transport}`,
  ...extra,
});

/** Two people join, B second; resolves with both pages and B's time from link to first remote frame. */
async function call(app: App, relayOnly: boolean): Promise<{ a: Page; b: Page; firstFrameMs: number }> {
  const room = await createRoom(app);
  const a = await (await newPeerContext(browser, app)).newPage();
  await joinRoom(a, app, room, "A", { relayOnly });
  const b = await (await newPeerContext(browser, app)).newPage();
  const t0 = Date.now();
  await joinRoom(b, app, room, "B", { relayOnly });
  await waitUntil("first remote frame", async () => ((await mediaStats(b))[0]?.video ?? 0) > 0, 20_000);
  return { a, b, firstFrameMs: Date.now() - t0 };
}

/**
 * A stage opened by its speaker, and a viewer on its first visit (no camera or mic permission)
 * who opens the link and presses Join, with "hide my IP address" ticked if `relayOnly`; `t0` is
 * when the viewer opened the link.
 */
async function stageWithViewer(app: App, relayOnly: boolean): Promise<{ speaker: Page; viewer: Page; t0: number }> {
  const speaker = await (await newPeerContext(browser, app)).newPage();
  await openStage(speaker, app.url, "Speaker");
  const viewer = await (await newPeerContext(browser, app, { media: false })).newPage();
  const t0 = Date.now();
  await viewer.goto(speaker.url());
  await viewer.getByTestId("name").fill("Viewer");
  if (relayOnly) await viewer.getByTestId("relay-only").check();
  await viewer.getByTestId("join").click();
  return { speaker, viewer, t0 };
}

async function closeAll(...pages: Page[]) {
  for (const p of pages) await p.context().close();
}

describe("TURN through a real coturn", () => {
  for (const transport of ["udp", "tcp"] as const) {
    it(`connects a relay-only call over ${transport}: relay to relay, frames flowing`, async () => {
      const app = await startApp(turnVars(transport));
      try {
        const { a, b, firstFrameMs } = await call(app, true);
        report(`relay-only (${transport}): open link → first remote frame`, firstFrameMs, "ms");
        await waitForRemoteVideo(a, 1);
        await waitForRemoteVideo(b, 1);
        for (const page of [a, b]) {
          const pairs = await selectedPairs(page);
          assert.deepEqual(pairs, [{ local: "relay", remote: "relay", relayProtocol: transport }]);
        }
        await closeAll(a, b);
      } finally {
        await app.stop();
      }
    });
  }

  it("sends a file relay to relay: the receiver saves it whole", async () => {
    const app = await startApp(turnVars("udp"));
    try {
      const { a, b } = await call(app, true);
      const file = generatedFile("relayed.bin", 20 * MiB);
      const t0 = Date.now();
      await sendFromChat(a, file.path);
      const transfer = await acceptOffer(b);
      assert.equal(await savedSha256(b, transfer), file.sha256);
      report("20 MiB through coturn (relay-only): pick → saved", Date.now() - t0, "ms");
      for (const page of [a, b]) assert.deepEqual(await selectedPairs(page), [{ local: "relay", remote: "relay", relayProtocol: "udp" }]);
      await closeAll(a, b);
    } finally {
      await app.stop();
    }
  });

  it("connects directly when relay-only is off, for comparison", async () => {
    const app = await startApp(turnVars("udp"));
    try {
      const { a, b, firstFrameMs } = await call(app, false);
      report("direct (TURN configured, not forced): open link → first remote frame", firstFrameMs, "ms");
      const [pair] = await selectedPairs(b);
      assert.equal(pair!.local, "host");
      await closeAll(a, b);
    } finally {
      await app.stop();
    }
  });

  it("connects a first-time stage viewer (no camera permission, so no host candidate) through the room's STUN or TURN server, untold", async () => {
    const app = await startApp(turnVars("udp"));
    try {
      // A first visit: no camera or mic permission, and the page never asks. Chromium then
      // gathers no host candidate here (loopback is this namespace's only network): what connects
      // it is what the room's ICE servers give, a server-reflexive address from coturn's STUN or
      // a relay, without the viewer ticking "hide my IP address".
      const { speaker, viewer, t0 } = await stageWithViewer(app, false);
      await waitUntil("first remote frame", async () => ((await mediaStats(viewer))[0]?.video ?? 0) > 0, 20_000);
      report("first-time stage viewer, through TURN: open link → first remote frame", Date.now() - t0, "ms");
      await waitForRemoteVideo(viewer, 1);
      const [pair] = await selectedPairs(viewer);
      assert.ok(pair!.local === "srflx" || pair!.local === "relay", `local candidate ${pair!.local}`);
      const hostCandidates = await viewer.evaluate(async () => {
        let n = 0;
        for (const pc of (globalThis as unknown as { roomlink: { session: { peerConnections: RTCPeerConnection[] } } }).roomlink.session.peerConnections) {
          (await pc.getStats()).forEach((s) => {
            if (s.type === "local-candidate" && s.candidateType === "host") n++;
          });
        }
        return n;
      });
      assert.equal(hostCandidates, 0, "a page without camera permission has no host candidate here");
      await closeAll(speaker, viewer);
    } finally {
      await app.stop();
    }
  });

  it("connects a stage viewer that hides its IP address: relay to the speaker", async () => {
    const app = await startApp(turnVars("udp"));
    try {
      const { speaker, viewer } = await stageWithViewer(app, true);
      await waitForRemoteVideo(viewer, 1);
      const [pair] = await selectedPairs(viewer);
      assert.deepEqual([pair!.local, pair!.relayProtocol], ["relay", "udp"]);
      await closeAll(speaker, viewer);
    } finally {
      await app.stop();
    }
  });

  it("refreshes credentials before they expire and hands them to the live connections", async () => {
    const app = await startApp(turnVars("udp", { TURN_TTL: "6" }));
    try {
      const { a, b } = await call(app, true);
      const usernames = (page: Page) =>
        page.evaluate(() => {
          const rl = (globalThis as unknown as { roomlink: { session: { state: { ice: { iceServers: Array<{ username?: string }> } }; peerConnections: RTCPeerConnection[] } } }).roomlink;
          const fromState = rl.session.state.ice.iceServers.find((s) => s.username)?.username;
          const inUse = rl.session.peerConnections.map((pc) => pc.getConfiguration().iceServers?.find((s) => s.username)?.username);
          return { fromState, inUse };
        });
      const first = await usernames(b);
      assert.deepEqual(first.inUse, [first.fromState]);
      // 80 % of a 6 s lifetime: a refresh within about 5 s.
      await waitUntil("fresh credentials", async () => (await usernames(b)).fromState !== first.fromState, 8000);
      const second = await usernames(b);
      assert.ok(Number(second.fromState!.split(":")[0]) > Number(first.fromState!.split(":")[0]));
      assert.deepEqual(second.inUse, [second.fromState]);
      await waitForRemoteVideo(b, 1);
      await closeAll(a, b);
    } finally {
      await app.stop();
    }
  });

  for (const [what, vars] of [
    ["an expired credential", { TURN_CLOCK_SKEW_SECONDS: "-7200" }],
    ["a wrong secret", { TURN_SECRET: "not-the-secret" }],
  ] as const) {
    it(`tells the user within 10 s when coturn refuses ${what}, and does not connect`, async () => {
      const app = await startApp(turnVars("udp", vars));
      try {
        const room = await createRoom(app);
        const a = await (await newPeerContext(browser, app)).newPage();
        await joinRoom(a, app, room, "A", { relayOnly: true });
        const b = await (await newPeerContext(browser, app)).newPage();
        const t0 = Date.now();
        await joinRoom(b, app, room, "B", { relayOnly: true });
        for (const page of [a, b]) await page.getByTestId("turn-rejected").waitFor({ timeout: 10_000 });
        report(`TURN refusal (${what}) shown after`, Date.now() - t0, "ms");
        assert.match((await b.getByTestId("turn-rejected").textContent())!, /relay server refused/);
        const stats = await mediaStats(b);
        assert.ok(stats.every((s) => s.state !== "connected" && s.video === 0), JSON.stringify(stats));
        await closeAll(a, b);
      } finally {
        await app.stop();
      }
    });
  }
});

describe("the connection check page", () => {
  it("gives the right verdict with coturn up, and with it down", async () => {
    const own = await startCoturn(SECRET);
    const app = await startApp({
      TURN_PROVIDER: "coturn",
      TURN_SECRET: SECRET,
      TURN_URLS: `turn:127.0.0.1:${own.port}?transport=udp,turn:127.0.0.1:${own.port}?transport=tcp`,
      STUN_URLS: `stun:127.0.0.1:${own.port}`,
    });
    try {
      const ctx = await newPeerContext(browser, app);
      const page = await ctx.newPage();
      // Reached from the pre-join screen, as a user would.
      await page.goto(`${app.url}/r/${await createRoom(app)}`);
      await page.getByTestId("check-link").click();
      await page.waitForURL(/\/check$/);
      const verdict = page.getByTestId("verdict");
      await page.waitForFunction(() => document.querySelector('[data-testid="verdict"]')?.getAttribute("data-verdict") !== "pending", null, { timeout: 20_000 });
      const status = async (probe: string) => page.getByTestId(`probe-${probe}`).getAttribute("data-status");
      await waitUntil("media probes", async () => (await status("microphone")) !== "pending" && (await status("camera")) !== "pending");
      assert.deepEqual(
        Object.fromEntries(await Promise.all(["signaling", "stun", "turn-udp", "turn-tcp", "turn-tls", "camera", "microphone"].map(async (p) => [p, await status(p)]))),
        // Loopback has no public address, so STUN finds nothing beyond the host candidate.
        { signaling: "ok", stun: "failed", "turn-udp": "ok", "turn-tcp": "ok", "turn-tls": "absent", camera: "ok", microphone: "ok" },
      );
      assert.equal(await verdict.getAttribute("data-verdict"), "relay-only");
      assert.match((await verdict.textContent())!, /^Calls will work only through the relay/);
      assert.match((await page.getByTestId("probe-signaling").textContent())!, /round trip \d+ ms/);
      await page.screenshot({ path: "test-results/check-relay-only.png" });

      await own.stop();
      await page.getByTestId("check-again").click();
      await page.waitForFunction(() => document.querySelector('[data-testid="verdict"]')?.getAttribute("data-verdict") === "blocked", null, { timeout: 20_000 });
      assert.equal(await status("turn-udp"), "failed");
      assert.equal(await status("turn-tcp"), "failed");
      assert.match((await verdict.textContent())!, /^Your network blocks calls/);
      await page.screenshot({ path: "test-results/check-blocked.png" });
      await ctx.close();
    } finally {
      await app.stop();
      await own.stop();
    }
  });
});
