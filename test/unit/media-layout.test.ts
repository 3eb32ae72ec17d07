// Which transceivers carry what: a meeting's two-way camera and mic, a stage viewer's
// receive-only ones (no track, so no outbound-rtp), a speaker answering a viewer's receive-only
// offer with its media at once, promotion and demotion, and a tier that drops only the camera.

import { describe, expect, it } from "vitest";
import { MediaLayout, type Sending } from "../../web/src/engine/peer/media-layout";
import { cameraOn, FakePeerConnection, fakeStream, fakeTrack } from "./fake-peer-connection";

const VIEWER: Sending = { publish: false, video: true };

function layout(sending?: Sending, local = cameraOn()) {
  const pc = new FakePeerConnection();
  return { pc, local, layout: new MediaLayout(pc, local, "remote", sending) };
}

const settle = () => new Promise((r) => setTimeout(r, 0));
const shape = (pc: FakePeerConnection) => pc.transceivers.map((t) => `${t.receiver.track.kind} ${t.direction} ${t.sender.track?.id ?? "-"}`);

describe("MediaLayout in a meeting", () => {
  it("offers two-way camera and mic carrying our tracks, on our camera stream", () => {
    const { pc, layout: l } = layout();
    l.attach();
    expect(shape(pc)).toEqual(["audio sendrecv audio-1", "video sendrecv video-1"]);
    expect(pc.transceivers.map((t) => t.sender.streams)).toEqual([["cam"], ["cam"]]);
  });

  it("answers a two-way offer on the offered transceivers, and a one-way one (an older page) with its own after the answer", async () => {
    const two = layout();
    two.layout.beforeAnswer(two.pc.remoteOffer([["audio", "sendrecv"], ["video", "sendrecv"]]));
    two.layout.afterAnswer();
    await settle();
    expect(shape(two.pc)).toEqual(["audio sendrecv audio-1", "video sendrecv video-1"]);

    const old = layout();
    old.layout.beforeAnswer(old.pc.remoteOffer([["audio", "sendonly"], ["video", "sendonly"]]));
    expect(old.layout.senders).toBeNull();
    old.layout.afterAnswer();
    expect(shape(old.pc)).toEqual(["audio recvonly -", "video recvonly -", "audio sendrecv audio-1", "video sendrecv video-1"]);
  });

  it("a muted mic puts nothing on the wire, and unmuting puts the same open track back on the same transceivers (no renegotiation)", async () => {
    const { pc, layout: l } = layout();
    l.attach();
    await l.replaceCameraTracks({ ...cameraOn(), micOn: false });
    expect(shape(pc)).toEqual(["audio sendrecv -", "video sendrecv video-1"]);
    await l.replaceCameraTracks(cameraOn());
    expect(shape(pc)).toEqual(["audio sendrecv audio-1", "video sendrecv video-1"]);
  });

  it("answering while muted, the mic's transceiver carries nothing until unmuted", async () => {
    const { pc, layout: l } = layout(undefined, { ...cameraOn(), micOn: false });
    l.beforeAnswer(pc.remoteOffer([["audio", "sendrecv"], ["video", "sendrecv"]]));
    l.afterAnswer();
    await settle();
    expect(shape(pc)).toEqual(["audio sendrecv -", "video sendrecv video-1"]);
  });
});

describe("MediaLayout on a stage", () => {
  it("as a viewer offers receive-only camera and mic with no track, and never a screen", () => {
    const local = { ...cameraOn(), screenStream: fakeStream("screen", [fakeTrack("video", "screen-v")]) };
    const { pc, layout: l } = layout(VIEWER, local);
    l.attach();
    expect(shape(pc)).toEqual(["audio recvonly -", "video recvonly -"]);
    l.setScreen(local.screenStream);
    expect(pc.transceivers).toHaveLength(2);
  });

  it("as a viewer answers a speaker's offer receive-only, on the offered transceivers", async () => {
    const { pc, layout: l } = layout(VIEWER);
    l.beforeAnswer(pc.remoteOffer([["audio", "sendrecv"], ["video", "sendrecv"]]));
    l.afterAnswer();
    await settle();
    expect(shape(pc)).toEqual(["audio recvonly -", "video recvonly -"]);
  });

  it("as a speaker answers a viewer's receive-only offer with its media in that first answer (JSEP makes it sendonly)", async () => {
    const { pc, layout: l } = layout();
    l.beforeAnswer(pc.remoteOffer([["audio", "recvonly"], ["video", "recvonly"]]));
    l.afterAnswer();
    await settle();
    // No transceivers of our own, so no second offer: the answer already carries camera and mic.
    expect(shape(pc)).toEqual(["audio sendrecv audio-1", "video sendrecv video-1"]);
    expect(l.senders?.camera.track?.id).toBe("video-1");
  });

  it("promotion publishes camera, mic and screen two-way; demotion takes them off and goes receive-only", async () => {
    const local = { ...cameraOn(), screenStream: fakeStream("screen", [fakeTrack("video", "screen-v")]) };
    const { pc, layout: l } = layout(VIEWER, local);
    l.attach();
    l.setSending({ publish: true, video: true });
    await settle();
    expect(shape(pc)).toEqual(["audio sendrecv audio-1", "video sendrecv video-1", "video sendonly screen-v"]);
    l.setSending(VIEWER);
    await settle();
    expect(shape(pc)).toEqual(["audio recvonly -", "video recvonly -", "video inactive -"]);
  });

  it("a tier without video drops only the camera's track, without renegotiating, and keeps it off across device changes", async () => {
    const { pc, layout: l } = layout();
    l.attach();
    l.setSending({ publish: true, video: false });
    await settle();
    expect(shape(pc)).toEqual(["audio sendrecv audio-1", "video sendrecv -"]);
    await l.replaceCameraTracks({ ...cameraOn(), video: fakeTrack("video", "other-cam") });
    expect(shape(pc)).toEqual(["audio sendrecv audio-1", "video sendrecv -"]);
    l.setSending({ publish: true, video: true });
    await settle();
    expect(shape(pc)).toEqual(["audio sendrecv audio-1", "video sendrecv other-cam"]);
  });

  it("a tier decided before the offer arrives applies to the answer", async () => {
    const { pc, layout: l } = layout();
    l.setSending({ publish: true, video: false });
    l.beforeAnswer(pc.remoteOffer([["audio", "recvonly"], ["video", "recvonly"]]));
    await settle();
    expect(shape(pc)).toEqual(["audio sendrecv audio-1", "video sendrecv -"]);
  });
});
