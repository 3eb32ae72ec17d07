import { afterEach, describe, expect, it } from "vitest";
import type { ClientMessage, IceServer, PeerInfo, ServerMessage, SignalData } from "../../protocol/protocol";
import { Emitter } from "../../web/src/engine/emitter";
import type { LocalMediaState, LocalTracks } from "../../web/src/engine/media/local-media";
import { RoomSession } from "../../web/src/engine/session/room-session";
import type { Transport, TransportDeps, TransportEvents } from "../../web/src/engine/session/transport";
import type { JoinProvider } from "../../web/src/engine/signaling/signaling-client";

class FakeSignaling extends Emitter<{ message: ServerMessage; status: "joined"; refused: { code: number; reason: string } }> {
  readonly sent: ClientMessage[] = [];
  provider: JoinProvider | null = null;
  send(msg: ClientMessage) {
    this.sent.push(msg);
    return true;
  }
  join(provider: JoinProvider) {
    this.provider = provider;
  }
  destroy() {}
  deliver(msg: ServerMessage) {
    this.emit("message", msg);
  }
}

/** Records what the session asks of its transport. */
class FakeTransport extends Emitter<TransportEvents> implements Transport {
  readonly calls: string[] = [];
  deps: TransportDeps | null = null;
  readonly peerConnections: RTCPeerConnection[] = [];
  setSelf(self: { id: string }) {
    this.calls.push(`setSelf ${self.id}`);
  }
  addPeer(peer: PeerInfo) {
    this.calls.push(`addPeer ${peer.id}`);
  }
  peerReturned(peer: PeerInfo) {
    this.calls.push(`peerReturned ${peer.id}`);
  }
  removePeer(id: string) {
    this.calls.push(`removePeer ${id}`);
  }
  signal(from: string, data: SignalData) {
    this.calls.push(`signal ${from} ${data.kind}`);
  }
  setIceServers(servers: IceServer[]) {
    this.calls.push(`setIceServers ${servers.length}`);
  }
  restart() {
    this.calls.push("restart");
  }
  restartWaiting() {
    this.calls.push("restartWaiting");
  }
  setLocalTracks() {
    this.calls.push("setLocalTracks");
  }
  close() {
    this.calls.push("close");
  }
  fire<K extends keyof TransportEvents>(event: K, value: TransportEvents[K]) {
    this.emit(event, value);
  }
}

class FakeMedia extends Emitter<{ change: LocalMediaState; tracks: LocalTracks }> {
  state = { mic: true, cam: false, screen: false } as LocalMediaState;
  tracks = {} as LocalTracks;
}

const media = { mic: true, cam: true, screen: false };
const peer = (id: string, name: string, joined: number): PeerInfo => ({ id, name, media, joined, away: false });
const message = (seq: number, text: string) => ({ seq, from: "p2", name: "Bo", text, ts: seq, cid: `c${seq}` });
const ice = { iceServers: [{ urls: ["stun:example.org"] }], expiresAt: null, relay: "none" as const };

/** One sample of every server message type: a type added to the protocol without one here does not compile. */
const samples: { [K in ServerMessage["type"]]: Extract<ServerMessage, { type: K }> } = {
  welcome: {
    type: "welcome",
    v: 1,
    you: peer("me", "Al", 2),
    peers: [peer("p1", "Cy", 1)],
    chat: [],
    lastSeq: 0,
    settings: { capacity: 8, maxFrameBytes: 65536, nameMaxChars: 64, chatMaxChars: 4000, heartbeatMs: 5000, uploadBudgetKbps: 2500 },
    ice,
    resumeToken: "t".repeat(32),
    resumed: false,
  },
  "peer-joined": { type: "peer-joined", peer: peer("p2", "Bo", 3) },
  "peer-media": { type: "peer-media", id: "p2", media: { mic: false, cam: true, screen: true } },
  "peer-presence": { type: "peer-presence", id: "p2", away: true },
  "peer-renamed": { type: "peer-renamed", id: "p2", name: "Bolot" },
  signal: { type: "signal", from: "p1", data: { kind: "candidate", candidate: null } },
  chat: { type: "chat", message: message(1, "hello") },
  history: { type: "history", after: 1, messages: [message(2, "earlier")], more: false, ack: "h1" },
  ice: { type: "ice", ice },
  error: { type: "error", code: "ice-throttled", message: "too many ICE credential requests" },
  "peer-left": { type: "peer-left", id: "p2" },
};

function setup() {
  const signaling = new FakeSignaling();
  const transport = new FakeTransport();
  const session = new RoomSession({
    signaling,
    name: "Al",
    media: new FakeMedia(),
    transport: (deps) => {
      transport.deps = deps;
      return transport;
    },
  });
  return { signaling, transport, session };
}

let cleanup: Array<() => void> = [];
afterEach(() => {
  for (const f of cleanup.splice(0)) f();
});

describe("RoomSession's server-message table", () => {
  it("reaches a feature for every server message type", () => {
    const { signaling, transport, session } = setup();
    cleanup.push(() => session.destroy());
    for (const msg of Object.values(samples)) {
      const before = { state: session.state, calls: transport.calls.length, sent: signaling.sent.length };
      signaling.deliver(msg);
      const reached = session.state !== before.state || transport.calls.length > before.calls || signaling.sent.length > before.sent;
      expect(reached, `${msg.type} reached no feature`).toBe(true);
    }
    const s = session.state;
    expect(s.selfId).toBe("me");
    expect(s.participants.map((p) => p.id)).toEqual(["p1"]);
    expect(s.chat.map((i) => (i.kind === "chat" ? i.message.text : i.kind === "system" ? `${i.name} ${i.event}` : "?"))).toEqual([
      "Bo joined",
      "hello",
      "earlier",
      "Bolot left", // renamed on the way (peer-renamed)
    ]);
    expect(transport.calls).toEqual([
      "setSelf me",
      "setIceServers 1",
      "addPeer p1",
      "addPeer p2",
      "signal p1 candidate",
      "setIceServers 1",
      "restartWaiting",
      "removePeer p2",
    ]);
  });

  it("routes peer-media and presence to the participant, and a returning peer to the transport", () => {
    const { signaling, transport, session } = setup();
    cleanup.push(() => session.destroy());
    signaling.deliver(samples.welcome);
    signaling.deliver(samples["peer-joined"]);
    signaling.deliver(samples["peer-media"]);
    expect(session.state.participants.find((p) => p.id === "p2")?.media).toEqual({ mic: false, cam: true, screen: true });
    signaling.deliver({ type: "peer-presence", id: "p2", away: true });
    signaling.deliver({ type: "peer-presence", id: "p2", away: false });
    expect(transport.calls.at(-1)).toBe("peerReturned p2");
    transport.fire("connection", { peerId: "p2", state: "connected" });
    expect(session.state.participants.find((p) => p.id === "p2")?.connection).toBe("connected");
  });

  it("drops a signal from someone not in the roster", () => {
    const { signaling, transport, session } = setup();
    cleanup.push(() => session.destroy());
    signaling.deliver(samples.welcome);
    signaling.deliver({ type: "signal", from: "stranger", data: { kind: "candidate", candidate: null } });
    expect(transport.calls.some((c) => c.startsWith("signal"))).toBe(false);
  });
});

describe("the ICE feature", () => {
  it("lets restarts waiting for credentials go ahead on ice-throttled, and not on rate-limited (a frame flood)", () => {
    const { signaling, transport, session } = setup();
    cleanup.push(() => session.destroy());
    signaling.deliver(samples.welcome);
    signaling.deliver({ type: "error", code: "rate-limited", message: "too many frames: slow down" });
    expect(transport.calls).not.toContain("restartWaiting");
    signaling.deliver({ type: "error", code: "ice-throttled", message: "too many ICE credential requests" });
    expect(transport.calls).toContain("restartWaiting");
  });

  it("asks for fresh credentials before a restart only when the current ones are about to expire", () => {
    const { signaling, transport, session } = setup();
    cleanup.push(() => session.destroy());
    signaling.deliver({ ...samples.welcome, ice: { ...ice, expiresAt: Date.now() + 3600_000 } });
    expect(transport.deps!.requestFreshCredentials()).toBe(false);
    signaling.deliver({ type: "ice", ice: { ...ice, expiresAt: Date.now() + 60_000 } });
    expect(transport.deps!.requestFreshCredentials()).toBe(true);
    expect(signaling.sent.at(-1)).toEqual({ type: "ice" });
  });

  it("shows a TURN refusal until new credentials arrive", () => {
    const { signaling, transport, session } = setup();
    cleanup.push(() => session.destroy());
    signaling.deliver(samples.welcome);
    transport.fire("turn-rejected", undefined);
    expect(session.state.turnRejected).toBe(true);
    signaling.deliver(samples.ice);
    expect(session.state.turnRejected).toBe(false);
  });
});

describe("RoomSession lifecycle", () => {
  it("closes the transport on destroy, ignores frames after it, and refuses calls", () => {
    const { signaling, transport, session } = setup();
    signaling.deliver(samples.welcome);
    session.destroy();
    expect(transport.calls.at(-1)).toBe("close");
    expect(session.state.status).toBe("closed");
    signaling.deliver(samples["peer-joined"]);
    expect(transport.calls.at(-1)).toBe("close");
    expect(() => session.sendChat("hi")).toThrow(/after destroy/);
  });
});
