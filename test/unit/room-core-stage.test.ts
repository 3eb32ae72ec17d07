// Stage mode in the room core (worker/room/features/stage.ts): seats on joining, the relay and
// publishing rules, who may move whom, hands, mode switches, and what survives a resume or a
// rebuild from storage. The same rules over real sockets in workerd: test/workerd/stage.test.ts.

import { describe, expect, it } from "vitest";
import { MAX_SPEAKERS, type ClientMessage } from "../../protocol/protocol";
import { HAND_POLICY } from "../../worker/room/features/stage";
import { type FakeSocket, HOST_KEY, makeSocketRoom } from "./room-sockets";

const OFF = { mic: false, cam: false, screen: false };
const ON = { mic: true, cam: true, screen: false };
const candidate = { kind: "candidate", candidate: null } as const;

/** A stage with a host (a speaker) and `viewers` plain members (viewers). */
function stage(viewers = 2, vars: Record<string, string> = {}) {
  const r = makeSocketRoom(vars, { mode: "stage" });
  const host = r.join("Host", { hostKey: HOST_KEY });
  const audience = Array.from({ length: viewers }, (_, i) => r.join(`V${i}`));
  return { r, host, audience };
}

const seatOf = (r: ReturnType<typeof makeSocketRoom>, s: FakeSocket) => r.core.roster().find((p) => p.id === r.idOf(s))!.seat;

describe("stage: seats on joining", () => {
  it("seats the host key holder as a speaker and everyone else as a viewer, publishing nothing", () => {
    const { r, host, audience } = stage(1);
    const [v] = audience as [FakeSocket];
    expect(host.last("welcome")!.you).toMatchObject({ role: "host", seat: "speaker", media: ON });
    expect(host.last("welcome")!.stage).toEqual({ mode: "stage", hands: [], liveSince: 1000 });
    expect(v.last("welcome")!.you).toMatchObject({ role: "member", seat: "viewer", media: OFF });
    expect(v.last("welcome")!.peers).toEqual([expect.objectContaining({ id: r.idOf(host), seat: "speaker" })]);
    expect(host.last("peer-joined")!.peer).toMatchObject({ seat: "viewer", media: OFF });
    expect(v.last("welcome")!.settings.stageViewers).toBe(25);
  });

  it("seats a fifth key holder as a viewer: at most four speakers", () => {
    const r = makeSocketRoom({}, { mode: "stage" });
    const hosts = Array.from({ length: MAX_SPEAKERS + 1 }, (_, i) => r.join(`H${i}`, { hostKey: HOST_KEY }));
    expect(hosts.map((h) => h.last("welcome")!.you.seat)).toEqual(["speaker", "speaker", "speaker", "speaker", "viewer"]);
  });

  it("refuses the viewer past STAGE_VIEWERS with stage-full and 4409; a key holder still takes a speaker's seat", () => {
    const { r } = stage(2, { STAGE_VIEWERS: "2" });
    const late = r.join("Late");
    expect(late.errors()).toEqual(["stage-full"]);
    expect(late.closed).toEqual({ code: 4409, reason: "stage full" });
    const cohost = r.join("Second host", { hostKey: HOST_KEY });
    expect(cohost.last("welcome")!.you.seat).toBe("speaker");
  });

  it("does not count the meeting's capacity on a stage: four speakers and the audience", () => {
    const { r } = stage(4, { ROOM_CAPACITY: "3" });
    expect(r.core.size).toBe(5);
    expect(r.core.capacity).toBe(MAX_SPEAKERS + 25);
  });

  it("seats a knock admitted from the lobby as a viewer, and counts the audience's seats for an admit", () => {
    const r = makeSocketRoom({ STAGE_VIEWERS: "1" }, { mode: "stage", lobby: true });
    const host = r.join("Host", { hostKey: HOST_KEY });
    r.join("K1");
    r.join("K2");
    r.send(host, { type: "admit", knocks: host.all("knock").map((k) => k.knock.id) });
    expect(host.errors()).toEqual(["stage-full"]);
    expect(host.last("error")!.message).toMatch(/1 still waiting/);
    expect(r.core.roster().map((p) => p.seat)).toEqual(["speaker", "viewer"]);
  });
});

describe("stage: relaying and publishing", () => {
  it("refuses a viewer's signal to another viewer, and relays between viewers and speakers", () => {
    const { r, host, audience } = stage(2);
    const [v1, v2] = audience as [FakeSocket, FakeSocket];
    r.send(v1, { type: "signal", to: r.idOf(v2), data: candidate });
    // Both are in the crowd: the other is not in the room as far as v1 knows (features/crowd.ts).
    expect(v1.errors()).toEqual(["unknown-peer"]);
    // No strike: signals in flight when seats change meet this refusal in the normal course.
    expect(v1.strikes).toBe(0);
    expect(v2.all("signal")).toEqual([]);
    r.send(v1, { type: "signal", to: r.idOf(host), data: { kind: "description", description: { type: "offer", sdp: "v=0" } } });
    expect(host.last("signal")).toMatchObject({ from: r.idOf(v1) });
    r.send(host, { type: "signal", to: r.idOf(v2), data: { kind: "tier", video: false } });
    expect(v2.last("signal")).toEqual({ type: "signal", from: r.idOf(host), data: { kind: "tier", video: false } });
  });

  it("refuses a viewer's media frame that turns anything on, and accepts all off", () => {
    const { r, host, audience } = stage(1);
    const [v] = audience as [FakeSocket];
    r.send(v, { type: "media", media: { mic: true, cam: false, screen: false } });
    expect(v.errors()).toEqual(["not-on-stage"]);
    expect(host.all("peer-media")).toEqual([]);
    r.send(v, { type: "media", media: OFF });
    expect(host.last("peer-media")).toEqual({ type: "peer-media", id: r.idOf(v), media: OFF });
    expect(v.errors()).toEqual(["not-on-stage"]);
  });
});

describe("stage: who may move whom", () => {
  it("refuses set-seat and set-mode from a viewer (forbidden), and leave-stage from a viewer (not-stage)", () => {
    const { r, audience } = stage(1);
    const [v] = audience as [FakeSocket];
    const id = r.idOf(v);
    const frames: ClientMessage[] = [{ type: "set-seat", id, seat: "speaker" }, { type: "set-mode", mode: "meeting" }, { type: "leave-stage" }];
    for (const f of frames) r.send(v, f);
    expect(v.errors()).toEqual(["forbidden", "forbidden", "not-stage"]);
    expect(seatOf(r, v)).toBe("viewer");
  });

  it("moves a viewer up: its hand goes down, everyone hears; at four speakers, speakers-full", () => {
    const { r, host, audience } = stage(5);
    const [v0, v1, v2, v3, v4] = audience as [FakeSocket, FakeSocket, FakeSocket, FakeSocket, FakeSocket];
    r.send(v0, { type: "hand", up: true });
    expect(host.last("stage")!.stage.hands).toEqual([r.idOf(v0)]);
    r.send(host, { type: "set-seat", id: r.idOf(v0), seat: "speaker" });
    for (const s of [host, v0]) expect(s.last("peer-seat")).toEqual({ type: "peer-seat", id: r.idOf(v0), seat: "speaker" });
    // v1 did not know v0 (both were in the crowd): it meets it now, on the stage.
    expect(v1.all("peer-seat")).toEqual([]);
    expect(v1.last("peer-joined")!.peer).toMatchObject({ id: r.idOf(v0), seat: "speaker" });
    expect(v1.last("stage")!.stage.hands).toEqual([]);
    // Its own client publishes now: the room accepts its media.
    r.send(v0, { type: "media", media: ON });
    expect(host.last("peer-media")).toEqual({ type: "peer-media", id: r.idOf(v0), media: ON });
    for (const v of [v1, v2]) r.send(host, { type: "set-seat", id: r.idOf(v), seat: "speaker" });
    r.send(host, { type: "set-seat", id: r.idOf(v3), seat: "speaker" });
    expect(host.errors()).toEqual(["speakers-full"]);
    expect(host.strikes).toBe(0);
    expect(seatOf(r, v3)).toBe("viewer");
    // Moving someone where it already sits changes nothing and tells nobody.
    const before = v4.frames.length;
    r.send(host, { type: "set-seat", id: r.idOf(v4), seat: "viewer" });
    expect(v4.frames.length).toBe(before);
    r.send(host, { type: "set-seat", id: "nobody", seat: "viewer" });
    expect(host.errors()).toEqual(["speakers-full", "unknown-peer"]);
  });

  it("moves a speaker back: its media goes off and the others are told; a speaker may step down itself", () => {
    const { r, host, audience } = stage(2);
    const [v0, v1] = audience as [FakeSocket, FakeSocket];
    r.send(host, { type: "set-seat", id: r.idOf(v0), seat: "speaker" });
    r.send(v0, { type: "media", media: ON });
    r.send(host, { type: "set-seat", id: r.idOf(v0), seat: "viewer" });
    expect(host.last("peer-seat")).toEqual({ type: "peer-seat", id: r.idOf(v0), seat: "viewer" });
    expect(host.last("peer-media")).toEqual({ type: "peer-media", id: r.idOf(v0), media: OFF });
    // Back in the crowd, v0 goes out of v1's sight, silently.
    expect(v1.frames.at(-1)).toEqual({ type: "peer-left", id: r.idOf(v0), crowd: true });
    expect(r.core.roster().find((p) => p.id === r.idOf(v0))!.media).toEqual(OFF);
    r.send(host, { type: "leave-stage" });
    expect(v0.last("peer-seat")).toEqual({ type: "peer-seat", id: r.idOf(host), seat: "viewer" });
    expect(v0.last("peer-media")).toEqual({ type: "peer-media", id: r.idOf(host), media: OFF });
    r.send(host, { type: "leave-stage" });
    expect(host.errors()).toEqual(["not-stage"]);
  });

  it("lets a cohost move members, but not a host off the stage", () => {
    const { r, host, audience } = stage(2);
    const [c, v] = audience as [FakeSocket, FakeSocket];
    r.send(host, { type: "set-role", id: r.idOf(c), role: "cohost" });
    r.send(c, { type: "set-seat", id: r.idOf(v), seat: "speaker" });
    expect(seatOf(r, v)).toBe("speaker");
    r.send(c, { type: "set-seat", id: r.idOf(host), seat: "viewer" });
    expect(c.errors()).toEqual(["forbidden"]);
    expect(seatOf(r, host)).toBe("speaker");
    // A cohost may seat itself (it may seat anyone); a plain member may not move a speaker down.
    r.send(c, { type: "set-seat", id: r.idOf(c), seat: "speaker" });
    expect(seatOf(r, c)).toBe("speaker");
    r.send(host, { type: "set-role", id: r.idOf(c), role: "member" });
    r.send(c, { type: "set-seat", id: r.idOf(v), seat: "viewer" });
    expect(c.errors()).toEqual(["forbidden", "forbidden"]);
    expect(seatOf(r, v)).toBe("speaker");
  });

  it("refuses set-seat and leave-stage in a meeting (not-stage)", () => {
    const r = makeSocketRoom();
    const host = r.join("Host", { hostKey: HOST_KEY });
    const m = r.join("M");
    r.send(host, { type: "set-seat", id: r.idOf(m), seat: "viewer" });
    r.send(m, { type: "leave-stage" });
    expect(host.errors()).toEqual(["not-stage"]);
    expect(m.errors()).toEqual(["not-stage"]);
    expect(r.core.roster().every((p) => p.seat === "speaker")).toBe(true);
  });
});

describe("stage: hands", () => {
  it("keeps hands in the order raised (ids break a tie), ignores repeats, and shows them to a late joiner", () => {
    const { r, host, audience } = stage(3);
    const [a, b, c] = audience as [FakeSocket, FakeSocket, FakeSocket];
    r.clock.now = 5000;
    r.send(c, { type: "hand", up: true });
    r.send(b, { type: "hand", up: true });
    r.clock.now = 6000;
    r.send(a, { type: "hand", up: true });
    const order = [r.idOf(b), r.idOf(c)].sort();
    expect(host.last("stage")!.stage).toEqual({ mode: "stage", hands: [...order, r.idOf(a)], liveSince: 1000 });
    const frames = host.all("stage").length;
    r.send(a, { type: "hand", up: true });
    r.send(host, { type: "hand", up: false });
    expect(host.all("stage").length).toBe(frames);
    r.send(b, { type: "hand", up: false });
    const late = r.join("Late");
    expect(late.last("welcome")!.stage.hands).toEqual([r.idOf(c), r.idOf(a)]);
  });

  it("drops a member's hand when it leaves, and tells everyone once", () => {
    const { r, host, audience } = stage(2);
    const [a, b] = audience as [FakeSocket, FakeSocket];
    r.send(a, { type: "hand", up: true });
    r.send(b, { type: "leave" });
    expect(host.last("stage")!.stage.hands).toEqual([r.idOf(a)]);
    const id = r.idOf(a);
    r.send(a, { type: "leave" });
    expect(host.last("peer-left")).toEqual({ type: "peer-left", id });
    expect(host.last("stage")!.stage.hands).toEqual([]);
  });

  it("rations hand changes: rate-limited once, then dropped, then expelled with 4429", () => {
    const { r, host, audience } = stage(1);
    const [v] = audience as [FakeSocket];
    const id = r.idOf(v);
    for (let i = 0; i < HAND_POLICY.rate.burst; i++) r.send(v, { type: "hand", up: i % 2 === 0 });
    expect(v.errors()).toEqual([]);
    expect(host.all("stage")).toHaveLength(HAND_POLICY.rate.burst);
    for (let i = 0; i < HAND_POLICY.maxDropped && v.open; i++) r.send(v, { type: "hand", up: i % 2 === 0 });
    expect(v.errors()).toEqual(["rate-limited"]);
    expect(host.all("stage")).toHaveLength(HAND_POLICY.rate.burst);
    expect(v.open).toBe(true);
    r.send(v, { type: "hand", up: true });
    expect(v.closed).toEqual({ code: 4429, reason: "too many hand changes" });
    expect(host.last("peer-left")).toEqual({ type: "peer-left", id });
  });

  it("lowers every hand at once for a host or cohost, away members' too, with one stage frame; none when none is up", () => {
    const { r, host, audience } = stage(3);
    const [a, b, c] = audience as [FakeSocket, FakeSocket, FakeSocket];
    r.send(host, { type: "lower-hands" });
    expect(host.all("stage")).toEqual([]);
    for (const s of [a, b, c]) r.send(s, { type: "hand", up: true });
    r.drop(c);
    // Not a member's to do: refused, and it counts against the socket.
    r.send(a, { type: "lower-hands" });
    expect(a.errors()).toEqual(["forbidden"]);
    expect(a.strikes).toBe(1);
    expect(host.last("stage")!.stage.hands).toHaveLength(3);
    const before = b.all("stage").length;
    r.send(host, { type: "lower-hands" });
    expect(b.all("stage")).toHaveLength(before + 1);
    expect(b.last("stage")!.stage.hands).toEqual([]);
    // The away member comes back with its hand down.
    const back = r.join("V2", { resume: { id: r.idOf(c), token: c.last("welcome")!.resumeToken } });
    expect(back.last("welcome")!.stage.hands).toEqual([]);
    // A cohost may, in a meeting too.
    r.send(host, { type: "set-mode", mode: "meeting" });
    r.send(host, { type: "set-role", id: r.idOf(a), role: "cohost" });
    r.send(b, { type: "hand", up: true });
    r.send(a, { type: "lower-hands" });
    expect(host.last("stage")!.stage).toMatchObject({ mode: "meeting", hands: [] });
    expect(a.errors()).toEqual(["forbidden"]);
  });

  it("allows a change again once the ration refills", () => {
    const { r, host, audience } = stage(1);
    const [v] = audience as [FakeSocket];
    for (let i = 0; i <= HAND_POLICY.rate.burst; i++) r.send(v, { type: "hand", up: i % 2 === 0 });
    expect(v.errors()).toEqual(["rate-limited"]);
    r.clock.now += 2000;
    r.send(v, { type: "hand", up: true });
    expect(host.last("stage")!.stage.hands).toEqual([r.idOf(v)]);
  });
});

describe("stage: switching the mode", () => {
  it("makes a meeting a stage: sender and present key holders speak, the rest watch with media off", () => {
    const r = makeSocketRoom();
    const host = r.join("Host", { hostKey: HOST_KEY });
    const a = r.join("A");
    const b = r.join("B");
    const other = r.join("Other host", { hostKey: HOST_KEY });
    r.send(host, { type: "set-role", id: r.idOf(a), role: "cohost" });
    r.clock.now = 7000;
    r.send(a, { type: "set-mode", mode: "stage" });
    expect(r.core.roster().map((p) => [p.name, p.seat])).toEqual([["Host", "speaker"], ["A", "speaker"], ["B", "viewer"], ["Other host", "speaker"]]);
    // The mode first, then the seats (a `peer-seat` to speaker on a stage reads as an invitation).
    const seen = host.frames.filter((f) => f.type !== "audience");
    expect(seen.slice(-3).map((f) => f.type)).toEqual(["stage", "peer-seat", "peer-media"]);
    expect(host.last("audience")).toEqual({ type: "audience", count: 1 });
    // B's own client stops publishing on its `peer-seat`: nobody tells it about its own media.
    expect(b.frames.slice(-3).map((f) => f.type)).toEqual(["stage", "peer-seat", "audience"]);
    expect(host.last("peer-media")).toEqual({ type: "peer-media", id: r.idOf(b), media: OFF });
    expect(other.last("stage")!.stage).toEqual({ mode: "stage", hands: [], liveSince: 7000 });
    expect(b.all("peer-seat")).toEqual([{ type: "peer-seat", id: r.idOf(b), seat: "viewer" }]);
  });

  it("refuses a stage whose audience would be past STAGE_VIEWERS, and changes nothing", () => {
    const r = makeSocketRoom({ STAGE_VIEWERS: "1" });
    const host = r.join("Host", { hostKey: HOST_KEY });
    r.join("A");
    r.join("B");
    r.send(host, { type: "set-mode", mode: "stage" });
    expect(host.errors()).toEqual(["stage-full"]);
    expect(r.core.mode).toBe("meeting");
  });

  it("makes a stage a meeting again when everyone fits: everyone speaks; refuses with room-full otherwise", () => {
    const { r, host, audience } = stage(3, { ROOM_CAPACITY: "3" });
    r.send(host, { type: "set-mode", mode: "meeting" });
    expect(host.errors()).toEqual(["room-full"]);
    expect(host.strikes).toBe(0);
    expect(r.core.mode).toBe("stage");
    r.send(audience[2]!, { type: "leave" });
    r.send(audience[0]!, { type: "hand", up: true });
    r.send(host, { type: "set-mode", mode: "meeting" });
    expect(r.core.roster().map((p) => p.seat)).toEqual(["speaker", "speaker", "speaker"]);
    // Hands stay up across a switch; the viewers' media stays off until they turn it on.
    expect(audience[1]!.last("stage")!.stage).toEqual({ mode: "meeting", hands: [r.idOf(audience[0]!)], liveSince: null });
    // Its own seat; audience[0] it meets as it now is (they were both in the crowd).
    expect(audience[1]!.all("peer-seat")).toEqual([{ type: "peer-seat", id: r.idOf(audience[1]!), seat: "speaker" }]);
    expect(audience[1]!.last("peer-joined")!.peer).toMatchObject({ id: r.idOf(audience[0]!), seat: "speaker" });
    r.send(audience[1]!, { type: "media", media: ON });
    expect(host.last("peer-media")).toMatchObject({ media: ON });
  });

  it("answers a switch to the mode the room is in with its state, to the sender alone", () => {
    const { r, host, audience } = stage(1);
    const before = audience[0]!.frames.length;
    r.send(host, { type: "set-mode", mode: "stage" });
    expect(host.last("stage")!.stage.mode).toBe("stage");
    expect(audience[0]!.frames.length).toBe(before);
  });
});

describe("stage: what lasts", () => {
  it("keeps a resumed member's seat and hand, and its media off if it watches", () => {
    const { r, host, audience } = stage(1);
    const [v] = audience as [FakeSocket];
    const id = r.idOf(v);
    r.send(v, { type: "hand", up: true });
    r.drop(v);
    const back = r.join("V0", { resume: { id, token: v.last("welcome")!.resumeToken }, media: ON, hostKey: HOST_KEY });
    expect(back.last("welcome")!.you).toMatchObject({ id, seat: "viewer", media: OFF, role: "host" });
    expect(back.last("welcome")!.stage.hands).toEqual([id]);
    expect(host.all("peer-media")).toEqual([]);
  });

  it("rebuilds mode, seats and hands from storage", () => {
    const { r, audience } = stage(1);
    r.send(audience[0]!, { type: "hand", up: true });
    const woken = r.build();
    woken.restore(new Set());
    expect(woken.mode).toBe("stage");
    expect(woken.roster().map((p) => [p.seat, p.away])).toEqual([["speaker", true], ["viewer", true]]);
    expect(r.store.rows.get(r.idOf(audience[0]!))!.hand).toBe(1000);
  });
});
