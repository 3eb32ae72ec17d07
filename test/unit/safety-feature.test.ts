// The safety feature (engine/features/safety.ts) over a transport that reports negotiated
// descriptions: each end's code for the other, the room code in every member's view, a changed
// fingerprint flagged and dismissed, and the mesh handing our certificate to every connection.

import { describe, expect, it } from "vitest";
import type { Mode, PeerInfo } from "../../protocol/protocol";
import { Emitter } from "../../web/src/engine/emitter";
import { SafetyFeature, type SafetyView } from "../../web/src/engine/features/safety";
import { Mesh } from "../../web/src/engine/mesh/mesh";
import type { Participant } from "../../web/src/engine/session/session-state";
import type { TransportEvents } from "../../web/src/engine/session/transport";
import { cameraOn, FakePeerConnection } from "./fake-peer-connection";

const fp = (byte: string) => Array.from({ length: 32 }, () => byte).join(":");
const sdpWith = (fingerprint: string) => `v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=fingerprint:sha-256 ${fingerprint}\r\n`;

/** A transport the test drives: emit is public here. */
class TestTransport extends Emitter<TransportEvents> {
  override emit<K extends keyof TransportEvents>(event: K, value: TransportEvents[K]): void {
    super.emit(event, value);
  }
}

const person = (id: string, name = id, connection: Participant["connection"] = "connected"): Participant => ({
  id,
  name,
  media: { mic: true, cam: true, screen: false },
  joined: 1,
  away: false,
  role: "member",
  seat: "speaker",
  recording: null, sfu: null,
  connection,
  camera: null,
  screen: null,
});

class MapStorage {
  readonly map = new Map<string, string>();
  getItem(key: string) {
    return this.map.get(key) ?? null;
  }
  setItem(key: string, value: string) {
    this.map.set(key, value);
  }
}

/** One member's side: a fake transport, the feature, and the last state it published. */
function member(participants: Participant[], options: { mode?: Mode; storage?: MapStorage } = {}) {
  const transport = new TestTransport();
  const side = { view: { peers: {}, room: null } as SafetyView, participants, transport, feature: null as unknown as SafetyFeature };
  side.feature = new SafetyFeature({
    roomId: "room-1",
    transport,
    update: (patch) => {
      if (patch.safety) side.view = patch.safety;
    },
    participants: () => side.participants,
    mode: () => options.mode ?? "meeting",
    storage: options.storage ?? new MapStorage(),
  });
  return side;
}

/**
 * Lets the feature's hashing finish: crypto.subtle runs on Node's thread pool, so timer turns
 * alone may come first on a busy machine; a digest of our own, asked after, waits its turn too.
 */
const settle = async () => {
  for (let i = 0; i < 10; i++) {
    await crypto.subtle.digest("SHA-256", new Uint8Array(1));
    await new Promise((r) => setTimeout(r, 0));
  }
};

const negotiate = (side: ReturnType<typeof member>, peerId: string, ours: string, theirs: string) =>
  side.transport.emit("negotiated", { peerId, local: sdpWith(ours), remote: sdpWith(theirs) });

describe("SafetyFeature", () => {
  it("gives both ends of a connection the same code for each other", async () => {
    const a = member([person("b")]);
    const b = member([person("a")]);
    negotiate(a, "b", fp("AA"), fp("BB"));
    negotiate(b, "a", fp("BB"), fp("AA"));
    await settle();
    expect(a.view.peers.b?.code).toMatch(/^[A-Z2-7]{8}$/);
    expect(a.view.peers.b?.code).toBe(b.view.peers.a?.code);
    expect(a.view.peers.b?.changed).toBe(false);
  });

  it("keeps the code across a renegotiation or ICE restart with the same certificates, and flags a new one", async () => {
    const a = member([person("b")]);
    negotiate(a, "b", fp("AA"), fp("BB"));
    await settle();
    const first = a.view.peers.b!.code;
    negotiate(a, "b", fp("AA"), fp("BB"));
    await settle();
    expect(a.view.peers.b).toEqual({ code: first, changed: false, exchanges: 2 });
    // Someone in the middle (or B's new device): another certificate on B's side.
    negotiate(a, "b", fp("AA"), fp("CC"));
    await settle();
    expect(a.view.peers.b!.code).not.toBe(first);
    expect(a.view.peers.b!.changed).toBe(true);
    expect(a.feature.dismiss("b")).toBe(true);
    expect(a.view.peers.b!.changed).toBe(false);
    expect(a.feature.dismiss("b")).toBe(false);
  });

  // The relay's description: the real B's fingerprint, which the other end's code would hash,
  // beside its own M, with which it terminates DTLS. No code at all, rather than a matching one.
  it("gives no code (cannot be verified) for a description with a second fingerprint, and no room code", async () => {
    const a = member([person("b"), person("c")]);
    negotiate(a, "c", fp("AA"), fp("CC"));
    const attack = `v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=fingerprint:sha-256 ${fp("BB")}\r\na=fingerprint:sha-512 ${Array.from({ length: 64 }, () => "EE").join(":")}\r\n`;
    a.transport.emit("negotiated", { peerId: "b", local: sdpWith(fp("AA")), remote: attack });
    await settle();
    expect(a.view.peers.b).toEqual({ code: null, changed: false, exchanges: 1 });
    expect(a.view.peers.c?.code).toMatch(/^[A-Z2-7]{8}$/);
    expect(a.view.room).toBeNull();
    // Our side listing two (a relay rewriting what B receives from us is B's problem; ours is ours).
    const tagged = `v=0\r\na=group:BUNDLE 0 1\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\na=fingerprint:sha-256 ${fp("BB")}\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=mid:1\r\na=fingerprint:sha-256 ${fp("0E")}\r\n`;
    a.transport.emit("negotiated", { peerId: "b", local: sdpWith(fp("AA")), remote: tagged });
    await settle();
    expect(a.view.peers.b).toEqual({ code: null, changed: false, exchanges: 2 });
    // B's one real fingerprint again: a code, and the room's.
    negotiate(a, "b", fp("AA"), fp("BB"));
    await settle();
    expect(a.view.peers.b?.code).toMatch(/^[A-Z2-7]{8}$/);
    expect(a.view.peers.b?.exchanges).toBe(3);
    expect(a.view.room).toMatch(/^[A-Z2-7]{8}$/);
  });

  it("flags a person back under a new id (B reloaded) with another certificate, not one with the same", async () => {
    const storage = new MapStorage();
    const a = member([person("b1", "Bakyt")], { storage });
    negotiate(a, "b1", fp("AA"), fp("BB"));
    await settle();
    a.participants = [person("b2", "Bakyt")];
    a.feature.refresh();
    negotiate(a, "b2", fp("AA"), fp("BB"));
    await settle();
    expect(a.view.peers.b2?.changed).toBe(false);
    expect(a.view.peers.b1).toBeUndefined();
    a.participants = [person("b3", "Bakyt")];
    a.feature.refresh();
    negotiate(a, "b3", fp("AA"), fp("B0"));
    await settle();
    expect(a.view.peers.b3?.changed).toBe(true);
  });

  it("shows one room code in every member's view once everyone is connected to everyone", async () => {
    const fps: Record<string, string> = { a: fp("AA"), b: fp("BB"), c: fp("CC") };
    const ids = Object.keys(fps);
    const sides = ids.map((self) => ({ self, side: member(ids.filter((id) => id !== self).map((id) => person(id))) }));
    // Until the last link has negotiated, nobody has a room code.
    negotiate(sides[0]!.side, "b", fps.a!, fps.b!);
    await settle();
    expect(sides[0]!.side.view.room).toBeNull();
    for (const { self, side } of sides) for (const other of ids) if (other !== self) negotiate(side, other, fps[self]!, fps[other]!);
    await settle();
    const rooms = sides.map(({ side }) => side.view.room);
    expect(rooms[0]).toMatch(/^[A-Z2-7]{8}$/);
    expect(new Set(rooms).size).toBe(1);
    // Someone reconnecting: no room code until they are back.
    const a = sides[0]!.side;
    a.participants = [person("b", "b", "reconnecting"), person("c")];
    a.feature.refresh();
    await settle();
    expect(a.view.room).toBeNull();
    a.participants = [person("b"), person("c")];
    a.feature.refresh();
    await settle();
    expect(a.view.room).toBe(rooms[0]);
    // Away (their socket dropped, as on a reload), though the old connection lingers: no room code either.
    a.participants = [{ ...person("b"), away: true }, person("c")];
    a.feature.refresh();
    await settle();
    expect(a.view.room).toBeNull();
  });

  it("has no room code on a stage, nor when our certificate differs between links", async () => {
    const stage = member([person("b")], { mode: "stage" });
    negotiate(stage, "b", fp("AA"), fp("BB"));
    await settle();
    expect(stage.view.peers.b).toBeDefined();
    expect(stage.view.room).toBeNull();
    const twoCerts = member([person("b"), person("c")]);
    negotiate(twoCerts, "b", fp("AA"), fp("BB"));
    negotiate(twoCerts, "c", fp("A0"), fp("CC"));
    await settle();
    expect(twoCerts.view.room).toBeNull();
  });

  it("drops a closed link's code and stops listening when disposed", async () => {
    const a = member([person("b")]);
    negotiate(a, "b", fp("AA"), fp("BB"));
    await settle();
    a.transport.emit("connection", { peerId: "b", state: "closed" });
    expect(a.view.peers.b).toBeUndefined();
    a.feature.dispose();
    negotiate(a, "b", fp("AA"), fp("BB"));
    await settle();
    expect(a.view.peers.b).toBeUndefined();
  });
});

describe("the mesh and our certificate", () => {
  it("hands the certificate to every peer connection it makes, and reports negotiated descriptions", () => {
    const certificate = { expires: Date.now() + 1e9 } as RTCCertificate;
    const mesh = new Mesh(
      {
        sendSignal: () => true,
        localTracks: cameraOn,
        relayOnly: false,
        requestFreshCredentials: () => false,
        uploadBudgetBps: () => 2_500_000,
        sharingScreen: () => false,
        certificates: [certificate],
      },
      { RTCPeerConnection: FakePeerConnection as unknown as typeof RTCPeerConnection },
    );
    const negotiated: Array<TransportEvents["negotiated"]> = [];
    mesh.on("negotiated", (e) => negotiated.push(e));
    mesh.setSelf({ id: "z", joined: 2 });
    mesh.setStage({ mode: "meeting", seat: "speaker" });
    const peer = (id: string): PeerInfo => ({ id, name: id, media: { mic: true, cam: true, screen: false }, joined: 1, away: false, role: "member", seat: "speaker", recording: null, sfu: null });
    mesh.addPeer(peer("a"));
    mesh.addPeer(peer("b"));
    const pcs = mesh.peerConnections as unknown as FakePeerConnection[];
    expect(pcs).toHaveLength(2);
    for (const pc of pcs) expect(pc.config.certificates).toEqual([certificate]);
    // One that expired while the page was open is never handed over: the browser makes its own.
    (certificate as { expires: number }).expires = Date.now() - 1;
    mesh.addPeer(peer("c"));
    const third = (mesh.peerConnections as unknown as FakePeerConnection[])[2]!;
    expect(third.config.certificates).toBeUndefined();
    // A stable signaling state with both descriptions in force is a completed exchange.
    const pc = pcs[0]! as unknown as { currentLocalDescription: unknown; currentRemoteDescription: unknown; signalingState: string; dispatchEvent(e: Event): boolean };
    pc.currentLocalDescription = { type: "answer", sdp: sdpWith(fp("AA")) };
    pc.currentRemoteDescription = { type: "offer", sdp: sdpWith(fp("BB")) };
    pc.signalingState = "stable";
    pc.dispatchEvent(new Event("signalingstatechange"));
    expect(negotiated).toEqual([{ peerId: "a", local: sdpWith(fp("AA")), remote: sdpWith(fp("BB")) }]);
    mesh.close();
  });
});
