import { describe, expect, it } from "vitest";
import { StreamRoles, type RemoteStreams } from "../../web/src/engine/peer/stream-roles";

/** A MediaStream that counts its listeners. */
class FakeStream extends EventTarget {
  listeners = 0;
  constructor(readonly id: string, private readonly video = true) {
    super();
  }
  getVideoTracks() {
    return this.video ? [{}] : [];
  }
  override addEventListener(type: string, fn: EventListener) {
    this.listeners++;
    super.addEventListener(type, fn);
  }
  override removeEventListener(type: string, fn: EventListener) {
    this.listeners--;
    super.removeEventListener(type, fn);
  }
}

const track = (pc: EventTarget, stream: FakeStream) => pc.dispatchEvent(Object.assign(new Event("track"), { streams: [stream], track: {} }));

describe("StreamRoles", () => {
  it("names the camera and screen streams, in whichever order names and tracks arrive", () => {
    const pc = new EventTarget();
    const seen: RemoteStreams[] = [];
    const roles = new StreamRoles(pc, (s) => seen.push(s));
    const cam = new FakeStream("cam");
    const screen = new FakeStream("screen");
    track(pc, screen);
    roles.name({ camera: "cam", screen: "screen" });
    track(pc, cam);
    expect(seen.at(-1)).toEqual({ camera: cam, screen });
    roles.close();
  });

  it("listens to each stream once however many tracks it brings, and removes every listener on close", () => {
    const pc = new EventTarget();
    let reports = 0;
    const roles = new StreamRoles(pc, () => reports++);
    const cam = new FakeStream("cam");
    track(pc, cam);
    track(pc, cam);
    expect(cam.listeners).toBe(2); // addtrack and removetrack, once
    roles.close();
    expect(cam.listeners).toBe(0);
    const before = reports;
    cam.dispatchEvent(new Event("removetrack"));
    track(pc, cam);
    expect(reports).toBe(before);
  });
});
