import { describe, expect, it } from "vitest";
import type { ClientMessage, PeerInfo } from "../../protocol/protocol";
import { TEMP_HOST_AFTER_MS } from "../../worker/room/features/hosts";
import { ICE, kinds, makeRoom, media, sends } from "./room-harness";

const chat = (text: string, cid: string): ClientMessage => ({ type: "chat", text, cid });
const peer = (id: string, name: string, joined: number, away = false): PeerInfo => ({ id, name, media, joined, away, role: "member", seat: "speaker", recording: null, sfu: null });

describe("RoomCore", () => {
  it("welcomes with the roster, ICE and a resume token, and announces the joiner to the others only", () => {
    const { join, clock } = makeRoom();
    const a = join("A");
    expect(a.you).toEqual(peer("p1", "A", 1000));
    clock.now = 2000;
    const b = join("B");
    expect(kinds(b.effects)).toEqual(["bind", "send", "send"]);
    expect(b.effects[0]).toEqual({ kind: "bind", peerId: "p2" });
    expect(sends(b.effects)).toEqual([
      {
        to: "self",
        msg: expect.objectContaining({ type: "welcome", you: peer("p2", "B", 2000), peers: [a.you], chat: [], lastSeq: 0, ice: ICE, resumeToken: "token-2", resumed: false }),
      },
      { to: ["p1"], msg: { type: "peer-joined", peer: peer("p2", "B", 2000) } },
    ]);
  });

  it("routes a signal to its target with the sender's id, and refuses unknown targets", () => {
    const { room, join } = makeRoom();
    join("A");
    join("B");
    const data = { kind: "candidate", candidate: null } as const;
    expect(room.handle("p1", { type: "signal", to: "p2", data })).toEqual([{ kind: "send", to: ["p2"], msg: { type: "signal", from: "p1", data } }]);
    expect(sends(room.handle("p1", { type: "signal", to: "p9", data }))[0]!.msg).toMatchObject({ type: "error", code: "unknown-peer" });
    expect(sends(room.handle("p1", { type: "signal", to: "p1", data }))[0]!.msg).toMatchObject({ type: "error", code: "unknown-peer" });
  });

  it("refuses a joiner past capacity and closes it with 4409; away members keep their seats", () => {
    const { room, join } = makeRoom({ ROOM_CAPACITY: "2" });
    join("A");
    join("B");
    room.disconnect("p2");
    const c = join("C");
    expect(c.effects.some((e) => e.kind === "bind")).toBe(false);
    expect(sends(c.effects)[0]!.msg).toMatchObject({ type: "error", code: "room-full", limit: 2 });
    expect(c.effects.find((e) => e.kind === "close")).toEqual({ kind: "close", code: 4409, reason: "room full" });
  });

  it("sequences chat, stamps server time and author, and dedupes by (author, cid)", () => {
    const { room, log, join } = makeRoom();
    join("A");
    join("B");
    const s1 = room.handle("p1", chat("one", "x"));
    expect(sends(s1)).toEqual([{ to: ["p1", "p2"], msg: { type: "chat", message: { seq: 1, from: "p1", name: "A", text: "one", ts: 1000, cid: "x" } } }]);
    const again = room.handle("p1", chat("one", "x"));
    expect(sends(again)).toEqual([{ to: "self", msg: sends(s1)[0]!.msg }]);
    room.handle("p2", chat("two", "x"));
    expect(log.rows.map((r) => [r.seq, r.from, r.text])).toEqual([[1, "p1", "one"], [2, "p2", "two"]]);
  });

  it("pages history after a sequence number and says whether more remain", () => {
    // One author sends all 150 at once: a ration that allows it (rations have tests of their own).
    const { room, join } = makeRoom({ CHAT_BURST: "150" });
    join("A");
    for (let i = 0; i < 150; i++) room.handle("p1", chat(`m${i}`, `c${i}`));
    const first = sends(room.handle("p1", { type: "history", after: 0 }))[0]!.msg;
    expect(first).toMatchObject({ type: "history", after: 0, more: true });
    if (first.type !== "history") throw new Error("not history");
    expect(first.messages).toHaveLength(100);
    const second = sends(room.handle("p1", { type: "history", after: 100, ack: first.ack }))[0]!.msg;
    expect(second).toMatchObject({ more: false });
    if (second.type === "history") expect(second.messages.map((m) => m.seq)).toEqual(Array.from({ length: 50 }, (_, i) => 101 + i));
    const late = join("Late", { since: 140 }).welcome;
    expect(late.chat.map((m) => m.seq)).toEqual([141, 142, 143, 144, 145, 146, 147, 148, 149, 150]);
    expect(late.lastSeq).toBe(150);
  });

  it("keeps media state in the roster and tells the others", () => {
    const { room, join, store } = makeRoom();
    join("A");
    join("B");
    const off = { mic: false, cam: false, screen: true };
    const effects = room.handle("p1", { type: "media", media: off });
    expect(room.roster().find((p) => p.id === "p1")).toMatchObject({ id: "p1", media: off });
    expect(effects).toEqual([{ kind: "send", to: ["p2"], msg: { type: "peer-media", id: "p1", media: off } }]);
    expect(store.rows.get("p1")!.media).toEqual(off);
  });

  it("announces a leave at once, and only once", () => {
    const { room, join } = makeRoom();
    join("A");
    join("B");
    expect(room.handle("p2", { type: "leave" })).toEqual([
      { kind: "send", to: ["p1"], msg: { type: "peer-left", id: "p2" } },
      // Gone for good: its TURN credentials end now.
      { kind: "release-ice", peerId: "p2" },
      { kind: "unbind" },
      { kind: "close", code: 1000, reason: "left" },
      { kind: "schedule" },
    ]);
    expect(room.expel("p2")).toEqual([]);
    expect(room.size).toBe(1);
  });

  it("refuses frames from a socket that has not joined, and a second join", () => {
    const { room, join } = makeRoom();
    expect(sends(room.handle(null, chat("x", "y")))[0]!.msg).toMatchObject({ code: "not-joined" });
    join("A");
    expect(sends(room.handle("p1", { type: "join", v: 1, name: "again", media }))[0]!.msg).toMatchObject({ code: "already-joined" });
    expect(sends(room.handle(null, { type: "ice" }))[0]!.msg).toMatchObject({ code: "not-joined" });
    expect(room.handle("p1", { type: "ice" })).toEqual([{ kind: "mint-ice", peerId: "p1", then: "ice" }]);
  });
});

describe("RoomCore: dropped sockets, resume and grace", () => {
  it("makes a dropped member away (once), and lets it resume with its token: no leave, no join", () => {
    const { room, join, clock } = makeRoom();
    const a = join("A");
    join("B");
    expect(sends(room.disconnect("p1"))).toEqual([{ to: ["p2"], msg: { type: "peer-presence", id: "p1", away: true } }]);
    expect(room.disconnect("p1")).toEqual([]);
    expect(room.roster().find((p) => p.id === "p1")!.away).toBe(true);
    clock.now += 5000;
    const back = join("A", { resume: { id: "p1", token: a.welcome.resumeToken }, since: 0 });
    expect(back.you).toEqual(peer("p1", "A", 1000));
    expect(back.welcome).toMatchObject({ resumed: true, peers: [peer("p2", "B", 1000)] });
    // A new token on every resume (a stolen one is spent by its first use).
    expect(back.welcome.resumeToken).not.toBe(a.welcome.resumeToken);
    expect(sends(back.effects).slice(1)).toEqual([{ to: ["p2"], msg: { type: "peer-presence", id: "p1", away: false } }]);
    expect(back.effects.some((e) => e.kind === "replace")).toBe(false);
  });

  it("refuses a wrong token (a fresh member instead), and takes over from a socket that still looks alive", () => {
    const { room, join } = makeRoom();
    const a = join("A");
    const wrong = join("A", { resume: { id: "p1", token: "guess" } });
    expect(wrong.you!.id).toBe("p2");
    expect(wrong.welcome.resumed).toBe(false);
    const over = join("A", { resume: { id: "p1", token: a.welcome.resumeToken } });
    // The old socket is detached and closed before this one is bound.
    expect(kinds(over.effects).slice(0, 2)).toEqual(["replace", "bind"]);
    expect(over.effects[0]).toEqual({ kind: "replace", peerId: "p1" });
    expect(over.welcome.resumed).toBe(true);
    expect(room.size).toBe(2);
  });

  it("ends the grace period with a peer-left, and deletes a room that stayed empty until retention ended", () => {
    const { room, join, clock, log } = makeRoom({ RESUME_GRACE_SECONDS: "20", CHAT_RETENTION_HOURS: "24" });
    join("A");
    join("B");
    room.handle("p1", chat("keep me", "k"));
    room.disconnect("p1");
    expect(room.nextDeadline()).toBe(clock.now + 20_000);
    clock.now += 19_999;
    expect(sends(room.expire())).toEqual([]);
    clock.now += 1;
    expect(sends(room.expire())).toEqual([{ to: ["p2"], msg: { type: "peer-left", id: "p1" } }]);
    room.handle("p2", { type: "leave" });
    expect(room.nextDeadline()).toBe(clock.now + 24 * 3_600_000);
    clock.now += 24 * 3_600_000 - 1;
    expect(kinds(room.expire())).not.toContain("delete-room");
    expect(log.rows).toHaveLength(1);
    clock.now += 1;
    // The adapter deletes everything the room stored (chat, roster, alarm) in one call.
    expect(room.expire()).toEqual([{ kind: "delete-room" }]);
  });

  it("starts a created room's retention clock at once, so a room nobody joins is deleted too", () => {
    const { room, clock } = makeRoom({ CHAT_RETENTION_HOURS: "24" });
    expect(room.created()).toEqual([{ kind: "schedule" }]);
    expect(room.nextDeadline()).toBe(clock.now + 24 * 3_600_000);
    clock.now += 24 * 3_600_000;
    expect(room.expire()).toEqual([{ kind: "delete-room" }]);
  });

  it("a joiner cancels the retention of an empty room", () => {
    const { room, join, clock } = makeRoom();
    join("A");
    room.handle("p1", { type: "leave" });
    expect(room.nextDeadline()).toBe(clock.now + 24 * 3_600_000);
    join("B");
    // What is left is the temporary host's hand-over (no host is present), not the retention.
    expect(room.nextDeadline()).toBe(clock.now + TEMP_HOST_AFTER_MS);
    room.handle("p2", { type: "leave" });
    expect(room.nextDeadline()).toBe(clock.now + 24 * 3_600_000);
  });

  it("rebuilds from storage: connected members as they were, the others away so they can resume", () => {
    const { join, build, clock, store } = makeRoom();
    const a = join("A");
    join("B");
    // B holds the host key, so that the only deadline is A's grace period (no temporary host due).
    store.put({ ...store.rows.get("p2")!, role: "host" });
    clock.now = 50_000;
    const woken = build();
    woken.restore(new Set(["p2"]));
    expect(woken.roster()).toEqual([peer("p1", "A", 1000, true), { ...peer("p2", "B", 1000), role: "host" }]);
    expect(woken.nextDeadline()).toBe(50_000 + 20_000);
    const back = join("A", { resume: { id: "p1", token: a.welcome.resumeToken }, core: woken });
    expect(back.welcome.resumed).toBe(true);
  });

  it("with no grace period configured, a dropped member leaves at once", () => {
    const { room, join } = makeRoom({ RESUME_GRACE_SECONDS: "0" });
    join("A");
    join("B");
    expect(sends(room.disconnect("p1"))).toEqual([{ to: ["p2"], msg: { type: "peer-left", id: "p1" } }]);
  });
});
