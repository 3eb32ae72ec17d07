import { describe, expect, it } from "vitest";
import type { SignalData } from "../../protocol/protocol";
import { Negotiation, type NegotiatedConnection, type NegotiationError, type NegotiationSignal } from "../../web/src/engine/peer/negotiation";

type Description = { type: RTCSdpType; sdp: string };

/**
 * Just enough of RTCPeerConnection's signaling state machine (webrtc-pc §4.3.1) for perfect
 * negotiation: offers, answers, the implicit rollback of a local offer by a remote one, and
 * candidates that need a remote description. Every step is asynchronous, as in a browser.
 */
class FakePeerConnection extends EventTarget {
  signalingState: RTCSignalingState = "stable";
  localDescription: Description | null = null;
  remoteDescription: Description | null = null;
  readonly added: Array<string | undefined> = [];
  failAnswer = false;
  private offers = 0;

  constructor(readonly name: string) {
    super();
  }

  async setLocalDescription(): Promise<void> {
    await Promise.resolve();
    if (this.signalingState === "have-remote-offer") {
      if (this.failAnswer) throw new Error("OperationError: cannot answer");
      this.localDescription = { type: "answer", sdp: `answer from ${this.name}` };
      this.signalingState = "stable";
    } else {
      this.localDescription = { type: "offer", sdp: `offer ${++this.offers} from ${this.name}` };
      this.signalingState = "have-local-offer";
    }
  }

  async setRemoteDescription(d: Description): Promise<void> {
    await Promise.resolve();
    if (d.type === "offer") {
      // A remote offer over our own rolls ours back (implicit rollback, webrtc-pc §4.4.1.6).
      if (this.signalingState === "have-local-offer") this.localDescription = null;
      this.signalingState = "have-remote-offer";
    } else if (d.type === "answer") {
      if (this.signalingState !== "have-local-offer") throw new Error("InvalidStateError: no local offer");
      this.signalingState = "stable";
    }
    this.remoteDescription = d;
  }

  async addIceCandidate(c?: RTCIceCandidateInit): Promise<void> {
    await Promise.resolve();
    if (!this.remoteDescription) throw new Error("InvalidStateError: no remote description");
    this.added.push(c?.candidate);
  }

  needNegotiation() {
    this.dispatchEvent(new Event("negotiationneeded"));
  }

  gather(candidate: string) {
    this.dispatchEvent(Object.assign(new Event("icecandidate"), { candidate: { toJSON: () => ({ candidate, sdpMid: "0" }) } }));
  }
}

const settle = async () => {
  for (let i = 0; i < 10; i++) await new Promise((r) => setTimeout(r, 0));
};

function side(name: string, polite: boolean) {
  const pc = new FakePeerConnection(name);
  const outbox: NegotiationSignal[] = [];
  const errors: NegotiationError["code"][] = [];
  const hooks: string[] = [];
  const negotiation = new Negotiation({
    pc: pc as unknown as NegotiatedConnection,
    polite,
    peerId: name,
    send: (s) => outbox.push(s),
    onError: (e) => errors.push(e.code),
    hooks: { beforeAnswer: (sdp) => hooks.push(`before ${sdp} in ${pc.signalingState}`), afterAnswer: () => hooks.push("after") },
  });
  /** Hands everything this side sent to `other`, in order. */
  const deliverTo = async (other: { negotiation: Negotiation }) => {
    for (const s of outbox.splice(0)) await other.negotiation.receive(s);
  };
  return { pc, outbox, errors, hooks, negotiation, deliverTo };
}

const descriptions = (signals: NegotiationSignal[]) =>
  signals.flatMap((s: SignalData) => (s.kind === "description" ? [s.description.type] : []));

describe("Negotiation (perfect negotiation)", () => {
  it("one side offers, the other answers: one offer, one answer, hooks around the answer", async () => {
    const a = side("a", false);
    const b = side("b", true);
    a.pc.needNegotiation();
    await settle();
    expect(descriptions(a.outbox)).toEqual(["offer"]);
    await a.deliverTo(b);
    expect(descriptions(b.outbox)).toEqual(["answer"]);
    expect(b.hooks).toEqual(["before offer 1 from a in have-remote-offer", "after"]);
    await b.deliverTo(a);
    expect([a.pc.signalingState, b.pc.signalingState]).toEqual(["stable", "stable"]);
    expect([...a.errors, ...b.errors]).toEqual([]);
  });

  it("in a glare the impolite side ignores the colliding offer and the polite side rolls back and answers", async () => {
    const impolite = side("impolite", false);
    const polite = side("polite", true);
    impolite.pc.needNegotiation();
    polite.pc.needNegotiation();
    await settle();
    expect([impolite.pc.signalingState, polite.pc.signalingState]).toEqual(["have-local-offer", "have-local-offer"]);

    await polite.deliverTo(impolite);
    expect(impolite.pc.remoteDescription).toBeNull();
    // Only its own offer is waiting to go out: no answer to the colliding one.
    expect(descriptions(impolite.outbox)).toEqual(["offer"]);
    expect(impolite.pc.signalingState).toBe("have-local-offer");

    await impolite.deliverTo(polite);
    expect(polite.pc.remoteDescription?.sdp).toBe("offer 1 from impolite");
    expect(descriptions(polite.outbox)).toEqual(["answer"]);

    await polite.deliverTo(impolite);
    expect([impolite.pc.signalingState, polite.pc.signalingState]).toEqual(["stable", "stable"]);
    expect(impolite.pc.remoteDescription?.type).toBe("answer");
    expect([...impolite.errors, ...polite.errors]).toEqual([]);
  });

  it("buffers candidates that arrive before the offer and adds them, in order, once it is applied", async () => {
    const a = side("a", false);
    const b = side("b", true);
    a.pc.needNegotiation();
    await settle();
    a.pc.gather("c1");
    a.pc.gather("c2");
    // The candidates overtake the offer on the way.
    const [offer, ...candidates] = a.outbox.splice(0);
    for (const c of candidates) await b.negotiation.receive(c!);
    expect(b.pc.added).toEqual([]);
    await b.negotiation.receive(offer!);
    expect(b.pc.added).toEqual(["c1", "c2"]);
    expect(b.errors).toEqual([]);
  });

  it("applies signals one at a time in the order they came, even when not awaited", async () => {
    const a = side("a", false);
    const b = side("b", true);
    a.pc.needNegotiation();
    await settle();
    a.pc.gather("c1");
    const [offer, candidate] = a.outbox.splice(0);
    const done = [b.negotiation.receive(offer!), b.negotiation.receive(candidate!)];
    await Promise.all(done);
    expect(b.pc.added).toEqual(["c1"]);
    expect(b.errors).toEqual([]);
  });

  it("reports a failure to answer as ERR_CREATE_ANSWER, not as a remote description error", async () => {
    const a = side("a", false);
    const b = side("b", true);
    b.pc.failAnswer = true;
    a.pc.needNegotiation();
    await settle();
    await a.deliverTo(b);
    expect(b.errors).toEqual(["ERR_CREATE_ANSWER"]);
    expect(b.hooks).toEqual(["before offer 1 from a in have-remote-offer"]);
  });

  it("reports an answer that does not fit as ERR_SET_REMOTE_DESCRIPTION", async () => {
    const b = side("b", true);
    await b.negotiation.receive({ kind: "description", description: { type: "answer", sdp: "stray" } });
    expect(b.errors).toEqual(["ERR_SET_REMOTE_DESCRIPTION"]);
  });

  it("after close it sends nothing, and refuses new signals", async () => {
    const a = side("a", false);
    a.negotiation.close();
    a.pc.needNegotiation();
    a.pc.gather("c1");
    await settle();
    expect(a.outbox).toEqual([]);
    expect(() => a.negotiation.receive({ kind: "candidate", candidate: null })).toThrow(/after close/);
  });
});
