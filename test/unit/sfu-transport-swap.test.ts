// Swapping the session's transport without a reload (session/transport-switch.ts) and the feature
// that asks for it when the room switches (features/transport.ts): the roster's tiles keep the old
// transport's video until the new one has some, the old one closes then (or after the handover's
// deadline), the new one is told everything, stats readers move, and publications reach the SFU.

import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { SfuPublication } from "../../protocol/features/transport";
import type { PeerInfo } from "../../protocol/protocol";
import { Emitter } from "../../web/src/engine/emitter";
import { Roster } from "../../web/src/engine/features/roster";
import { type SfuControls, TransportFeature } from "../../web/src/engine/features/transport";
import type { Participant, SessionState } from "../../web/src/engine/session/session-state";
import type { PeerChannel, SelfInfo, StageSeat, Transport, TransportEvents } from "../../web/src/engine/session/transport";
import { HANDOVER_MS, TransportSwitch } from "../../web/src/engine/session/transport-switch";
import { stream } from "./sfu-fakes";

/** A transport that records what it is told and emits what a test says. */
class FakeTransport extends Emitter<TransportEvents> implements Transport, SfuControls {
  readonly told: string[] = [];
  readonly publications = new Map<string, SfuPublication | null>();
  readonly statsReaders = new Set<(peerId: string, report: RTCStatsReport) => void>();
  closed = false;
  constructor(readonly name: string) {
    super();
  }
  send<K extends keyof TransportEvents>(event: K, value: TransportEvents[K]) {
    this.emit(event, value);
  }
  setSelf(self: SelfInfo) {
    this.told.push(`self ${self.id}`);
  }
  setStage(stage: StageSeat) {
    this.told.push(`stage ${stage.mode}`);
  }
  addPeer(peer: PeerInfo) {
    this.told.push(`add ${peer.id}`);
  }
  peerReturned() {}
  removePeer(id: string) {
    this.told.push(`remove ${id}`);
  }
  signal() {}
  setIceServers() {
    this.told.push("ice");
  }
  restart() {}
  restartWaiting() {}
  setLocalTracks() {
    this.told.push("tracks");
  }
  dataChannel(): PeerChannel | null {
    return null;
  }
  onStats(fn: (peerId: string, report: RTCStatsReport) => void) {
    this.statsReaders.add(fn);
    return () => this.statsReaders.delete(fn);
  }
  audioLevels() {
    return new Map<string, number>();
  }
  get peerConnections() {
    return [];
  }
  stageTiers() {
    return { video: [], audioOnly: [] };
  }
  close() {
    this.closed = true;
    this.removeAllListeners();
  }
  setPublication(peerId: string, publication: SfuPublication | null) {
    this.publications.set(peerId, publication);
  }
  readonly sizes = new Map<string, number>();
  setVideoSize(peerId: string, _width: number, height: number) {
    this.sizes.set(peerId, height);
  }
  announcement() {
    return null;
  }
}

const peer = (id: string): PeerInfo => ({ id, name: id, media: { mic: true, cam: true, screen: false }, joined: 1, away: false, role: "member", seat: "speaker", recording: null, sfu: null });

let mesh: FakeTransport;
let switcher: TransportSwitch;
let roster: Roster;
let participants: Participant[];
const tile = (id: string) => participants.find((p) => p.id === id)!;

beforeEach(() => {
  vi.useFakeTimers();
  mesh = new FakeTransport("mesh");
  switcher = new TransportSwitch(mesh);
  participants = [];
  roster = new Roster(switcher, (patch) => void (participants = patch.participants ?? participants));
  roster.setSelf({ id: "me", joined: 1 });
  switcher.setStage({ mode: "meeting", seat: "speaker" });
  switcher.setIceServers([]);
  roster.welcome([peer("bob"), peer("cat")]);
  mesh.send("connection", { peerId: "bob", state: "connected" });
  mesh.send("streams", { peerId: "bob", camera: stream("bob-mesh"), screen: null });
  mesh.send("connection", { peerId: "cat", state: "connected" });
  mesh.send("streams", { peerId: "cat", camera: stream("cat-mesh"), screen: null });
});

afterEach(() => {
  switcher.close();
  vi.useRealTimers();
});

describe("TransportSwitch", () => {
  it("tells the new transport everything, keeps the tiles on the old video until the new one has some, then closes the old", () => {
    const sfu = new FakeTransport("sfu");
    switcher.swap("sfu", sfu);
    expect(sfu.told).toEqual(["self me", "stage meeting", "ice", "add bob", "add cat"]);
    expect(switcher.kind).toBe("sfu");
    // The new one is still connecting: the tiles do not flicker.
    sfu.send("connection", { peerId: "bob", state: "connecting" });
    sfu.send("streams", { peerId: "bob", camera: null, screen: null });
    expect(tile("bob").connection).toBe("connected");
    expect(tile("bob").camera!.id).toBe("bob-mesh");
    expect(participants).toHaveLength(2);

    sfu.send("streams", { peerId: "bob", camera: stream("bob-sfu"), screen: null });
    expect(tile("bob").camera!.id).toBe("bob-sfu");
    expect(mesh.closed).toBe(false);
    sfu.send("streams", { peerId: "cat", camera: stream("cat-sfu"), screen: null });
    expect(tile("cat").camera!.id).toBe("cat-sfu");
    expect(mesh.closed).toBe(true);
    expect(switcher.handingOver).toBe(false);
    // After the handover, the new one's word goes straight through.
    sfu.send("connection", { peerId: "bob", state: "reconnecting" });
    expect(tile("bob").connection).toBe("reconnecting");
  });

  it("closes the old transport after the deadline, showing what the new one said meanwhile", () => {
    const sfu = new FakeTransport("sfu");
    switcher.swap("sfu", sfu);
    sfu.send("connection", { peerId: "cat", state: "connecting" });
    sfu.send("streams", { peerId: "bob", camera: stream("bob-sfu"), screen: null });
    expect(mesh.closed).toBe(false);
    vi.advanceTimersByTime(HANDOVER_MS);
    expect(mesh.closed).toBe(true);
    expect(tile("cat").connection).toBe("connecting");
    // Cat's mesh video died with the mesh: its tile shows no stale stream.
    expect(tile("cat").camera).toBeNull();
    expect(tile("bob").camera!.id).toBe("bob-sfu");
  });

  it("moves a tile to the new stream only once media flows in it (its track unmutes)", () => {
    /** A remote track as the browser gives it: muted until its first packets. */
    class RemoteTrack extends EventTarget {
      readonly kind = "video";
      muted = true;
      constructor(readonly id: string) {
        super();
      }
      flow() {
        this.muted = false;
        this.dispatchEvent(new Event("unmute"));
      }
    }
    const bobTrack = new RemoteTrack("bob-v");
    const catTrack = new RemoteTrack("cat-v");
    const sfu = new FakeTransport("sfu");
    switcher.swap("sfu", sfu);
    sfu.send("streams", { peerId: "bob", camera: stream("bob-sfu", [bobTrack as unknown as MediaStreamTrack]), screen: null });
    sfu.send("streams", { peerId: "cat", camera: stream("cat-sfu", [catTrack as unknown as MediaStreamTrack]), screen: null });
    // Pulled, but nothing has come yet: the tiles keep the mesh's video, the mesh stays.
    expect(tile("bob").camera!.id).toBe("bob-mesh");
    expect(tile("cat").camera!.id).toBe("cat-mesh");
    expect(mesh.closed).toBe(false);

    bobTrack.flow();
    expect(tile("bob").camera!.id).toBe("bob-sfu");
    expect(mesh.closed).toBe(false);
    // A newer word for cat (a layer pulled again) replaces the one still waiting.
    const catAgain = new RemoteTrack("cat-v2");
    sfu.send("streams", { peerId: "cat", camera: stream("cat-sfu-2", [catAgain as unknown as MediaStreamTrack]), screen: null });
    catTrack.flow();
    expect(tile("cat").camera!.id).toBe("cat-mesh");
    catAgain.flow();
    expect(tile("cat").camera!.id).toBe("cat-sfu-2");
    expect(mesh.closed).toBe(true);
    expect(switcher.handingOver).toBe(false);
  });

  it("at the deadline, shows the new streams whether or not they flow yet", () => {
    const quiet = new EventTarget() as unknown as MediaStreamTrack & { muted: boolean };
    Object.assign(quiet, { kind: "video", id: "bob-quiet", muted: true });
    const sfu = new FakeTransport("sfu");
    switcher.swap("sfu", sfu);
    sfu.send("streams", { peerId: "bob", camera: stream("bob-sfu", [quiet]), screen: null });
    expect(tile("bob").camera!.id).toBe("bob-mesh");
    vi.advanceTimersByTime(HANDOVER_MS);
    expect(mesh.closed).toBe(true);
    expect(tile("bob").camera!.id).toBe("bob-sfu");
  });

  it("moves stats readers to the new transport, hands it local tracks, and ignores the old one's late events", () => {
    const read = vi.fn();
    switcher.onStats(read);
    expect(mesh.statsReaders.size).toBe(1);
    const sfu = new FakeTransport("sfu");
    switcher.swap("sfu", sfu);
    expect(mesh.statsReaders.size).toBe(0);
    expect(sfu.statsReaders.size).toBe(1);
    switcher.setLocalTracks({ cameraStream: stream("c"), audio: null, micOn: false, video: null, screenStream: null });
    expect(sfu.told.at(-1)).toBe("tracks");
    sfu.send("streams", { peerId: "bob", camera: stream("bob-sfu"), screen: null });
    sfu.send("streams", { peerId: "cat", camera: stream("cat-sfu"), screen: null });
    // The old one, closed, cannot emit any more; and a swap back makes a fresh handover.
    const back = new FakeTransport("mesh2");
    switcher.swap("mesh", back);
    expect(sfu.statsReaders.size).toBe(0);
    expect(back.statsReaders.size).toBe(1);
    expect(tile("bob").camera!.id).toBe("bob-sfu");
  });
});

describe("TransportFeature", () => {
  function feature() {
    const views: Array<SessionState["transport"]> = [];
    const made: FakeTransport[] = [];
    const f = new TransportFeature({
      switcher,
      mesh: () => {
        const t = new FakeTransport("mesh");
        made.push(t);
        return t;
      },
      sfu: () => {
        const t = new FakeTransport("sfu");
        made.push(t);
        return t;
      },
      selfId: () => "me",
      update: (patch) => void views.push(patch.transport!),
    });
    return { f, views, made };
  }
  const BOB: SfuPublication = { session: "bob-s", tracks: [{ name: "mic-1", role: "mic" }] };

  it("stays on the mesh while the room says mesh, and swaps to the SFU with everyone's publications when it switches", () => {
    const { f, views, made } = feature();
    f.welcome({ transport: { kind: "mesh", sfu: true }, peers: [{ id: "bob", sfu: BOB }, { id: "cat", sfu: null }] });
    // Tiles report their size on the mesh too: the SFU gets them when it comes up.
    f.videoSize("bob", 640, 360);
    expect(made).toHaveLength(0);
    expect(views.at(-1)).toEqual({ kind: "mesh", sfu: true });
    f.transport({ transport: { kind: "sfu", sfu: true } });
    expect(switcher.kind).toBe("sfu");
    const sfu = made[0]!;
    expect(sfu.publications.get("bob")).toEqual(BOB);
    expect(sfu.sizes.get("bob")).toBe(360);
    // Tiles are kept: the roster never lost anyone.
    expect(participants.map((p) => p.id)).toEqual(["bob", "cat"]);
    f.peerSfu({ id: "cat", sfu: { session: "cat-s", tracks: [] } });
    f.peerSfu({ id: "me", sfu: { session: "mine", tracks: [] } });
    expect([...sfu.publications.keys()]).toEqual(["bob", "cat"]);
    f.transport({ transport: { kind: "mesh", sfu: true } });
    expect(switcher.kind).toBe("mesh");
    expect(made[1]!.name).toBe("mesh");
  });

  it("never leaves the mesh for an SFU the deployment does not have", () => {
    const { f, made, views } = feature();
    f.welcome({ transport: { kind: "sfu", sfu: false }, peers: [] });
    expect(made).toHaveLength(0);
    expect(switcher.kind).toBe("mesh");
    expect(views.at(-1)).toEqual({ kind: "mesh", sfu: false });
  });
});
