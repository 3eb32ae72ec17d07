// The SFU transport over a fake peer connection and a fake proxy: publishing (with simulcast) and
// the announcement that follows, pulling what others announce and showing it as the mesh's
// camera/screen streams, per-item errors, the layer choice's re-pull, ICE restart and rebuild,
// stats per participant, and a stage viewer publishing nothing.

import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { SfuPublication, TransportClientMessage } from "../../protocol/features/transport";
import type { PeerInfo } from "../../protocol/protocol";
import type { LocalTracks } from "../../web/src/engine/media/local-tracks";
import { SfuError } from "../../web/src/engine/sfu/proxy-client";
import { FAILED_RETRY_MS, SfuTransport } from "../../web/src/engine/sfu/sfu-transport";
import type { TransportEvents } from "../../web/src/engine/session/transport";
import { FakeProxy, FakeSfuPc, makeStream, stream, track, tracksOf } from "./sfu-fakes";

const peer = (id: string, seat: PeerInfo["seat"] = "speaker"): PeerInfo => ({
  id,
  name: id,
  media: { mic: true, cam: true, screen: false },
  joined: 1,
  away: false,
  role: "member",
  seat,
  recording: null,
  sfu: null,
});

let proxy: FakeProxy;
let announced: TransportClientMessage[];
let local: LocalTracks;
let streams: Map<string, Omit<TransportEvents["streams"], "peerId">>;
let states: string[];
let sfu: SfuTransport;
let credentialsStale: boolean;

const flush = async () => {
  for (let i = 0; i < 20; i++) await Promise.resolve();
  await vi.advanceTimersByTimeAsync(0);
};
const pc = () => FakeSfuPc.made.at(-1)!;

function make() {
  sfu = new SfuTransport(
    {
      sendSignal: () => true,
      localTracks: () => local,
      relayOnly: false,
      requestFreshCredentials: () => credentialsStale,
      uploadBudgetBps: () => 2_500_000,
      sharingScreen: () => local.screenStream !== null,
      proxy,
      announce: (msg) => (announced.push(msg), true),
    },
    { RTCPeerConnection: FakeSfuPc as unknown as typeof RTCPeerConnection, makeStream },
  );
  sfu.on("streams", ({ peerId, ...s }) => streams.set(peerId, s));
  sfu.on("connection", ({ peerId, state }) => states.push(`${peerId} ${state}`));
  sfu.setSelf({ id: "me", joined: 1 });
  sfu.setStage({ mode: "meeting", seat: "speaker" });
  return sfu;
}

beforeEach(() => {
  vi.useFakeTimers();
  FakeSfuPc.made = [];
  FakeSfuPc.noSimulcast = false;
  proxy = new FakeProxy();
  announced = [];
  streams = new Map();
  states = [];
  credentialsStale = false;
  const mic = track("audio", "my-mic");
  const cam = track("video", "my-cam");
  local = { cameraStream: stream("cam", [mic, cam]), audio: mic, micOn: true, video: cam, screenStream: null };
});

afterEach(() => {
  sfu.close();
  vi.useRealTimers();
});

/** Bob published a mic and a simulcast camera on session "bob-s". */
const BOB: SfuPublication = { session: "bob-s", tracks: [{ name: "mic-1", role: "mic" }, { name: "camera-2", role: "camera", rids: ["h", "m", "l"] }] };

describe("publishing", () => {
  it("publishes mic and camera (camera in three simulcast layers) on one connection, then announces them", async () => {
    make();
    await flush();
    expect(proxy.routes()).toEqual(["sessions/new", "tracks/new"]);
    const body = proxy.calls[1]!.body as { tracks: Array<{ location: string; trackName: string; mid: string }>; sessionDescription: { type: string } };
    expect(body.sessionDescription.type).toBe("offer");
    expect(body.tracks.map((t) => t.trackName)).toEqual(["mic-1", "camera-2"]);
    const camTx = pc().transceivers.find((t) => t.sender.track?.id === "my-cam")!;
    expect(camTx.direction).toBe("sendonly");
    // Lowest first, as libwebrtc expects (it drops the last ones for a small capture); announced highest first.
    expect(camTx.sender.encodings.map((e) => [e.rid, e.scaleResolutionDownBy])).toEqual([["l", 4], ["m", 2], ["h", 1]]);
    expect(announced).toEqual([
      { type: "sfu-tracks", session: "own1", tracks: [{ name: "mic-1", role: "mic" }, { name: "camera-2", role: "camera", rids: ["h", "m", "l"] }] },
    ]);
    expect(sfu.peerConnections).toHaveLength(1);
  });

  it("sends one layer, and announces no rids, where the browser refuses simulcast", async () => {
    FakeSfuPc.noSimulcast = true;
    make();
    await flush();
    expect(announced.at(-1)).toMatchObject({ tracks: [{ name: "mic-1", role: "mic" }, { name: "camera-2", role: "camera" }] });
    expect((announced.at(-1) as { tracks: Array<{ rids?: string[] }> }).tracks[1]!.rids).toBeUndefined();
  });

  it("swaps a device in place, closes a track turned off, publishes a screen share, and announces each change", async () => {
    make();
    await flush();
    const other = track("video", "other-cam");
    local = { ...local, video: other };
    sfu.setLocalTracks(local);
    await flush();
    expect(pc().transceivers.find((t) => t.mid === "1")!.sender.track?.id).toBe("other-cam");
    expect(proxy.routes().filter((r) => r === "tracks/new")).toHaveLength(1);

    local = { ...local, video: null, screenStream: stream("scr", [track("video", "screen-v")]) };
    sfu.setLocalTracks(local);
    await flush();
    expect(proxy.calls.find((c) => c.route === "tracks/close")!.body).toMatchObject({ tracks: [{ mid: "1" }] });
    expect(announced.at(-1)).toMatchObject({ tracks: [{ name: "mic-1", role: "mic" }, { name: "screen-3", role: "screen" }] });
  });

  it("publishes nothing as a stage's viewer, and takes its tracks back when moved off the stage", async () => {
    make();
    await flush();
    sfu.setStage({ mode: "stage", seat: "viewer" });
    await flush();
    expect(announced.at(-1)).toEqual({ type: "sfu-tracks", session: "own1", tracks: [] });
    expect(pc().transceivers.filter((t) => !t.stopped && t.direction === "sendonly")).toHaveLength(0);
    sfu.setStage({ mode: "meeting", seat: "speaker" });
    await flush();
    expect(announced.at(-1)).toMatchObject({ tracks: [{ name: "mic-3", role: "mic" }, { name: "camera-4", role: "camera" }] });
  });
});

describe("pulling", () => {
  it("tells a stage's viewer that every speaker sends it video: a mesh speaker's \"no video\" (its uplink full) ends with the switch", () => {
    make();
    const tiers: TransportEvents["tier"][] = [];
    sfu.on("tier", (e) => tiers.push(e));
    sfu.setStage({ mode: "stage", seat: "viewer" });
    sfu.addPeer(peer("speaker"));
    sfu.addPeer(peer("another-viewer", "viewer"));
    expect(tiers).toEqual([{ peerId: "speaker", video: true }]);
    // A viewer moved onto the stage (the session adds it again with its new seat).
    sfu.addPeer(peer("another-viewer", "speaker"));
    expect(tiers.at(-1)).toEqual({ peerId: "another-viewer", video: true });
  });

  it("pulls a participant's announced tracks, answers the SFU's offer, and shows them as its camera stream", async () => {
    make();
    proxy.publish("bob-s", { "mic-1": "audio", "camera-2": "video" });
    sfu.addPeer(peer("bob"));
    sfu.setPublication("bob", BOB);
    await flush();
    const pull = proxy.calls.filter((c) => c.route === "tracks/new").at(-1)!.body as { tracks: unknown[] };
    expect(pull.tracks).toEqual([
      { location: "remote", sessionId: "bob-s", trackName: "mic-1" },
      // No tile size yet: the middle layer.
      { location: "remote", sessionId: "bob-s", trackName: "camera-2", simulcast: { preferredRid: "m", priorityOrdering: "asciibetical", ridNotAvailable: "asciibetical" } },
    ]);
    expect(proxy.routes().at(-1)).toBe("renegotiate");
    expect((proxy.calls.at(-1)!.body as { sessionDescription: { type: string } }).sessionDescription.type).toBe("answer");
    const rx = pc().transceivers.filter((t) => t.direction === "recvonly");
    expect(tracksOf(streams.get("bob")!.camera)).toEqual(rx.map((t) => t.receiver.track.id));
    expect(streams.get("bob")!.screen).toBeNull();
  });

  it("lets go of the tracks of someone who stops publishing or leaves", async () => {
    make();
    proxy.publish("bob-s", { "mic-1": "audio", "camera-2": "video" });
    sfu.addPeer(peer("bob"));
    sfu.setPublication("bob", BOB);
    await flush();
    sfu.setPublication("bob", { session: "bob-s", tracks: [{ name: "mic-1", role: "mic" }] });
    await flush();
    expect(proxy.calls.at(-1)).toMatchObject({ route: "tracks/close", body: { tracks: [{ mid: "101" }] } });
    expect(streams.get("bob")!.camera!.getTracks()).toHaveLength(1);
    sfu.removePeer("bob");
    await flush();
    expect(proxy.calls.at(-1)).toMatchObject({ route: "tracks/close", body: { tracks: [{ mid: "100" }] } });
  });

  it("keeps the tracks that came when one item fails, and tries the failed one again later", async () => {
    make();
    proxy.publish("bob-s", { "mic-1": "audio", "camera-2": "video" });
    proxy.failing.add("camera-2");
    sfu.addPeer(peer("bob"));
    sfu.setPublication("bob", BOB);
    await flush();
    expect(streams.get("bob")!.camera!.getTracks().map((t) => t.kind)).toEqual(["audio"]);
    proxy.failing.clear();
    const before = proxy.calls.length;
    await vi.advanceTimersByTimeAsync(FAILED_RETRY_MS + 10);
    await flush();
    const retried = proxy.calls.slice(before).find((c) => c.route === "tracks/new")!.body as { tracks: Array<{ trackName: string }> };
    expect(retried.tracks.map((t) => t.trackName)).toEqual(["camera-2"]);
    expect(streams.get("bob")!.camera!.getTracks().map((t) => t.kind)).toEqual(["audio", "video"]);
  });

  it("pulls a bigger layer when the tile grows (new pull first, then the old one closes), and a smaller one while the downlink loses packets", async () => {
    make();
    proxy.publish("bob-s", { "mic-1": "audio", "camera-2": "video" });
    sfu.addPeer(peer("bob"));
    sfu.setPublication("bob", BOB);
    await flush();
    sfu.setVideoSize("bob", 1280, 720);
    await flush();
    const routes = proxy.calls.slice(-3).map((c) => c.route);
    expect(routes).toEqual(["tracks/new", "renegotiate", "tracks/close"]);
    expect((proxy.calls.at(-3)!.body as { tracks: Array<{ simulcast?: { preferredRid: string } }> }).tracks[0]!.simulcast!.preferredRid).toBe("h");
    expect(proxy.calls.at(-1)!.body).toMatchObject({ tracks: [{ mid: "101" }] });
    // The new camera is on the tile.
    expect(streams.get("bob")!.camera!.getTracks()[1]!.id).toBe(pc().transceivers.find((t) => t.mid === "102")!.receiver.track.id);

    // 10 % of the camera's packets lost over a stats interval: one layer down.
    pc().become("connected");
    const inbound = (received: number, lost: number) =>
      (pc().stats = new Map([["in", { type: "inbound-rtp", kind: "video", mid: "102", packetsReceived: received, packetsLost: lost }]]) as unknown as RTCStatsReport);
    inbound(1000, 0);
    await vi.advanceTimersByTimeAsync(2000);
    inbound(1900, 100);
    await vi.advanceTimersByTimeAsync(2000);
    await flush();
    const pull = proxy.calls.filter((c) => c.route === "tracks/new").at(-1)!.body as { tracks: Array<{ simulcast?: { preferredRid: string } }> };
    expect(pull.tracks[0]!.simulcast!.preferredRid).toBe("m");
    expect(proxy.calls.at(-1)!.body).toMatchObject({ tracks: [{ mid: "102" }] });
  });
});

describe("connection", () => {
  it("restarts ICE through renegotiate with an iceRestart offer when the connection fails, and announces again once back", async () => {
    make();
    sfu.addPeer(peer("bob"));
    await flush();
    pc().become("connected");
    pc().become("failed");
    expect(states.at(-1)).toBe("bob reconnecting");
    await vi.advanceTimersByTimeAsync(10);
    await flush();
    expect(pc().restarts).toBe(1);
    expect(pc().offers.at(-1)!.iceRestart).toBe(true);
    const reneg = proxy.calls.at(-1)!;
    expect(reneg.route).toBe("renegotiate");
    expect((reneg.body as { sessionDescription: { type: string } }).sessionDescription.type).toBe("offer");
    const count = announced.length;
    pc().become("connected");
    expect(states.at(-1)).toBe("bob connected");
    expect(announced.length).toBe(count + 1);
    expect(FakeSfuPc.made).toHaveLength(1);
  });

  it("waits for fresh TURN credentials before restarting when they are about to expire", async () => {
    make();
    await flush();
    credentialsStale = true;
    pc().become("connected");
    pc().become("failed");
    await vi.advanceTimersByTimeAsync(10);
    expect(pc().restarts).toBe(0);
    sfu.setIceServers([{ urls: ["turn:example.test"] }]);
    await flush();
    expect(pc().restarts).toBe(1);
  });

  it("on a network change restarts even a connection that still says connected", async () => {
    make();
    await flush();
    pc().become("connected");
    sfu.restart(true);
    await flush();
    expect(pc().offers.at(-1)!.iceRestart).toBe(true);
  });

  it("rebuilds on a new session when the SFU no longer knows ours: everything published, announced and pulled again", async () => {
    make();
    proxy.publish("bob-s", { "mic-1": "audio", "camera-2": "video" });
    sfu.addPeer(peer("bob"));
    sfu.setPublication("bob", BOB);
    await flush();
    pc().become("connected");
    proxy.throwing.set("renegotiate", new SfuError(404, "no such session"));
    pc().become("failed");
    await vi.advanceTimersByTimeAsync(10);
    await flush();
    expect(FakeSfuPc.made).toHaveLength(2);
    expect(FakeSfuPc.made[0]!.closed).toBe(true);
    expect(announced.at(-1)).toMatchObject({ session: "own2" });
    expect(tracksOf(streams.get("bob")!.camera)).toEqual(pc().transceivers.filter((t) => t.direction === "recvonly").map((t) => t.receiver.track.id));
  });

  it("reports stats per participant from the one connection, split by the pulled mids", async () => {
    make();
    proxy.publish("bob-s", { "mic-1": "audio", "camera-2": "video" });
    proxy.publish("cat-s", { "mic-1": "audio" });
    sfu.addPeer(peer("bob"));
    sfu.addPeer(peer("cat"));
    sfu.setPublication("bob", BOB);
    sfu.setPublication("cat", { session: "cat-s", tracks: [{ name: "mic-1", role: "mic" }] });
    await flush();
    pc().become("connected");
    pc().stats = new Map<string, unknown>([
      ["pair", { type: "candidate-pair", id: "pair" }],
      ["in-100", { type: "inbound-rtp", kind: "audio", mid: "100" }],
      ["in-101", { type: "inbound-rtp", kind: "video", mid: "101" }],
      ["in-102", { type: "inbound-rtp", kind: "audio", mid: "102" }],
    ]) as unknown as RTCStatsReport;
    const seen = new Map<string, string[]>();
    sfu.onStats((peerId, report) => seen.set(peerId, [...(report as unknown as Map<string, unknown>).keys()].sort()));
    await vi.advanceTimersByTimeAsync(2100);
    expect(seen.get("bob")).toEqual(["in-100", "in-101", "pair"]);
    expect(seen.get("cat")).toEqual(["in-102", "pair"]);
  });
});
