import { afterEach, describe, expect, it, vi } from "vitest";
import { REACTION_BATCH_MS, type ServerMessage } from "../../protocol/protocol";
import { REACTION_SHOW_MS } from "../../web/src/engine/features/presence-view";
import { ice, peer, setup, welcome } from "./session-fakes";

const message = (seq: number, text: string) => ({ seq, from: "p2", name: "Bo", text, ts: seq, cid: `c${seq}` });

/** One sample of every server message type: a type added to the protocol without one here does not compile. */
const samples: { [K in ServerMessage["type"]]: Extract<ServerMessage, { type: K }> } = {
  welcome: welcome(peer("me", "Al", 2, "host"), [peer("p1", "Cy", 1)], { access: { lobby: true, locked: false, passcode: false, recording: true } }),
  "peer-joined": { type: "peer-joined", peer: peer("p2", "Bo", 3) },
  "peer-media": { type: "peer-media", id: "p2", media: { mic: false, cam: true, screen: true } },
  "peer-presence": { type: "peer-presence", id: "p2", away: true },
  "peer-renamed": { type: "peer-renamed", id: "p2", name: "Bolot" },
  signal: { type: "signal", from: "p1", data: { kind: "candidate", candidate: null } },
  chat: { type: "chat", message: message(1, "hello") },
  history: { type: "history", after: 1, messages: [message(2, "earlier")], more: false, ack: "h1" },
  ice: { type: "ice", ice },
  error: { type: "error", code: "ice-throttled", message: "too many ICE credential requests" },
  knock: { type: "knock", knock: { id: "k1", name: "Di", at: 5 } },
  "knock-gone": { type: "knock-gone", id: "k1" },
  access: { type: "access", access: { lobby: true, locked: true, passcode: false, recording: true } },
  "peer-role": { type: "peer-role", id: "p2", role: "cohost" },
  "mute-request": { type: "mute-request", by: "p1" },
  lobby: { type: "lobby", hostPresent: true },
  denied: { type: "denied", blocked: false, retryAfterMs: 30_000 },
  stage: { type: "stage", stage: { mode: "meeting", hands: ["p1"], liveSince: null } },
  "peer-seat": { type: "peer-seat", id: "p2", seat: "speaker" },
  "peer-recording": { type: "peer-recording", id: "p1", recording: { kind: "composite", since: 10 } },
  reaction: { type: "reaction", from: "p1", reactions: ["clap"], at: 10 },
  transport: { type: "transport", transport: { kind: "mesh", sfu: false } },
  "peer-sfu": { type: "peer-sfu", id: "p1", sfu: { session: "s1", tracks: [{ name: "p1-mic", role: "mic" }] } },
  roster: { type: "roster", frames: [{ type: "peer-presence", id: "p1", away: true }] },
  "peer-left": { type: "peer-left", id: "p2" },
  audience: { type: "audience", count: 947 },
  // Its cid is the voice message's the test sends first (a reply to nothing is dropped).
  "file-offer": { type: "file-offer", transfer: "t".repeat(22), from: "p1", name: "a.txt", size: 3, mime: "", id: "ab".repeat(32) },
  "file-upload": { type: "file-upload", transfer: "t".repeat(22), url: "/api/rooms/r/files/k" },
  "file-ready": { type: "file-ready", transfer: "t".repeat(22), url: "/api/rooms/r/files/k" },
  "file-end": { type: "file-end", transfer: "t".repeat(22), reason: "cancelled" },
  "voice-upload": { type: "voice-upload", cid: "set-by-the-test", key: "k".repeat(22), url: "/api/rooms/r/voice-upload/x", expires: 60_000 },
};

let cleanup: Array<() => void> = [];
afterEach(() => {
  for (const f of cleanup.splice(0)) f();
});

describe("RoomSession's server-message table", () => {
  it("reaches a feature for every server message type", () => {
    const fetches: string[] = [];
    const fetch = async (url: RequestInfo | URL) => {
      fetches.push(String(url));
      return new Response(null, { status: 201 });
    };
    const { signaling, transport, session } = setup({ fetch: fetch as typeof globalThis.fetch, objectUrls: { create: () => "blob:x", revoke: () => {} } });
    cleanup.push(() => session.destroy());
    // Relayed files' frames reach the files feature, whose cards follow only once a person acts (and its view is throttled).
    const files = (session as unknown as { files: Record<"relayOffer" | "relayUpload" | "relayReady" | "relayEnded", (m: unknown) => void> }).files;
    const relayed: string[] = [];
    for (const method of ["relayOffer", "relayUpload", "relayReady", "relayEnded"] as const) {
      const real = files[method].bind(files);
      files[method] = (m: unknown) => {
        relayed.push((m as { type: string }).type);
        real(m);
      };
    }
    for (let msg of Object.values(samples)) {
      if (msg.type === "voice-upload") {
        session.actions.sendVoice({ blob: new Blob(["x"], { type: "audio/webm" }), type: "audio/webm", durationMs: 1000 });
        const ask = signaling.sent.findLast((m) => m.type === "voice-upload");
        msg = { ...msg, cid: ask?.type === "voice-upload" ? ask.cid : "" };
      }
      const before = { state: session.state, calls: transport.calls.length, sent: signaling.sent.length, fetches: fetches.length };
      signaling.deliver(msg);
      // On the mesh a publication changes nothing anyone sees: the transport feature keeps it for an SFU to pull.
      const kept = msg.type === "peer-sfu" && (session as unknown as { transportFeature: { publications: Map<string, unknown> } }).transportFeature.publications.has(msg.id);
      const reached = kept || relayed.includes(msg.type) || session.state !== before.state || transport.calls.length > before.calls || signaling.sent.length > before.sent || fetches.length > before.fetches;
      expect(reached, `${msg.type} reached no feature`).toBe(true);
    }
    const s = session.state;
    expect(s.selfId).toBe("me");
    expect(s.participants.map((p) => p.id)).toEqual(["p1"]);
    const shown = (i: (typeof s.chat)[number]) => (i.kind === "chat" ? i.message.text : i.kind === "system" ? `${i.name} ${i.event}` : i.voice ? `voice ${i.voice.status}` : "?");
    expect(s.chat.map(shown)).toEqual([
      "Bo joined",
      "hello",
      "earlier",
      "Cy recording-started",
      "Bolot left", // renamed on the way (peer-renamed)
      "voice uploading", // its capability came (voice-upload): the PUT is out
    ]);
    expect(fetches).toEqual(["/api/rooms/r/voice-upload/x"]);
    expect(transport.calls).toEqual([
      "setSelf me",
      "setStage meeting speaker",
      "setIceServers 1",
      "addPeer p1",
      "addPeer p2",
      "signal p1 candidate",
      "setIceServers 1",
      "restartWaiting",
      "addPeer p2",
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

  it("hands a file's channel to the files feature, not to the peer connection", () => {
    const { signaling, transport, session } = setup();
    cleanup.push(() => session.destroy());
    signaling.deliver(samples.welcome);
    signaling.deliver(samples["peer-joined"]);
    // p2 is the sender: its stream must have the other parity than ours with it.
    const channel = session.state.selfId! < "p2" ? 1 : 0;
    signaling.deliver({ type: "signal", from: "p2", data: { kind: "file", transfer: "T".repeat(22), channel } });
    expect(transport.channelsAsked).toEqual([`p2:${channel}`]);
    expect(transport.calls.some((c) => c.startsWith("signal"))).toBe(false);
  });

  it("gives the files feature a resumed welcome's relayed files (a missed offer becomes one card), and a fresh welcome's none", async () => {
    const { signaling, session } = setup();
    cleanup.push(() => session.destroy());
    const me = peer("me", "Me", 1);
    const p1 = peer("p1", "Ann", 2);
    signaling.deliver(welcome(me, [p1]));
    const offer = { side: "to-you", transfer: "t".repeat(22), from: "p1", name: "a.txt", size: 3, mime: "", id: "ab".repeat(32), step: "offered", url: null } as const;
    const files = { open: [offer], ended: [] };
    signaling.deliver(welcome(me, [p1], { resumed: true, files }));
    signaling.deliver(welcome(me, [p1], { resumed: true, files }));
    await vi.waitFor(() => expect(session.state.files.incoming.map((i) => [i.transfer, i.status])).toEqual([["t".repeat(22), "offered"]]));
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

describe("reactions in the session", () => {
  it("shows the welcome's, the relayed and our own; sends ours in one frame; stops its timers with the session", () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "performance"] });
    try {
      const { signaling, session } = setup();
      expect(session.actions.react("clap")).toBe(false); // not in the room yet
      signaling.deliver(welcome(peer("me", "Al", 10_000), [peer("p1", "Bo", 1)], { reactions: [{ from: "p1", reactions: ["clap"], at: 9_000 }] }));
      signaling.deliver({ type: "reaction", from: "p1", reactions: ["heart"], at: 10_100 });
      expect(session.actions.react("party")).toBe(true);
      const shown = () => session.state.reactions.map((r) => `${r.from}:${r.code}`);
      expect(shown()).toEqual(["p1:clap", "p1:heart", "me:party"]);
      vi.advanceTimersByTime(REACTION_BATCH_MS);
      expect(signaling.sent.filter((m) => m.type === "react")).toEqual([{ type: "react", reactions: ["party"] }]);
      vi.advanceTimersByTime(REACTION_SHOW_MS);
      expect(shown()).toEqual([]);
      session.actions.react("sad");
      session.destroy();
      expect(vi.getTimerCount()).toBe(0);
      expect(() => session.actions.react("clap")).toThrow(/after destroy/);
    } finally {
      vi.useRealTimers();
    }
  });
});
