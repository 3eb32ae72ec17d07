import { beforeAll, describe, expect, it } from "vitest";

/** Just enough of MediaStream for LocalMedia in Node. */
class FakeStream {
  readonly id = "stream";
  private readonly tracks: FakeTrack[] = [];
  addTrack(t: FakeTrack) {
    this.tracks.push(t);
  }
  removeTrack(t: FakeTrack) {
    this.tracks.splice(this.tracks.indexOf(t), 1);
  }
  getTracks() {
    return [...this.tracks];
  }
}
class FakeTrack {
  enabled = true;
  readyState = "live";
  label = "fake";
  constructor(readonly kind: string) {}
  stop() {
    this.readyState = "ended";
  }
  getSettings() {
    return {};
  }
}

/** getUserMedia whose answers the test releases by hand. */
function devices() {
  const calls: Array<{ kind: string; track: FakeTrack; release: () => void }> = [];
  const fake = {
    getUserMedia(c: MediaStreamConstraints) {
      const kind = c.video ? "video" : "audio";
      const track = new FakeTrack(kind);
      return new Promise((resolve) => calls.push({ kind, track, release: () => resolve({ getTracks: () => [track] }) }));
    },
    enumerateDevices: async () => [],
    addEventListener() {},
    removeEventListener() {},
  };
  return { calls, fake: fake as unknown as MediaDevices };
}

const settle = () => new Promise((r) => setTimeout(r, 0));

describe("LocalMedia while a device is opening", () => {
  let LocalMedia: typeof import("../../web/src/engine/media/local-media").LocalMedia;
  beforeAll(async () => {
    (globalThis as unknown as { MediaStream: unknown }).MediaStream = FakeStream;
    ({ LocalMedia } = await import("../../web/src/engine/media/local-media"));
  });

  it("shows the camera as on while it opens, and turning it off meanwhile closes it when it arrives", async () => {
    const { calls, fake } = devices();
    const media = new LocalMedia(fake);
    const starting = media.setCam(true);
    expect(media.state.cam).toBe(true);
    const off = media.setCam(false);
    await off;
    expect(media.state.cam).toBe(false);
    calls[0]!.release();
    await starting;
    expect(calls[0]!.track.readyState).toBe("ended");
    expect(media.tracks.video).toBeNull();
    expect(media.state.cam).toBe(false);
  });

  it("asked twice while opening, opens the device once", async () => {
    const { calls, fake } = devices();
    const media = new LocalMedia(fake);
    const first = media.setCam(true);
    const second = media.setCam(true);
    await settle();
    expect(calls.filter((c) => c.kind === "video").length).toBe(1);
    calls[0]!.release();
    await Promise.all([first, second]);
    expect(media.tracks.video).toBe(calls[0]!.track);
    expect(calls[0]!.track.readyState).toBe("live");
    expect(media.state.cam).toBe(true);
    media.destroy();
    expect(calls[0]!.track.readyState).toBe("ended");
  });

  it("a mic muted while it opens is closed when it arrives", async () => {
    const { calls, fake } = devices();
    const media = new LocalMedia(fake);
    const starting = media.setMic(true);
    await media.setMic(false);
    calls[0]!.release();
    await starting;
    expect(calls[0]!.track.readyState).toBe("ended");
    expect(media.state.mic).toBe(false);
  });

  it("muting keeps the mic open and tells the transport it sends nothing (micOn), once per change", async () => {
    const { calls, fake } = devices();
    const media = new LocalMedia(fake);
    const told: boolean[] = [];
    media.on("tracks", (t) => told.push(t.micOn));
    const opening = media.setMic(true);
    await settle();
    calls[0]!.release();
    await opening;
    expect(told).toEqual([true]);
    await media.setMic(false);
    expect(media.tracks.audio).toBe(calls[0]!.track);
    expect(calls[0]!.track.readyState).toBe("live");
    expect(calls[0]!.track.enabled).toBe(false);
    expect(told).toEqual([true, false]);
    // Asked again for what it already is: nothing to tell.
    await media.setMic(false);
    expect(told).toEqual([true, false]);
    await media.setMic(true);
    expect(told).toEqual([true, false, true]);
    expect(media.tracks).toMatchObject({ audio: calls[0]!.track, micOn: true });
    expect(calls.length).toBe(1);
  });
});

describe("LocalMedia when a device cannot be opened", () => {
  let mod: typeof import("../../web/src/engine/media/local-media");
  beforeAll(async () => {
    (globalThis as unknown as { MediaStream: unknown }).MediaStream = FakeStream;
    mod = await import("../../web/src/engine/media/local-media");
  });

  it("maps getUserMedia's DOMException names to what a person can act on", () => {
    const code = (name: string) => mod.mediaErrorCode(new DOMException("x", name));
    expect(code("NotAllowedError")).toBe("permission-denied");
    expect(code("SecurityError")).toBe("permission-denied");
    expect(code("NotFoundError")).toBe("no-device");
    expect(code("OverconstrainedError")).toBe("no-device");
    expect(code("NotReadableError")).toBe("device-busy");
    expect(code("AbortError")).toBe("device-busy");
    expect(mod.mediaErrorCode(new TypeError("no mediaDevices"))).toBe("insecure-context");
    expect(code("SomethingNew")).toBe("unknown");
  });

  it("records a busy camera and a missing mic per device, and stays usable without them", async () => {
    const failing = {
      getUserMedia: (c: MediaStreamConstraints) => Promise.reject(new DOMException("x", c.video ? "NotReadableError" : "NotFoundError")),
      enumerateDevices: async () => [],
      addEventListener() {},
      removeEventListener() {},
    } as unknown as MediaDevices;
    const media = new mod.LocalMedia(failing);
    await media.start({ mic: true, cam: true });
    expect(media.state).toMatchObject({ cam: false, mic: false, camError: "device-busy", micError: "no-device" });
    expect(media.tracks).toMatchObject({ audio: null, video: null });
  });
});
