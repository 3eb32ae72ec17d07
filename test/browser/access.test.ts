// Hosts, the lobby and access control in real Chromium against the local runtime: the room's
// creator (its browser holds the host key) lets guests in, denies one, asks one to mute, removes
// one, sets a passcode, locks the room, hands the host link to another device, and ends the
// meeting. One app, one browser and one room for the whole file: each step builds on the last.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Page } from "playwright-core";
import { appAndBrowser, mediaStats, newPeerContext, report, waitForRemoteVideo, waitUntil } from "./harness.ts";

const env = appAndBrowser();

type Hooked = { roomlink: { session: { peerConnections: RTCPeerConnection[]; state: { selfId: string } } }; stashed?: RTCPeerConnection[] };

const selfId = (page: Page) => page.evaluate(() => (globalThis as unknown as Hooked).roomlink.session.state.selfId);

async function newPage(): Promise<Page> {
  return (await newPeerContext(env.browser, env.app)).newPage();
}

/** Opens the room's link and presses Join; what happens next (lobby, passcode, the call) is the test's. */
async function knock(page: Page, roomId: string, name: string): Promise<void> {
  await page.goto(`${env.app.url}/r/${roomId}`);
  await page.getByTestId("name").fill(name);
  await page.getByTestId("join").click();
}

/** Keeps the page's live peer connections, to look at them after they have left the list. */
const stash = (page: Page) => page.evaluate(() => {
  const g = globalThis as unknown as Hooked;
  g.stashed = [...g.roomlink.session.peerConnections];
  return g.stashed.length;
});

/** How the stashed connections ended: their states, and how many are still in the session's list. */
const stashed = (page: Page) => page.evaluate(() => {
  const g = globalThis as unknown as Partial<Hooked>;
  const live = g.roomlink?.session.peerConnections ?? [];
  return { states: (g.stashed ?? []).map((pc) => pc.connectionState), live: live.length, stillListed: (g.stashed ?? []).filter((pc) => live.includes(pc)).length };
});

async function openPeople(page: Page): Promise<void> {
  const toggle = page.getByTestId("people-toggle");
  if (!((await toggle.getAttribute("class")) ?? "").includes("active")) await toggle.click();
}

async function personAction(host: Page, peerId: string, action: "ask-mute" | "remove" | "make-cohost"): Promise<void> {
  await openPeople(host);
  const row = host.locator(`[data-testid="person"][data-peer="${peerId}"]`);
  await row.getByTestId("person-menu").click();
  await row.getByTestId(action).click();
}

async function openSettings(page: Page): Promise<void> {
  await page.getByTestId("settings-toggle").click();
  await page.getByTestId("settings").waitFor();
}

const state: { room: string; host: Page; guest: Page; third: Page } = {} as never;

describe("hosts, the lobby and access control", () => {
  it("the creator's room starts with ask to join; a guest waits; the host admits; the call connects", async () => {
    const host = (state.host = await newPage());
    await host.goto(env.app.url);
    await host.getByTestId("new-room-lobby").check();
    await host.getByTestId("new-room").click();
    await host.waitForURL(/\/r\//);
    state.room = new URL(host.url()).pathname.split("/")[2]!;
    // The creator's browser holds the key, and no fragment was ever in the address.
    assert.match((await host.evaluate((r) => localStorage.getItem(`roomlink.hostKey.${r}`), state.room)) ?? "", /^[A-Za-z0-9_-]{22}$/);
    await host.getByTestId("name").fill("Host");
    await host.getByTestId("join").click();
    await host.waitForSelector('[data-testid="room"][data-status="joined"][data-role="host"]');

    const guest = (state.guest = await newPage());
    await knock(guest, state.room, "Aibek");
    await guest.waitForSelector('[data-testid="lobby"][data-stage="waiting"]');
    assert.equal(await guest.getByTestId("lobby-text").textContent(), "Waiting for the host to let you in…");
    assert.equal(await guest.getByTestId("lobby-no-host").count(), 0, "a host is present");
    // Nothing about the room reached the knocker: no peers, no chat.
    assert.deepEqual(await guest.evaluate(() => (globalThis as unknown as { roomlink: { session: { state: { participants: unknown[]; chat: unknown[] } } } }).roomlink.session.state).then((s) => [s.participants.length, s.chat.length]), [0, 0]);

    await host.getByTestId("knock-prompt").waitFor();
    assert.equal(await host.getByTestId("knock-prompt").locator("h2").textContent(), "Aibek asks to join");
    await waitUntil("the knock count in the host's title", async () => (await host.title()).startsWith("(1 waiting) "));

    // From Admit to the guest's first decoded remote frame, timed inside the guest's page.
    const firstFrame = guest.evaluate(
      () =>
        new Promise<number>((resolve) => {
          const tick = async () => {
            let frames = 0;
            for (const pc of (globalThis as unknown as Hooked).roomlink.session.peerConnections) {
              (await pc.getStats()).forEach((s) => {
                if (s.type === "inbound-rtp" && s.kind === "video") frames += s.framesDecoded ?? 0;
              });
            }
            if (frames > 0) resolve(Date.now());
            else setTimeout(tick, 10);
          };
          void tick();
        }),
    );
    const t0 = Date.now();
    await host.getByTestId("admit").click();
    report("admit → first remote frame", (await firstFrame) - t0, "ms");
    await guest.waitForSelector('[data-testid="room"][data-status="joined"][data-role="member"]');
    await waitForRemoteVideo(guest, 1);
    await waitForRemoteVideo(host, 1);
    await host.getByTestId("knock-prompt").waitFor({ state: "detached" });
    await waitUntil("the host's title without the knock", async () => !(await host.title()).includes("waiting"));
  });

  it("a second guest is denied and sees the message; asking again waits", async () => {
    const denied = await newPage();
    await knock(denied, state.room, "Bolot");
    await state.host.getByTestId("knock-prompt").waitFor();
    await state.host.getByTestId("deny").click();
    await denied.waitForSelector('[data-testid="lobby"][data-stage="denied"]');
    assert.equal(await denied.getByTestId("lobby-text").textContent(), "A host denied your request to join.");
    assert.equal(await denied.getByTestId("ask-again").isDisabled(), true);
    assert.match((await denied.getByTestId("ask-again-wait").textContent()) ?? "", /^You can ask again in \d+ seconds?\.$/);
    await state.host.getByTestId("knock-prompt").waitFor({ state: "detached" });
    await denied.context().close();
  });

  it("ask to mute turns the target's mic off, with a notice; the others see the mute indicator", async () => {
    const third = (state.third = await newPage());
    await knock(third, state.room, "Cholpon");
    await state.host.getByTestId("admit").click();
    await third.waitForSelector('[data-testid="room"][data-status="joined"]');
    await waitForRemoteVideo(third, 2);

    const guestId = await selfId(state.guest);
    await personAction(state.host, guestId, "ask-mute");
    await state.guest.getByTestId("mute-request").waitFor();
    assert.equal(await state.guest.getByTestId("mute-request").locator("span").textContent(), "Host asked you to mute; your microphone is off.");
    assert.equal(await state.guest.getByTestId("mic").getAttribute("aria-pressed"), "true");
    for (const other of [state.host, state.third]) await other.getByTestId(`tile-camera-${guestId}`).getByTestId("mic-off").waitFor();
    await state.guest.getByTestId("dismiss").click();
  });

  it("a removed member's tile disappears for everyone and its peer connections close", async () => {
    const guestId = await selfId(state.guest);
    for (const page of [state.host, state.third]) assert.equal(await stash(page), 2);
    assert.equal(await stash(state.guest), 2);
    await personAction(state.host, guestId, "remove");
    await state.host.getByTestId("confirm-remove").getByTestId("confirm-ok").click();

    await state.guest.waitForSelector('[data-testid="refused"][data-code="4403"]');
    assert.equal(await state.guest.locator('[data-testid="refused"] .notice-text').textContent(), "You were removed from the room.");
    assert.equal(new URL(state.guest.url()).pathname, "/", "the room left the address bar: a reload does not walk back in");
    // The removed page closed all of its connections.
    assert.deepEqual((await stashed(state.guest)).states, ["closed", "closed"]);
    for (const page of [state.host, state.third]) {
      await page.getByTestId(`tile-camera-${guestId}`).waitFor({ state: "detached" });
      await waitUntil("the connection to the removed member dropped", async () => (await stashed(page)).live === 1);
      const s = await stashed(page);
      // Exactly one connection left the list: the removed member's, and it is closed.
      assert.equal(s.stillListed, 1);
      assert.deepEqual(s.states.filter((x) => x === "closed"), ["closed"]);
      assert.equal((await mediaStats(page))[0]?.state, "connected");
    }
    await state.guest.context().close();
  });

  it("the passcode screen: wrong, then right", async () => {
    await openSettings(state.host);
    await state.host.getByTestId("setting-lobby").uncheck();
    await state.host.getByTestId("setting-passcode").fill("2468");
    await state.host.getByTestId("passcode-set").click();
    await waitUntil("the passcode is set", async () => (await state.host.getByTestId("passcode-state").textContent()) === "Joining needs a passcode.");
    await state.host.getByTestId("settings-close").click();

    const late = await newPage();
    await knock(late, state.room, "Dinara");
    await late.waitForSelector('[data-testid="passcode-screen"][data-stage="passcode"]');
    assert.equal(await late.getByTestId("passcode-error").count(), 0, "not wrong: none was given yet");
    await late.getByTestId("passcode-input").fill("1111");
    await late.getByTestId("passcode-submit").click();
    await late.getByTestId("passcode-error").waitFor();
    assert.equal(await late.getByTestId("passcode-error").textContent(), "Wrong passcode. 4 tries left.");
    await late.getByTestId("passcode-input").fill("2468");
    await late.getByTestId("passcode-submit").click();
    // Past the passcode comes the lobby, although it is off: the member removed above came from
    // this address too (every browser here is 127.0.0.1), and the room makes that address knock.
    await late.waitForSelector('[data-testid="lobby"][data-stage="waiting"]');
    await state.host.getByTestId("admit").click();
    await late.waitForSelector('[data-testid="room"][data-status="joined"]');
    await waitForRemoteVideo(late, 2);
    await late.context().close();
  });

  it("a locked room turns a newcomer away, but not the host link of another device", async () => {
    await openSettings(state.host);
    await state.host.getByTestId("setting-lock").check();
    await state.host.getByTestId("copy-host-link").click();
    const link = await state.host.evaluate(() => navigator.clipboard.readText());
    await state.host.getByTestId("settings-close").click();
    assert.match(link, new RegExp(`/r/${state.room}#host=[A-Za-z0-9_-]{22}$`));

    const stranger = await newPage();
    await knock(stranger, state.room, "Elnura");
    await stranger.waitForSelector('[data-testid="refused"][data-code="4423"]');
    assert.equal(await stranger.locator('[data-testid="refused"] .notice-text').textContent(), "This room is locked: nobody new can join.");
    await stranger.context().close();

    const laptop = await newPage();
    await laptop.goto(link);
    await laptop.getByTestId("name").waitFor();
    // The key left the address bar before anything else ran; it is kept for the room.
    assert.equal(new URL(laptop.url()).hash, "");
    await laptop.getByTestId("name").fill("Host laptop");
    await laptop.getByTestId("join").click();
    await laptop.waitForSelector('[data-testid="room"][data-status="joined"][data-role="host"]');
    await openPeople(state.third);
    await state.third.locator('[data-testid="person"][data-role="host"]').nth(1).waitFor();
    await laptop.context().close();
  });

  it("the host ends the meeting for everyone", async () => {
    await state.host.getByTestId("leave").click();
    await state.host.getByTestId("leave-dialog").waitFor();
    await state.host.getByTestId("end-meeting").click();
    for (const page of [state.host, state.third]) {
      await page.waitForSelector('[data-testid="refused"][data-code="4405"]');
      assert.equal(await page.locator('[data-testid="refused"] .notice-text').textContent(), "The host ended the meeting.");
    }
    await state.host.context().close();
    await state.third.context().close();
  });
});
