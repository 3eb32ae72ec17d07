// The way into a room, in Chromium with fake devices: the landing page's link field and recent
// rooms, and the pre-join screen's remembered name, device pickers, level meter and joining with
// the camera and mic off.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { appAndBrowser, createRoom, joinRoom, newPeerContext, waitForRemoteVideo, waitUntil } from "./harness.ts";

const env = appAndBrowser();

describe("the way into a room", () => {
  it("opens a pasted link or id, explains a bad one, and lists rooms visited", async () => {
    const room = await createRoom(env.app);
    const page = await (await newPeerContext(env.browser, env.app)).newPage();
    await page.goto(env.app.url);
    assert.equal(await page.locator(".recent").count(), 0, "no recent rooms on a first visit");

    await page.locator("#join-link").fill("not a room link");
    await page.locator(".join-form button").click();
    await page.getByRole("alert").waitFor();

    await page.locator("#join-link").fill(`${env.app.url}/r/${room}`);
    await page.locator(".join-form button").click();
    await page.waitForURL(`${env.app.url}/r/${room}`);
    await page.getByTestId("name").fill("Asel");
    await page.getByTestId("join").click();
    await page.waitForSelector('[data-testid="room"][data-status="joined"]');

    await page.goto(env.app.url);
    assert.deepEqual(await page.locator(".recent a").allTextContents(), [room]);
    // A bare id works as well as a link.
    await page.locator("#join-link").fill(room);
    await page.locator(".join-form button").click();
    await page.waitForURL(`${env.app.url}/r/${room}`);
    await page.context().close();
  });

  it("remembers the name, lists the devices, shows the mic level, and joins with camera and mic off", async () => {
    const room = await createRoom(env.app);
    const other = await (await newPeerContext(env.browser, env.app)).newPage();
    await joinRoom(other, env.app, room, "Other");

    const ctx = await newPeerContext(env.browser, env.app);
    const page = await ctx.newPage();
    await page.goto(`${env.app.url}/r/${room}`);
    await page.getByTestId("pick-videoIn").waitFor(); // devices are listed once they are open
    assert.ok((await page.getByTestId("pick-videoIn").locator("option").count()) >= 1, "a camera to pick");
    assert.ok((await page.getByTestId("pick-audioIn").locator("option").count()) >= 1, "a microphone to pick");
    // Chromium's fake microphone beeps: the meter must move.
    await waitUntil("the level meter moves", async () => Number(await page.getByRole("meter").getAttribute("aria-valuenow")) > 0.02, 10_000);

    await joinRoom(page, env.app, room, "Quiet", { cam: false, mic: false });
    const tracks = await page.evaluate(() => {
      const media = (globalThis as unknown as { roomlink: { media: { tracks: { audio: MediaStreamTrack | null; video: MediaStreamTrack | null } } } }).roomlink.media;
      return { video: media.tracks.video, audioEnabled: media.tracks.audio?.enabled ?? false };
    });
    assert.deepEqual(tracks, { video: null, audioEnabled: false }, "camera released, mic muted");
    const tile = other.locator(".tile.camera:not(.self)");
    await tile.getByTestId("cam-off").waitFor();
    await tile.getByTestId("mic-off").waitFor();

    // Ctrl+E turns the camera on (and off) from the room, as in Google Meet.
    await page.keyboard.press("Control+e");
    await tile.getByTestId("cam-off").waitFor({ state: "detached" });
    await waitForRemoteVideo(other, 1);

    // The name is remembered for the next visit.
    const again = await ctx.newPage();
    await again.goto(`${env.app.url}/r/${room}`);
    assert.equal(await again.getByTestId("name").inputValue(), "Quiet");
    await ctx.close();
    await other.context().close();
  });
});
