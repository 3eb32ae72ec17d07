// The crowd in the room core (protocol/features/crowd.ts, worker/room/features/crowd.ts): plain
// viewers on a stage do not hear of one another, everyone else hears everything, members that
// come into or go out of sight are told without a join or a leave, and the audience's count goes
// out at most once per AUDIENCE_EVERY_MS. Over real sockets in workerd: test/workerd/crowd.test.ts.

import { describe, expect, it } from "vitest";
import { AUDIENCE_EVERY_MS, inCrowd, ROSTER_BATCH_MAX, type ServerMessage } from "../../protocol/protocol";
import { type FakeSocket, HOST_KEY, makeSocketRoom } from "./room-sockets";

/** A stage with a host (a speaker) and `viewers` plain members (the crowd). */
function stage(viewers: number, vars: Record<string, string> = {}) {
  const r = makeSocketRoom(vars, { mode: "stage" });
  const host = r.join("Host", { hostKey: HOST_KEY });
  const crowd = Array.from({ length: viewers }, (_, i) => r.join(`V${i}`));
  return { r, host, crowd };
}

/** Every peer id a socket heard of through a frame about one, batches opened. */
function heardOf(s: FakeSocket): string[] {
  const ids: string[] = [];
  const about = (f: ServerMessage) => {
    if (f.type === "roster") f.frames.forEach(about);
    else if (f.type === "peer-joined") ids.push(f.peer.id);
    else if ("id" in f && typeof f.id === "string" && f.type.startsWith("peer-")) ids.push(f.id);
  };
  s.frames.forEach(about);
  return ids;
}

/** Frames of a type, batches opened. */
function opened<T extends "peer-joined" | "peer-left">(s: FakeSocket, type: T): Extract<ServerMessage, { type: T }>[] {
  return s.frames.flatMap((f) => (f.type === "roster" ? f.frames : [f])).filter((f): f is Extract<ServerMessage, { type: T }> => f.type === type);
}

/** The socket as if it had received only its frames from the `n`th on. */
const since = (s: FakeSocket, n: number): FakeSocket => Object.assign(Object.create(Object.getPrototypeOf(s) as object) as FakeSocket, s, { frames: s.frames.slice(n) });

describe("crowd: who is in it", () => {
  it("is a plain member's viewer seat on a stage, not recording; anything else is outside", () => {
    const viewer = { role: "member", seat: "viewer", recording: null } as const;
    expect(inCrowd("stage", viewer)).toBe(true);
    expect(inCrowd("meeting", viewer)).toBe(false);
    expect(inCrowd("stage", { ...viewer, seat: "speaker" })).toBe(false);
    for (const role of ["host", "cohost", "temp-host"] as const) expect(inCrowd("stage", { ...viewer, role }), role).toBe(false);
    expect(inCrowd("stage", { ...viewer, recording: { kind: "composite", since: 1 } })).toBe(false);
  });
});

describe("crowd: what its members hear", () => {
  it("leaves the other viewers out of a viewer's welcome and frames; the host hears every one", () => {
    const { r, host, crowd } = stage(3);
    const [v0, v1, v2] = crowd as [FakeSocket, FakeSocket, FakeSocket];
    expect(v2.last("welcome")!.peers.map((p) => p.id)).toEqual([r.idOf(host)]);
    expect(v2.last("welcome")!.audience).toBe(3);
    expect(host.all("peer-joined").map((f) => f.peer.id)).toEqual(crowd.map((s) => r.idOf(s)));
    r.send(v1, { type: "leave" });
    r.drop(v2);
    expect(host.last("peer-left")).toEqual({ type: "peer-left", id: r.idOf(v1) });
    expect(host.last("peer-presence")).toEqual({ type: "peer-presence", id: r.idOf(v2), away: true });
    // v0 heard of nobody but itself (the host it knows from its welcome, which did nothing since).
    expect(heardOf(v0).filter((id) => id !== r.idOf(v0))).toEqual([]);
  });

  it("still gets frames about itself and about the stage; chat reaches everyone", () => {
    const { r, host, crowd } = stage(2);
    const [v0, v1] = crowd as [FakeSocket, FakeSocket];
    r.send(host, { type: "media", media: { mic: false, cam: true, screen: false } });
    expect(v0.last("peer-media")).toMatchObject({ id: r.idOf(host) });
    r.send(v1, { type: "chat", text: "hi", cid: "c1" });
    expect(v0.last("chat")!.message).toMatchObject({ from: r.idOf(v1), name: "V1", text: "hi" });
  });

  it("lists a viewer's raised hand for everyone (a crowd client skips ids it does not know)", () => {
    const { r, host, crowd } = stage(2);
    const [v0, v1] = crowd as [FakeSocket, FakeSocket];
    r.send(v1, { type: "hand", up: true });
    for (const s of [host, v0, v1]) expect(s.last("stage")!.stage.hands, s.name).toEqual([r.idOf(v1)]);
  });

  it("answers a viewer's signal to another viewer as for an id not in the room, without a strike", () => {
    const { r, crowd } = stage(2);
    const [v0, v1] = crowd as [FakeSocket, FakeSocket];
    r.send(v0, { type: "signal", to: r.idOf(v1), data: { kind: "candidate", candidate: null } });
    r.send(v0, { type: "signal", to: "nobody", data: { kind: "candidate", candidate: null } });
    expect(v0.all("error").map((e) => [e.code, e.message.replace(/"[^"]*"/, "X")])).toEqual([
      ["unknown-peer", "no peer X in this room"],
      ["unknown-peer", "no peer X in this room"],
    ]);
    expect(v1.all("signal")).toEqual([]);
    // The unknown id costs a strike, the hidden one none: signals in flight when seats change meet it.
    expect(v0.strikes).toBe(1);
  });
});

describe("crowd: coming into and going out of sight", () => {
  it("on a move onto the stage: the crowd meets the speaker, the speaker meets the crowd; back down, both lose sight, silently", () => {
    const { r, host, crowd } = stage(3);
    const [v0, v1, v2] = crowd as [FakeSocket, FakeSocket, FakeSocket];
    const n1 = v1.frames.length;
    const n0 = v0.frames.length;
    r.send(host, { type: "set-seat", id: r.idOf(v0), seat: "speaker" });
    expect(opened(since(v1, n1), "peer-joined")).toEqual([{ type: "peer-joined", peer: expect.objectContaining({ id: r.idOf(v0), seat: "speaker" }), crowd: true }]);
    expect(since(v1, n1).all("peer-seat")).toEqual([]);
    expect(opened(since(v0, n0), "peer-joined").map((f) => [f.peer.id, f.crowd])).toEqual([[r.idOf(v1), true], [r.idOf(v2), true]]);
    const m1 = v1.frames.length;
    const m0 = v0.frames.length;
    const h = host.frames.length;
    r.send(host, { type: "set-seat", id: r.idOf(v0), seat: "viewer" });
    expect(since(v1, m1).frames.filter((f) => f.type !== "audience")).toEqual([{ type: "peer-left", id: r.idOf(v0), crowd: true }]);
    expect(opened(since(v0, m0), "peer-left")).toEqual([{ type: "peer-left", id: r.idOf(v1), crowd: true }, { type: "peer-left", id: r.idOf(v2), crowd: true }]);
    // The host saw it all along: a seat change, nothing more.
    expect(opened(since(host, h), "peer-left")).toEqual([]);
    expect(since(host, h).last("peer-seat")).toEqual({ type: "peer-seat", id: r.idOf(v0), seat: "viewer" });
  });

  it("made cohost, a viewer leaves the crowd; made a member again, it goes back", () => {
    const { r, host, crowd } = stage(2);
    const [v0, v1] = crowd as [FakeSocket, FakeSocket];
    r.send(host, { type: "set-role", id: r.idOf(v0), role: "cohost" });
    expect(opened(v1, "peer-joined")).toEqual([{ type: "peer-joined", peer: expect.objectContaining({ id: r.idOf(v0), role: "cohost" }), crowd: true }]);
    expect(opened(v0, "peer-joined").at(-1)).toMatchObject({ peer: { id: r.idOf(v1) }, crowd: true });
    expect(v1.all("peer-role")).toEqual([]);
    r.send(host, { type: "set-role", id: r.idOf(v0), role: "member" });
    expect(v1.last("peer-left")).toEqual({ type: "peer-left", id: r.idOf(v0), crowd: true });
    expect(v0.last("peer-left")).toEqual({ type: "peer-left", id: r.idOf(v1), crowd: true });
  });

  it("recording, a viewer is never anonymous: the crowd meets it, and loses it when it stops", () => {
    const { r, crowd } = stage(2);
    const [v0, v1] = crowd as [FakeSocket, FakeSocket];
    r.send(v0, { type: "recording", kind: "composite" });
    expect(opened(v1, "peer-joined")).toEqual([{ type: "peer-joined", peer: expect.objectContaining({ id: r.idOf(v0), recording: expect.objectContaining({ kind: "composite" }) }), crowd: true }]);
    // Its own announcement comes back to it, as to everyone.
    expect(v0.last("peer-recording")).toMatchObject({ id: r.idOf(v0) });
    r.send(v0, { type: "recording", kind: null });
    expect(v1.last("peer-left")).toEqual({ type: "peer-left", id: r.idOf(v0), crowd: true });
  });

  it("when the stage becomes a meeting, viewers meet one another once; when it is a stage again, they lose sight", () => {
    const { r, host, crowd } = stage(3, { ROOM_CAPACITY: "8" });
    r.send(host, { type: "set-mode", mode: "meeting" });
    for (const s of crowd) {
      const others = crowd.filter((o) => o !== s).map((o) => r.idOf(o));
      expect(opened(s, "peer-joined").map((f) => f.peer.id).sort(), s.name).toEqual(others.sort());
    }
    r.send(host, { type: "set-mode", mode: "stage" });
    for (const s of crowd) {
      const others = crowd.filter((o) => o !== s).map((o) => r.idOf(o));
      expect(opened(s, "peer-left").filter((f) => f.crowd).map((f) => f.id).sort(), s.name).toEqual(others.sort());
    }
    expect(opened(host, "peer-left")).toEqual([]);
  });

  it("a resumed viewer takes its seat back unseen by the crowd, and its welcome lists the stage only", () => {
    const { r, host, crowd } = stage(2);
    const [v0, v1] = crowd as [FakeSocket, FakeSocket];
    const n1 = v1.frames.length;
    r.drop(v0);
    const back = r.join("V0 again", { resume: { id: r.idOf(v0), token: v0.last("welcome")!.resumeToken } });
    expect(back.last("welcome")!.resumed).toBe(true);
    expect(back.last("welcome")!.peers.map((p) => p.id)).toEqual([r.idOf(host)]);
    expect(back.last("welcome")!.audience).toBe(2);
    expect(heardOf(since(v1, n1))).toEqual([]);
    expect(host.last("peer-renamed")).toEqual({ type: "peer-renamed", id: r.idOf(v0), name: "V0 again" });
  });

  it("sends a speaker that leaves a large crowd everyone in batches of at most ROSTER_BATCH_MAX", () => {
    const count = ROSTER_BATCH_MAX + 10;
    const { r, host, crowd } = stage(count + 1, { STAGE_VIEWERS: String(count + 1) });
    const up = crowd[0]!;
    const n = up.frames.length;
    r.send(host, { type: "set-seat", id: r.idOf(up), seat: "speaker" });
    const batches = since(up, n).all("roster");
    expect(batches.map((b) => b.frames.length)).toEqual([ROSTER_BATCH_MAX, 10]);
    expect(new Set(opened(since(up, n), "peer-joined").map((f) => f.peer.id)).size).toBe(count);
  });
});

describe("crowd: the count", () => {
  it("goes to everyone at once on the first change, then at most once per AUDIENCE_EVERY_MS, from the alarm", () => {
    const r = makeSocketRoom({}, { mode: "stage" });
    const host = r.join("Host", { hostKey: HOST_KEY });
    expect(host.all("audience")).toEqual([]);
    const v0 = r.join("V0");
    expect(host.all("audience")).toEqual([{ type: "audience", count: 1 }]);
    r.clock.now += 100;
    r.join("V1");
    r.join("V2");
    expect(host.all("audience")).toHaveLength(1);
    expect(r.core.nextDeadline()).toBeLessThanOrEqual(1000 + AUDIENCE_EVERY_MS);
    r.alarm(AUDIENCE_EVERY_MS);
    expect(host.all("audience")).toEqual([{ type: "audience", count: 1 }, { type: "audience", count: 3 }]);
    expect(v0.last("audience")).toEqual({ type: "audience", count: 3 });
    // Nothing changed: the alarm sends nothing more.
    r.alarm(AUDIENCE_EVERY_MS);
    expect(host.all("audience")).toHaveLength(2);
  });

  it("is recounted when the room wakes, and taken as told: no frame for it, and the next change goes out", () => {
    const { r, host, crowd } = stage(3);
    r.alarm(AUDIENCE_EVERY_MS);
    const woken = r.build();
    woken.restore(new Set([r.idOf(host), ...crowd.map((s) => r.idOf(s))]));
    const audienceIn = (effects: ReturnType<typeof woken.expire>) => effects.flatMap((e) => (e.kind === "send" && e.msg.type === "audience" ? [e.msg] : []));
    expect(audienceIn(woken.expire())).toEqual([]);
    expect(audienceIn(woken.handle(r.idOf(crowd[0]!), { type: "leave" }))).toEqual([{ type: "audience", count: 2 }]);
  });

  it("is never sent in a meeting, however many join", () => {
    const r = makeSocketRoom();
    const host = r.join("Host", { hostKey: HOST_KEY });
    for (let i = 0; i < 4; i++) r.join(`M${i}`);
    r.alarm(AUDIENCE_EVERY_MS);
    expect(host.all("audience")).toEqual([]);
    expect(host.last("welcome")!.audience).toBe(0);
  });
});
