import { describe, expect, it } from "vitest";
import { Mesh } from "../../web/src/engine/mesh/mesh";
import { LEVEL_FRESH_MS, RemoteLevel } from "../../web/src/engine/peer/remote-level";
import type { TransportDeps } from "../../web/src/engine/session/transport";
import { cameraOn, FakePeerConnection, type FakeTransceiver } from "./fake-peer-connection";

const source = (timestamp: number, audioLevel: number, ssrc = 1111) => ({ timestamp, audioLevel, source: ssrc, rtpTimestamp: timestamp * 48 }) as RTCRtpSynchronizationSource;

describe("RemoteLevel", () => {
  it("reads the newest source's level while its timestamp moves, and 0 once it has stood still for 500 ms", () => {
    const level = new RemoteLevel();
    // Timestamps on whatever clock the browser keeps: only their movement counts.
    expect(level.read([source(9_000_000, 0.3, 1), source(9_000_020, 0.12, 2)], 0)).toBe(0.12);
    expect(level.read([source(9_000_120, 0.2)], 100)).toBe(0.2);
    // The stream stopped (muted with replaceTrack(null), or gone): the receiver keeps the source for 10 s.
    expect(level.read([source(9_000_120, 0.2)], 100 + LEVEL_FRESH_MS)).toBe(0.2);
    expect(level.read([source(9_000_120, 0.2)], 101 + LEVEL_FRESH_MS)).toBe(0);
    // Packets again.
    expect(level.read([source(9_004_000, 0.07)], 4000)).toBe(0.07);
  });

  it("is 0 without sources, and keeps a level within 0..1", () => {
    const level = new RemoteLevel();
    expect(level.read([], 0)).toBe(0);
    expect(level.read([source(1, 3)], 10)).toBe(1);
    expect(level.read([{ timestamp: 2, source: 1, rtpTimestamp: 0 } as RTCRtpSynchronizationSource], 20)).toBe(0);
  });
});

describe("Mesh audio levels and stats readers", () => {
  const deps: TransportDeps = {
    sendSignal: () => true,
    localTracks: cameraOn,
    relayOnly: false,
    requestFreshCredentials: () => false,
    uploadBudgetBps: () => 2_500_000,
    sharingScreen: () => false,
  };

  it("gives each connected link's mic level (the first audio receiver's), none for a link not up", () => {
    FakePeerConnection.made = [];
    const mesh = new Mesh(deps, { RTCPeerConnection: FakePeerConnection as unknown as typeof RTCPeerConnection });
    mesh.setSelf({ id: "m", joined: 5 });
    const info = (id: string, joined: number) => ({ id, name: id, joined, away: false, media: { mic: true, cam: true, screen: false }, role: "member" as const, seat: "speaker" as const, recording: null, sfu: null });
    mesh.addPeer(info("a", 1));
    mesh.addPeer(info("b", 2));
    const [pcA, pcB] = FakePeerConnection.made;
    pcA!.become("connected");
    const mic = pcA!.transceivers.find((t) => t.receiver.track.kind === "audio") as FakeTransceiver;
    mic.receiver.sources = [source(performance.now(), 0.25)];
    // A shared screen's audio, later on the connection, is not the mic.
    const screenAudio = pcA!.addTransceiver("audio", { direction: "recvonly" }) as unknown as FakeTransceiver;
    screenAudio.receiver.sources = [source(performance.now() + 5, 0.9)];
    expect(pcB!.connectionState).toBe("new");
    expect(mesh.audioLevels()).toEqual(new Map([["a", 0.25]]));
    const off = mesh.onStats(() => {});
    off();
    mesh.close();
    expect(() => mesh.audioLevels()).toThrow(/after close/);
    expect(() => mesh.onStats(() => {})).toThrow(/after close/);
  });
});
