// Reactions in the room core (worker/room/features/reactions.ts): relayed to the others and not
// back, rationed per member with each code counting, kept for ten seconds for a late joiner's
// welcome, and lowering every hand at once (features/stage.ts). Over real sockets in workerd:
// test/workerd/reactions.test.ts.

import { describe, expect, it } from "vitest";
import { REACTION_RECENT_MAX, REACTION_RECENT_MS } from "../../protocol/protocol";
import { REACTION_POLICY } from "../../worker/room/features/reactions";
import { makeRoom } from "./room-harness";
import { type FakeSocket, HOST_KEY, makeSocketRoom } from "./room-sockets";

function room(members = 2, mode: "meeting" | "stage" = "meeting", vars: Record<string, string> = {}) {
  const r = makeSocketRoom(vars, { mode });
  const host = r.join("Host", { hostKey: HOST_KEY });
  const others = Array.from({ length: members }, (_, i) => r.join(`M${i}`));
  return { r, host, others };
}

describe("reactions: relay", () => {
  it("relays a batch to the others, stamped with who and when, and not back to the sender", () => {
    const { r, host, others } = room(2, "stage");
    const [v0, v1] = others as [FakeSocket, FakeSocket];
    r.clock.now = 7_000;
    // A viewer reacts: that is what an audience does.
    r.send(v0, { type: "react", reactions: ["clap", "clap"] });
    const batch = { type: "reaction", from: r.idOf(v0), reactions: ["clap", "clap"], at: 7_000 };
    expect(host.all("reaction")).toEqual([batch]);
    expect(v1.all("reaction")).toEqual([batch]);
    expect(v0.all("reaction")).toEqual([]);
    expect(v0.errors()).toEqual([]);
    expect(v0.strikes).toBe(0);
  });

  it("refuses a socket that has not joined", () => {
    const { r, host } = room(0);
    const stranger = r.open("Stranger");
    r.send(stranger, { type: "react", reactions: ["heart"] });
    expect(stranger.errors()).toEqual(["not-joined"]);
    expect(host.all("reaction")).toEqual([]);
  });
});

describe("reactions: the ration", () => {
  it("counts each code: a burst of five, then rate-limited once, then dropped, then expelled with 4429", () => {
    const { r, host, others } = room(2);
    const [a, b] = others as [FakeSocket, FakeSocket];
    r.send(a, { type: "react", reactions: ["clap", "clap", "clap"] });
    r.send(a, { type: "react", reactions: ["heart", "heart"] });
    expect(host.all("reaction")).toHaveLength(2);
    r.send(a, { type: "react", reactions: ["party"] });
    expect(a.errors()).toEqual(["rate-limited"]);
    for (let i = 0; i < REACTION_POLICY.maxDropped - 1; i++) r.send(a, { type: "react", reactions: ["party"] });
    expect(a.errors()).toEqual(["rate-limited"]);
    expect(a.open).toBe(true);
    expect(host.all("reaction")).toHaveLength(2);
    // The other member has a ration of its own.
    r.send(b, { type: "react", reactions: ["sad", "sad", "sad", "sad", "sad"] });
    expect(host.all("reaction")).toHaveLength(3);
    const id = r.idOf(a);
    r.send(a, { type: "react", reactions: ["party"] });
    expect(a.closed).toEqual({ code: 4429, reason: "too many reactions" });
    expect(host.last("peer-left")).toEqual({ type: "peer-left", id });
    expect(b.open).toBe(true);
    expect(b.errors()).toEqual([]);
  });

  it("takes a frame whole or not at all, and refills at 2.5 a second", () => {
    const { r, host, others } = room(1);
    const [a] = others as [FakeSocket];
    r.send(a, { type: "react", reactions: ["clap", "clap", "clap", "clap"] });
    // One token left: a frame of two is refused whole, not cut to one.
    r.send(a, { type: "react", reactions: ["clap", "clap"] });
    expect(a.errors()).toEqual(["rate-limited"]);
    r.send(a, { type: "react", reactions: ["clap"] });
    expect(host.all("reaction").map((m) => m.reactions.length)).toEqual([4, 1]);
    r.clock.now += 2_000;
    r.send(a, { type: "react", reactions: ["heart", "heart", "heart", "heart", "heart"] });
    expect(host.all("reaction").map((m) => m.reactions.length)).toEqual([4, 1, 5]);
  });
});

describe("reactions: the welcome", () => {
  it("gives a late joiner the batches of the last ten seconds, oldest first, of members still here", () => {
    const { r, others } = room(3);
    const [a, b, c] = others as [FakeSocket, FakeSocket, FakeSocket];
    r.clock.now = 10_000;
    r.send(a, { type: "react", reactions: ["thumbs-up"] });
    r.clock.now = 15_000;
    r.send(b, { type: "react", reactions: ["laugh", "laugh"] });
    r.send(c, { type: "react", reactions: ["surprised"] });
    r.send(c, { type: "leave" });
    r.clock.now = 10_000 + REACTION_RECENT_MS;
    const late = r.join("Late");
    expect(late.last("welcome")!.reactions).toEqual([{ from: r.idOf(b), reactions: ["laugh", "laugh"], at: 15_000 }]);
    r.clock.now = 15_000 + REACTION_RECENT_MS;
    expect(r.join("Later").last("welcome")!.reactions).toEqual([]);
  });

  it("keeps at most REACTION_RECENT_MAX batches, the newest", () => {
    const { r, others } = room(REACTION_RECENT_MAX + 1, "stage");
    others.forEach((m, i) => {
      r.clock.now = 1_000 + i;
      r.send(m, { type: "react", reactions: ["heart"] });
    });
    const late = r.join("Late");
    const got = late.last("welcome")!.reactions;
    expect(got).toHaveLength(REACTION_RECENT_MAX);
    expect(got.map((b) => b.from)).toEqual(others.slice(1).map((m) => r.idOf(m)));
  });

  it("does not give a member its own back when it resumes", () => {
    const { r, others } = room(2);
    const [a, b] = others as [FakeSocket, FakeSocket];
    r.send(a, { type: "react", reactions: ["clap"] });
    r.send(b, { type: "react", reactions: ["heart"] });
    const token = a.last("welcome")!.resumeToken;
    const id = r.idOf(a);
    r.drop(a);
    const back = r.join("M0", { resume: { id, token } });
    expect(back.last("welcome")).toMatchObject({ resumed: true, reactions: [{ from: r.idOf(b), reactions: ["heart"] }] });
  });

  it("forgets them with the object: a room rebuilt from storage (after hibernation) welcomes with none", () => {
    const h = makeRoom();
    const a = h.join("A").you!;
    h.room.handle(a.id, { type: "react", reactions: ["party"] });
    expect(h.join("B").welcome.reactions).toHaveLength(1);
    const rebuilt = h.build();
    rebuilt.restore(new Set([a.id]));
    expect(h.join("C", { core: rebuilt }).welcome.reactions).toEqual([]);
  });
});

describe("reactions: the room's fan-out", () => {
  it("relays at most REACTION_FAN_OUT frames a second in all; past it a batch is neither relayed nor kept, and nobody is blamed", () => {
    // 61 members: each batch is 60 frames out. A burst of 4000 frames carries 66 batches.
    const { r, host, others } = room(60, "stage", { STAGE_VIEWERS: "100" });
    const watcher = others.at(-1)!;
    const reactors = [host, ...others.slice(0, -1)];
    r.clock.now = 50_000;
    for (const s of reactors) r.send(s, { type: "react", reactions: ["clap"] });
    expect(watcher.all("reaction")).toHaveLength(60);
    // 400 frames left: 6 more batches go out, the rest of the round does not.
    for (const s of reactors) r.send(s, { type: "react", reactions: ["heart"] });
    expect(watcher.all("reaction")).toHaveLength(66);
    expect(reactors.flatMap((s) => s.errors())).toEqual([]);
    // A batch that was not relayed is not in a late joiner's welcome either.
    const late = r.join("Late");
    expect(late.last("welcome")!.reactions.filter((b) => b.reactions[0] === "heart")).toHaveLength(6);
    // A second later, 2000 more frames and the 40 left: 33 batches to the 62 members' 61 others each.
    r.clock.now += 1_000;
    for (const s of reactors.slice(0, 40)) r.send(s, { type: "react", reactions: ["party"] });
    expect(watcher.all("reaction").filter((m) => (m as { reactions: string[] }).reactions[0] === "party")).toHaveLength(Math.floor((4000 - 66 * 60 + 2000) / 61));
  });
});
