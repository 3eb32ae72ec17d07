// Camera flip (issue #15) against a stand-in MediaDevices with two cameras: which camera is asked
// for (the other side by facingMode, else the next device), that the old camera is stopped before
// the new one is asked for, and what happens when the other camera will not open.

import { beforeAll, describe, expect, it } from "vitest";
import { facingOf, flipPlan } from "../../web/src/engine/media/camera-flip";

class FakeStream {
  readonly id = "stream";
  private readonly tracks: FakeTrack[] = [];
  addTrack(t: FakeTrack) {
    this.tracks.push(t);
  }
  removeTrack(t: FakeTrack) {
    const at = this.tracks.indexOf(t);
    if (at >= 0) this.tracks.splice(at, 1);
  }
  getTracks() {
    return [...this.tracks];
  }
}

class FakeTrack {
  enabled = true;
  readyState: "live" | "ended" = "live";
  readonly label: string;
  constructor(
    readonly kind: string,
    readonly camera: FakeCamera | null,
    private readonly log: string[],
  ) {
    this.label = camera?.id ?? "mic";
  }
  stop() {
    if (this.readyState === "ended") return;
    this.readyState = "ended";
    this.log.push(`stop ${this.label}`);
  }
  getSettings(): MediaTrackSettings {
    return this.camera ? { deviceId: this.camera.id, ...(this.camera.facing ? { facingMode: this.camera.facing } : {}) } : {};
  }
}

interface FakeCamera {
  id: string;
  facing?: "user" | "environment";
  /** The DOMException name getUserMedia rejects with for this camera. */
  fails?: string;
}

/** Two (or more) cameras; getUserMedia picks one by exact facingMode or deviceId, as a browser does. */
function devices(cameras: FakeCamera[], opts: { busyWhileOpen?: boolean } = {}) {
  const log: string[] = [];
  const open = new Set<FakeTrack>();
  const fake = {
    async getUserMedia(c: MediaStreamConstraints) {
      if (!c.video) {
        const t = new FakeTrack("audio", null, log);
        return { getTracks: () => [t], getVideoTracks: () => [] };
      }
      const v = c.video as MediaTrackConstraints;
      const facing = (v.facingMode as { exact?: string } | undefined)?.exact;
      const id = (v.deviceId as { exact?: string } | undefined)?.exact;
      log.push(`open ${facing ? `facing=${facing}` : id ? `device=${id}` : "any"}`);
      const camera = facing ? cameras.find((k) => k.facing === facing) : id ? cameras.find((k) => k.id === id) : cameras[0];
      if (!camera) throw new DOMException("no such camera", "OverconstrainedError");
      if (camera.fails) throw new DOMException("refused", camera.fails);
      // Some phones refuse a second camera while one is open (mdn/content#29945).
      if (opts.busyWhileOpen && [...open].some((t) => t.readyState === "live")) throw new DOMException("busy", "NotReadableError");
      const t = new FakeTrack("video", camera, log);
      open.add(t);
      return { getTracks: () => [t], getVideoTracks: () => [t] };
    },
    enumerateDevices: async () => cameras.map((k) => ({ kind: "videoinput", deviceId: k.id, label: k.id, groupId: "" })),
    addEventListener() {},
    removeEventListener() {},
  };
  return { log, fake: fake as unknown as MediaDevices };
}

describe("flipPlan", () => {
  const base = { width: { ideal: 640 } };
  it("asks for the other side by exact facingMode first, then the next device", () => {
    expect(flipPlan({ facing: "user", deviceId: "a" }, ["a", "b"], base)).toEqual([
      { ...base, facingMode: { exact: "environment" } },
      { ...base, deviceId: { exact: "b" } },
    ]);
  });
  it("flips by device when the camera does not say which way it faces, wrapping round", () => {
    expect(flipPlan({ facing: null, deviceId: "c" }, ["a", "b", "c"], base)).toEqual([{ ...base, deviceId: { exact: "a" } }]);
    expect(flipPlan({ facing: null, deviceId: null }, ["a", "b"], base)).toEqual([{ ...base, deviceId: { exact: "a" } }]);
  });
  it("has nothing to try with one camera that does not say its side", () => {
    expect(flipPlan({ facing: null, deviceId: "a" }, ["a"], base)).toEqual([]);
  });
  it("reads the side from the settings, else from a capability that names one side", () => {
    expect(facingOf({ getSettings: () => ({ facingMode: "environment" }) })).toBe("environment");
    expect(facingOf({ getSettings: () => ({}), getCapabilities: () => ({ facingMode: ["user"] }) })).toBe("user");
    expect(facingOf({ getSettings: () => ({}), getCapabilities: () => ({ facingMode: ["user", "environment"] }) })).toBeNull();
    expect(facingOf({ getSettings: () => ({ facingMode: "left" }) })).toBeNull();
  });
});

describe("LocalMedia.flipCamera", () => {
  let LocalMedia: typeof import("../../web/src/engine/media/local-media").LocalMedia;
  beforeAll(async () => {
    (globalThis as unknown as { MediaStream: unknown }).MediaStream = FakeStream;
    ({ LocalMedia } = await import("../../web/src/engine/media/local-media"));
  });

  async function started(cameras: FakeCamera[], opts?: { busyWhileOpen?: boolean }) {
    const d = devices(cameras, opts);
    const media = new LocalMedia(d.fake);
    await media.start({ mic: false, cam: true });
    const tracks: Array<MediaStreamTrack | null> = [];
    media.on("tracks", (t) => tracks.push(t.video));
    d.log.length = 0;
    return { ...d, media, tracks };
  }

  it("stops the front camera before asking for the back one by facingMode, and hands the new track on once", async () => {
    const { log, media, tracks } = await started([{ id: "front", facing: "user" }, { id: "back", facing: "environment" }], { busyWhileOpen: true });
    expect(media.state.facing).toBe("user");
    expect(await media.flipCamera()).toBe(true);
    expect(log).toEqual(["stop front", "open facing=environment"]);
    expect(media.tracks.video?.label).toBe("back");
    expect(media.cameraStream.getTracks().map((t) => t.label)).toEqual(["back"]);
    // One "tracks" event, with the new track: the mesh swaps it in with replaceTrack.
    expect(tracks.map((t) => t?.label)).toEqual(["back"]);
    expect(media.state).toMatchObject({ cam: true, facing: "environment", flipError: null, choice: { videoIn: "back" } });
    // And back again.
    expect(await media.flipCamera()).toBe(true);
    expect(media.state.facing).toBe("user");
  });

  it("falls back to the next device when the other side cannot be had by facingMode", async () => {
    // Two cameras that do not say their side (a laptop's and a USB one), and one that says "user" with no "environment" beside it.
    const { log, media } = await started([{ id: "front", facing: "user" }, { id: "usb" }]);
    expect(await media.flipCamera()).toBe(true);
    expect(log).toEqual(["stop front", "open facing=environment", "open device=usb"]);
    expect(media.tracks.video?.label).toBe("usb");
    expect(media.state.facing).toBeNull();
    expect(await media.flipCamera()).toBe(true);
    expect(log.slice(3)).toEqual(["stop usb", "open device=front"]);
  });

  it("when the other camera will not open, gets the old one back and says why", async () => {
    const { log, media, tracks } = await started([{ id: "front", facing: "user" }, { id: "back", facing: "environment", fails: "NotReadableError" }]);
    expect(await media.flipCamera()).toBe(false);
    expect(log).toEqual(["stop front", "open facing=environment", "open device=back", "open device=front"]);
    expect(media.tracks.video?.label).toBe("front");
    expect(media.tracks.video?.readyState).toBe("live");
    expect(media.state).toMatchObject({ cam: true, flipError: "device-busy", facing: "user" });
    expect(tracks.map((t) => t?.label)).toEqual(["front"]);
  });

  it("when neither opens, the camera is off and the error kept; the next flip clears it", async () => {
    const cameras: FakeCamera[] = [{ id: "front", facing: "user" }, { id: "back", facing: "environment", fails: "NotAllowedError" }];
    const { media, tracks } = await started(cameras);
    cameras[0]!.fails = "NotReadableError";
    expect(await media.flipCamera()).toBe(false);
    expect(media.tracks.video).toBeNull();
    expect(media.state).toMatchObject({ cam: false, flipError: "permission-denied" });
    expect(tracks).toEqual([null]);
    // Nothing open: nothing to flip.
    expect(await media.flipCamera()).toBe(false);
    cameras[0]!.fails = undefined;
    cameras[1]!.fails = undefined;
    await media.setCam(true);
    expect(await media.flipCamera()).toBe(true);
    expect(media.state.flipError).toBeNull();
  });

  it("does nothing with a single camera that does not say its side, and refuses a second flip while one runs", async () => {
    const single = await started([{ id: "only" }]);
    expect(await single.media.flipCamera()).toBe(false);
    expect(single.log).toEqual([]);
    const { media, log } = await started([{ id: "front", facing: "user" }, { id: "back", facing: "environment" }]);
    const [a, b] = await Promise.all([media.flipCamera(), media.flipCamera()]);
    expect([a, b]).toEqual([true, false]);
    expect(log).toEqual(["stop front", "open facing=environment"]);
  });

  it("turned off during a flip, closes the camera that arrives", async () => {
    const { media } = await started([{ id: "front", facing: "user" }, { id: "back", facing: "environment" }]);
    const flip = media.flipCamera();
    await media.setCam(false);
    expect(await flip).toBe(false);
    expect(media.tracks.video).toBeNull();
    expect(media.state.cam).toBe(false);
  });

  it("after the background, opens again a camera that ended while on, and drops a muted mic's ended track", async () => {
    const { media, log, tracks } = await started([{ id: "front", facing: "user" }, { id: "back", facing: "environment" }]);
    await media.setMic(true);
    await media.setMic(false);
    const mic = media.tracks.audio!;
    (media.tracks.video as unknown as FakeTrack).readyState = "ended";
    (mic as unknown as FakeTrack).readyState = "ended";
    tracks.length = 0;
    await media.restartEnded();
    expect(log).toContain("open device=front");
    expect(media.tracks.video?.readyState).toBe("live");
    expect(media.tracks.audio).toBeNull();
    expect(media.state).toMatchObject({ cam: true, mic: false });
    // A live track is left alone.
    log.length = 0;
    await media.restartEnded();
    expect(log).toEqual([]);
  });
});
