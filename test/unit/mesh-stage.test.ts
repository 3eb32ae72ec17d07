// The mesh on a stage, with fake peer connections: which links open and close as seats change,
// what each sends, the tiers a speaker gives its viewers, and a speaker's tier reaching the session.

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { PeerInfo, SignalData } from "../../protocol/protocol";
import { Mesh } from "../../web/src/engine/mesh/mesh";
import type { StageSeat, TransportEvents } from "../../web/src/engine/session/transport";
import { cameraOn, FakePeerConnection } from "./fake-peer-connection";

const STAGE_VIEWER: StageSeat = { mode: "stage", seat: "viewer" };
const STAGE_SPEAKER: StageSeat = { mode: "stage", seat: "speaker" };

const peer = (id: string, joined: number, seat: PeerInfo["seat"]): PeerInfo => ({
  id,
  name: id,
  media: { mic: true, cam: true, screen: false },
  joined,
  away: false,
  role: "member",
  seat,
  recording: null, sfu: null,
});

let mesh: Mesh;
let sent: Array<{ to: string; data: SignalData }>;
let events: string[];

function makeMesh(self: { id: string; joined: number }, stage: StageSeat) {
  sent = [];
  events = [];
  mesh = new Mesh(
    {
      sendSignal: (to, data) => (sent.push({ to, data }), true),
      localTracks: cameraOn,
      relayOnly: false,
      requestFreshCredentials: () => false,
      uploadBudgetBps: () => 2_500_000,
      sharingScreen: () => false,
    },
    { RTCPeerConnection: FakePeerConnection as unknown as typeof RTCPeerConnection },
  );
  mesh.on("connection", ({ peerId, state }) => events.push(`${peerId} ${state}`));
  mesh.on("streams", ({ peerId, camera }) => events.push(`${peerId} streams ${camera === null ? "none" : "some"}`));
  mesh.on("tier", ({ peerId, video }: TransportEvents["tier"]) => events.push(`${peerId} tier ${video}`));
  mesh.setSelf(self);
  mesh.setStage(stage);
  return mesh;
}

/** Each link's camera and mic transceivers, as "direction track". */
const layoutOf = (pc: RTCPeerConnection) =>
  (pc as unknown as FakePeerConnection).transceivers.slice(0, 2).map((t) => `${t.direction} ${t.sender.track?.id ?? "-"}`);
/** What we signalled to one peer, by kind. */
const sentTo = (id: string) => sent.filter((s) => s.to === id).map((s) => s.data.kind);
const settle = () => new Promise((r) => setTimeout(r, 0));

beforeEach(() => {
  FakePeerConnection.made = [];
});
afterEach(() => mesh.close());

describe("Mesh on a stage, as a viewer", () => {
  it("connects receive-only to speakers only, and drops a signal from a viewer", () => {
    makeMesh({ id: "me", joined: 10 }, STAGE_VIEWER);
    mesh.addPeer(peer("s1", 1, "speaker"));
    mesh.addPeer(peer("v1", 2, "viewer"));
    mesh.addPeer(peer("v3", 20, "viewer"));
    expect(mesh.peerConnections).toHaveLength(1);
    expect(layoutOf(mesh.peerConnections[0]!)).toEqual(["recvonly -", "recvonly -"]);
    expect(events).toEqual(["v1 closed", "v3 closed"]);
    mesh.signal("v3", { kind: "candidate", candidate: null });
    expect(mesh.peerConnections).toHaveLength(1);
    expect(sentTo("v3")).toEqual([]);
  });

  it("promoted, publishes to the speakers and links with the viewers; demoted, closes those and goes receive-only", async () => {
    makeMesh({ id: "me", joined: 10 }, STAGE_VIEWER);
    mesh.addPeer(peer("s1", 1, "speaker"));
    mesh.addPeer(peer("v1", 2, "viewer"));
    mesh.addPeer(peer("v3", 20, "viewer"));
    const s1 = mesh.peerConnections[0]!;

    mesh.setStage(STAGE_SPEAKER);
    await settle();
    expect(layoutOf(s1)).toEqual(["sendrecv audio-1", "sendrecv video-1"]);
    // We joined after v1, so we offer; v3 joined after us and will offer to us.
    expect(mesh.peerConnections).toHaveLength(2);
    const v1 = mesh.peerConnections[1]!;
    expect(layoutOf(v1)).toEqual(["sendrecv audio-1", "sendrecv video-1"]);
    mesh.signal("v3", { kind: "candidate", candidate: null });
    expect(mesh.peerConnections).toHaveLength(3);

    events.length = 0;
    mesh.setStage(STAGE_VIEWER);
    await settle();
    expect(mesh.peerConnections).toEqual([s1]);
    expect((v1 as unknown as FakePeerConnection).closed).toBe(true);
    expect(events).toEqual(["v1 closed", "v1 streams none", "v3 closed", "v3 streams none"]);
    expect(layoutOf(s1)).toEqual(["recvonly -", "recvonly -"]);
  });

  it("follows other members' seats: links to a new speaker, drops one sent to the audience", () => {
    makeMesh({ id: "me", joined: 10 }, STAGE_VIEWER);
    mesh.addPeer(peer("s1", 1, "speaker"));
    mesh.addPeer(peer("v1", 2, "viewer"));
    const s1 = mesh.peerConnections[0]!;
    mesh.addPeer(peer("v1", 2, "speaker"));
    mesh.addPeer(peer("s1", 1, "viewer"));
    expect(mesh.peerConnections).toHaveLength(1);
    expect(mesh.peerConnections[0]).not.toBe(s1);
    expect((s1 as unknown as FakePeerConnection).closed).toBe(true);
  });

  it("reports a speaker's tier", () => {
    makeMesh({ id: "me", joined: 10 }, STAGE_VIEWER);
    mesh.addPeer(peer("s1", 1, "speaker"));
    mesh.signal("s1", { kind: "tier", video: false });
    expect(events).toContain("s1 tier false");
  });
});

describe("Mesh on a stage, as a speaker", () => {
  it("sends its camera to the first 8 viewers, audio to the rest, tells each, and upgrades the next when one leaves", async () => {
    makeMesh({ id: "me", joined: 100 }, STAGE_SPEAKER);
    for (let i = 1; i <= 10; i++) mesh.addPeer(peer(`v${i}`, i, "viewer"));
    await settle();
    expect(mesh.stageTiers()).toEqual({ video: ["v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8"], audioOnly: ["v9", "v10"] });
    const tiers = (id: string) => sent.filter((s) => s.to === id && s.data.kind === "tier").map((s) => (s.data.kind === "tier" ? s.data.video : null));
    expect(tiers("v1")).toEqual([true]);
    expect(tiers("v9")).toEqual([false]);
    const v9 = mesh.peerConnections[8]!;
    expect(layoutOf(v9)).toEqual(["sendrecv audio-1", "sendrecv -"]);

    mesh.removePeer("v2");
    await settle();
    expect(mesh.stageTiers().audioOnly).toEqual(["v10"]);
    expect(tiers("v9")).toEqual([false, true]);
    expect(layoutOf(v9)).toEqual(["sendrecv audio-1", "sendrecv video-1"]);
  });

  it("in a meeting tiers nobody and sends no tier", () => {
    makeMesh({ id: "me", joined: 100 }, { mode: "meeting", seat: "speaker" });
    for (let i = 1; i <= 10; i++) mesh.addPeer(peer(`v${i}`, i, "speaker"));
    expect(mesh.stageTiers()).toEqual({ video: [], audioOnly: [] });
    expect(sent.some((s) => s.data.kind === "tier")).toBe(false);
  });
});

describe("Mesh, what a change of our media costs in signals", () => {
  it("muting swaps the mic's track on every link with no signal; a screen share names its stream to each; a peer back from away hears our streams again", async () => {
    makeMesh({ id: "me", joined: 100 }, { mode: "meeting", seat: "speaker" });
    for (const id of ["a", "b"]) mesh.addPeer(peer(id, 1, "speaker"));
    await settle();
    const streamsTo = (id: string) => sentTo(id).filter((k) => k === "streams").length;
    const before = { a: streamsTo("a"), b: streamsTo("b") };
    expect(before.a).toBeGreaterThan(0);
    mesh.setLocalTracks({ ...cameraOn(), micOn: false });
    await settle();
    for (const pc of FakePeerConnection.made) expect(layoutOf(pc as unknown as RTCPeerConnection)[0]).toBe("sendrecv -");
    mesh.setLocalTracks(cameraOn());
    await settle();
    for (const pc of FakePeerConnection.made) expect(layoutOf(pc as unknown as RTCPeerConnection)[0]).toBe("sendrecv audio-1");
    expect({ a: streamsTo("a"), b: streamsTo("b") }).toEqual(before);
    const screen = { id: "screen", getTracks: () => [] } as unknown as MediaStream;
    mesh.setLocalTracks({ ...cameraOn(), screenStream: screen });
    expect({ a: streamsTo("a"), b: streamsTo("b") }).toEqual({ a: before.a + 1, b: before.b + 1 });
    mesh.peerReturned(peer("a", 1, "speaker"));
    expect(streamsTo("a")).toBe(before.a + 2);
  });
});
