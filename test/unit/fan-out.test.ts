// The room's fan-out (worker/durable/fan-out.ts) over stand-in sockets: roster changes batched in
// a large room, each member getting exactly what it would have got one by one, in order, and
// nothing overtaking a change it is due.

import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { parseServerMessage, type PeerInfo, type ServerMessage } from "../../protocol/protocol";
import { FanOut, type FanOutSockets } from "../../worker/durable/fan-out";
import type { Target } from "../../worker/room/effects";

/** A member's socket as the fan-out sees it: what it was sent. */
class StandInSocket {
  readonly sent: string[] = [];
  /** What a client makes of it: frames, batches unpacked in order. */
  frames(): ServerMessage[] {
    return this.sent.flatMap((f) => {
      const msg = parseServerMessage(f);
      if (!msg) throw new Error(`unreadable frame ${f}`);
      return msg.type === "roster" ? msg.frames : [msg];
    });
  }
}

/** The room's sockets by member (the part of durable/sockets.ts SocketRegistry the fan-out uses). */
class StandInSockets implements FanOutSockets {
  readonly byMember = new Map<string, StandInSocket>();
  private readonly members = new Map<unknown, string>();
  add(id: string): StandInSocket {
    const s = new StandInSocket();
    this.byMember.set(id, s);
    this.members.set(s, id);
    return s;
  }
  deliver(self: WebSocket | null, to: Target, frame: string): void {
    if (to === "self") (self as unknown as StandInSocket | null)?.sent.push(frame);
    else if (Array.isArray(to)) for (const id of to) this.sendToMember(id, frame);
  }
  sendToMember(id: string, frame: string): void {
    this.byMember.get(id)?.sent.push(frame);
  }
  memberOf(ws: WebSocket): string | null {
    return this.members.get(ws) ?? null;
  }
}

const peer = (id: string): PeerInfo => ({
  id, name: id, media: { mic: false, cam: false, screen: false }, joined: 1, away: false, role: "member", seat: "viewer", recording: null, sfu: null,
});

function room(n: number, policy = { min: 3, windowMs: 25, max: 8 }) {
  const registry = new StandInSockets();
  for (let i = 0; i < n; i++) registry.add(`m${i}`);
  const sockets = registry.byMember;
  const fanOut = new FanOut(registry, policy);
  const ws = (id: string) => sockets.get(id)! as unknown as WebSocket;
  return { sockets, registry, fanOut, ws, ids: () => [...sockets.keys()] };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("the room's fan-out", () => {
  it("sends a lone change at once, and a burst after it as one batch per member, each member hearing only of those after it", () => {
    const r = room(4);
    r.fanOut.send(null, r.ids(), { type: "peer-left", id: "gone" });
    expect(r.sockets.get("m0")!.sent).toEqual([JSON.stringify({ type: "peer-left", id: "gone" })]);
    for (const s of r.sockets.values()) s.sent.length = 0;
    const old = r.ids();
    // Three joiners in a row, as the room tells them: everyone before each, not the joiner itself.
    const joiners = ["j1", "j2", "j3"];
    let present = [...old];
    for (const j of joiners) {
      r.fanOut.send(null, present, { type: "peer-joined", peer: peer(j) });
      r.registry.add(j);
      present = [...present, j];
    }
    expect([...r.sockets.values()].every((s) => s.sent.length === 0)).toBe(true);
    vi.advanceTimersByTime(25);
    for (const id of old) {
      expect(r.sockets.get(id)!.sent).toHaveLength(1);
      expect(r.sockets.get(id)!.frames().map((f) => f.type === "peer-joined" && f.peer.id)).toEqual(joiners);
    }
    expect(r.sockets.get("j1")!.frames().map((f) => f.type === "peer-joined" && f.peer.id)).toEqual(["j2", "j3"]);
    // One change alone goes as itself, not in a batch.
    expect(JSON.parse(r.sockets.get("j2")!.sent[0]!)).toEqual({ type: "peer-joined", peer: peer("j3") });
    expect(r.sockets.get("j3")!.sent).toEqual([]);
    expect(r.fanOut.counts).toEqual({ batches: 2, batched: 4 });
    // Quiet again after the window: the next change goes at once.
    vi.advanceTimersByTime(30);
    r.fanOut.send(null, old, { type: "peer-left", id: "j3" });
    expect(r.sockets.get("m0")!.frames().at(-1)).toEqual({ type: "peer-left", id: "j3" });
  });

  it("lets nothing overtake a change a member is due, and serialises each frame once for everyone", () => {
    const r = room(5);
    r.fanOut.send(null, r.ids(), { type: "peer-left", id: "first" });
    for (const s of r.sockets.values()) s.sent.length = 0;
    r.fanOut.send(null, r.ids(), { type: "peer-presence", id: "m0", away: true });
    r.fanOut.send(null, r.ids(), { type: "peer-sfu", id: "m1", sfu: { session: "s1", tracks: [{ name: "cam", role: "camera" }] } });
    // A signal to m2 sends what is held first.
    r.fanOut.send(null, ["m2"], { type: "signal", from: "m3", data: { kind: "candidate", candidate: null } });
    expect(r.sockets.get("m2")!.frames().map((f) => f.type)).toEqual(["peer-presence", "peer-sfu", "signal"]);
    // Everyone got the same batch, the very same string.
    const batches = new Set(r.ids().map((id) => r.sockets.get(id)!.sent[0]));
    expect(batches.size).toBe(1);
    vi.advanceTimersByTime(100);
    expect(r.sockets.get("m0")!.sent).toHaveLength(1);
  });

  it("flushes before a frame to the socket being handled, and when a member's socket changes hands", () => {
    const r = room(4);
    r.fanOut.send(null, r.ids(), { type: "peer-left", id: "first" });
    for (const s of r.sockets.values()) s.sent.length = 0;
    r.fanOut.send(null, r.ids(), { type: "peer-left", id: "x" });
    r.fanOut.send(r.ws("m1"), "self", { type: "error", code: "rate-limited", message: "slow down" });
    expect(r.sockets.get("m1")!.frames().map((f) => f.type)).toEqual(["peer-left", "error"]);
    r.fanOut.send(null, r.ids(), { type: "peer-left", id: "y" });
    r.fanOut.before("m3");
    expect(r.sockets.get("m3")!.frames().map((f) => f.type === "peer-left" && f.id)).toEqual(["x", "y"]);
  });

  it("sends a full batch at once, and leaves small rooms and other frames unbatched", () => {
    const r = room(4, { min: 3, windowMs: 25, max: 3 });
    r.fanOut.send(null, r.ids(), { type: "peer-left", id: "first" });
    for (const s of r.sockets.values()) s.sent.length = 0;
    for (const id of ["a", "b", "c"]) r.fanOut.send(null, r.ids(), { type: "peer-left", id });
    expect(r.sockets.get("m0")!.sent).toHaveLength(1);
    expect(r.sockets.get("m0")!.frames()).toHaveLength(3);
    // Two recipients: below the policy's minimum, sent at once.
    r.fanOut.send(null, ["m0", "m1"], { type: "peer-left", id: "d" });
    expect(r.sockets.get("m0")!.sent).toHaveLength(2);
    // A chat to everyone is never held.
    r.fanOut.send(null, r.ids(), { type: "chat", message: { seq: 1, from: "m1", name: "m1", text: "hi", ts: 1, cid: "c" } });
    expect(r.sockets.get("m3")!.sent).toHaveLength(2);
  });
});
