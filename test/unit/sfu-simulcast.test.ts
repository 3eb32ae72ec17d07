// The camera's simulcast layers are sized to the capture: as many as libwebrtc sends for it, the
// top ones, so that no layer is announced that never flows (a puller of it would get no video).

import { describe, expect, it } from "vitest";
import { addCamera, layersFor } from "../../web/src/engine/sfu/simulcast";
import { FakeSfuPc, stream, track } from "./sfu-fakes";

const rids = (w?: number, h?: number) => layersFor(w, h).map((l) => l.rid);

describe("layersFor", () => {
  it("asks for three layers from 960×540, the top two from 480×270, one below", () => {
    expect(rids(1280, 720)).toEqual(["h", "m", "l"]);
    expect(rids(960, 540)).toEqual(["h", "m", "l"]);
    // The app's camera: 360p and 180p, not 180p and 90p.
    expect(rids(640, 360)).toEqual(["h", "m"]);
    expect(rids(640, 480)).toEqual(["h", "m"]);
    expect(rids(480, 270)).toEqual(["h", "m"]);
    expect(rids(320, 180)).toEqual(["h"]);
  });

  it("asks for all three when the capture's size is unknown", () => {
    expect(rids()).toEqual(["h", "m", "l"]);
    expect(rids(640, undefined)).toEqual(["h", "m", "l"]);
  });
});

describe("addCamera", () => {
  const camera = (width: number, height: number) => Object.assign(track("video"), { getSettings: () => ({ width, height }) }) as MediaStreamTrack;

  it("sends the capture's layers lowest first and announces them highest first", () => {
    const pc = new FakeSfuPc();
    const t = camera(640, 360);
    const { rids, height } = addCamera(pc as unknown as RTCPeerConnection, t, stream("camera", [t]));
    expect(rids).toEqual(["h", "m"]);
    expect(height).toBe(360);
    expect(pc.getTransceivers()[0]!.sender.getParameters().encodings.map((e) => [e.rid, e.scaleResolutionDownBy])).toEqual([["m", 2], ["h", 1]]);
  });

  it("sends one layer, and announces no rids, for a capture too small for two", () => {
    const pc = new FakeSfuPc();
    const t = camera(320, 180);
    expect(addCamera(pc as unknown as RTCPeerConnection, t, stream("camera", [t]))).toMatchObject({ rids: [] });
    expect(addCamera(pc as unknown as RTCPeerConnection, t, stream("camera", [t])).height).toBeUndefined();
  });
});
