import { describe, expect, it } from "vitest";
import { AUDIO_BPS, audioOnlyCaps, LinkQuality, LOW_SCREEN, peerCaps, scaleCap } from "../../web/src/engine/mesh/bitrate-budget";

describe("bitrate budget", () => {
  it("keeps the sum of all copies within the budget, audio first", () => {
    for (const peers of [1, 2, 3, 5, 7]) {
      const caps = peerCaps({ budgetBps: 2_500_000, peers, screen: false });
      expect(caps.audio.maxBitrate).toBe(AUDIO_BPS);
      expect(peers * (caps.camera.maxBitrate + caps.audio.maxBitrate)).toBeLessThanOrEqual(2_500_000);
    }
  });

  it("raises each copy's share when someone leaves, and lowers resolution and frame rate as it shrinks", () => {
    const three = peerCaps({ budgetBps: 2_500_000, peers: 3, screen: false }).camera;
    const two = peerCaps({ budgetBps: 2_500_000, peers: 2, screen: false }).camera;
    expect(two.maxBitrate).toBeGreaterThan(three.maxBitrate);
    expect(peerCaps({ budgetBps: 2_500_000, peers: 1, screen: false }).camera).toMatchObject({ scaleResolutionDownBy: 1, maxFramerate: 24 });
    expect(peerCaps({ budgetBps: 2_500_000, peers: 7, screen: false }).camera).toMatchObject({ maxBitrate: 325_142, scaleResolutionDownBy: 1.5, maxFramerate: 24 });
    expect(peerCaps({ budgetBps: 600_000, peers: 5, screen: false }).camera).toMatchObject({ scaleResolutionDownBy: 3, maxFramerate: 15 });
  });

  it("never goes below a floor per copy, even past the budget (a tiny, slow picture beats none)", () => {
    expect(peerCaps({ budgetBps: 200_000, peers: 7, screen: false }).camera.maxBitrate).toBe(50_000);
  });

  it("gives a shared screen two thirds, at full resolution and a low frame rate", () => {
    const caps = peerCaps({ budgetBps: 2_500_000, peers: 3, screen: true });
    const perPeer = (2_500_000 - 3 * AUDIO_BPS) / 3;
    expect(caps.screen).toEqual({ maxBitrate: Math.floor((perPeer * 2) / 3), scaleResolutionDownBy: 1, maxFramerate: 8 });
    expect(caps.camera.maxBitrate + caps.screen!.maxBitrate).toBeLessThanOrEqual(Math.ceil(perPeer) + 1);
  });

  it("on a stage, gives audio-only copies their audio and a low screen, and the video copies the rest", () => {
    // No audio-only copies: exactly a meeting's caps.
    expect(peerCaps({ budgetBps: 2_500_000, peers: 7, screen: true, audioOnly: 0 })).toEqual(peerCaps({ budgetBps: 2_500_000, peers: 7, screen: true }));
    const caps = peerCaps({ budgetBps: 2_500_000, peers: 10, screen: false, audioOnly: 2 });
    expect(caps.camera.maxBitrate).toBe(Math.floor((2_500_000 - 10 * AUDIO_BPS) / 8));
    const sharing = peerCaps({ budgetBps: 2_500_000, peers: 10, screen: true, audioOnly: 2 });
    const perVideoPeer = (2_500_000 - 10 * AUDIO_BPS - 2 * LOW_SCREEN.maxBitrate) / 8;
    expect(8 * (sharing.camera.maxBitrate + sharing.screen!.maxBitrate) + 2 * LOW_SCREEN.maxBitrate + 10 * AUDIO_BPS).toBeLessThanOrEqual(2_500_000 + 8);
    expect(sharing.screen!.maxBitrate).toBe(Math.floor((perVideoPeer * 2) / 3));
    expect(audioOnlyCaps(true)).toMatchObject({ screen: { maxBitrate: 150_000, maxFramerate: 5 }, audio: { maxBitrate: AUDIO_BPS } });
    expect(audioOnlyCaps(false).screen).toBeNull();
  });

  it("scales one struggling link down, keeping a screen sharp", () => {
    const cam = peerCaps({ budgetBps: 2_500_000, peers: 1, screen: false }).camera;
    expect(scaleCap(cam, 0.49, "camera")).toMatchObject({ maxBitrate: Math.floor(cam.maxBitrate * 0.49), scaleResolutionDownBy: 1 });
    expect(scaleCap(cam, 0.1, "camera")).toMatchObject({ scaleResolutionDownBy: 2, maxFramerate: 15 });
    expect(scaleCap(cam, 1, "camera")).toBe(cam);
    const screen = { maxBitrate: 800_000, scaleResolutionDownBy: 1, maxFramerate: 8 };
    expect(scaleCap(screen, 0.5, "screen")).toEqual({ maxBitrate: 400_000, scaleResolutionDownBy: 1, maxFramerate: 8 });
  });
});

describe("link quality", () => {
  it("steps down after sustained loss or delay, not after one bad report, and recovers slowly", () => {
    const q = new LinkQuality();
    expect(q.report(0.2, 0.05)).toBe(false);
    expect(q.report(0.01, 0.05)).toBe(false); // a good report breaks the streak
    expect(q.report(0.1, 0.05)).toBe(false);
    expect(q.report(0.0, 0.6)).toBe(true);
    expect(q.factor).toBeCloseTo(0.7);
    for (let i = 0; i < 20; i++) q.report(0.5, 1);
    expect(q.factor).toBeCloseTo(0.3);
    q.report(0, 0.05);
    expect(q.report(0, 0.05)).toBe(true);
    expect(q.factor).toBeCloseTo(0.33);
  });
});
