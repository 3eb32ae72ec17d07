import { describe, expect, it } from "vitest";
import type { ClientMessage, IceConfig, PeerInfo, ServerMessage } from "../../protocol/protocol";
import { roomConfig } from "../../worker/config";
import { RoomCore } from "../../worker/room-core";
import { MemoryChatLog, MemoryMemberStore } from "./memory-chat-log";

const media = { mic: true, cam: true, screen: false };
const ICE: IceConfig = { iceServers: [{ urls: ["turn:127.0.0.1:3478"], username: "u", credential: "c" }], expiresAt: 1, relay: "available" };

function makeRoom(vars: Record<string, string> = {}) {
  let n = 0;
  let tokens = 0;
  const clock = { now: 1_000 };
  const log = new MemoryChatLog();
  const store = new MemoryMemberStore();
  const build = () => new RoomCore(roomConfig(vars), log, store, { now: () => clock.now, newToken: () => `token-${++tokens}` });
  const room = build();
  const join = (name: string, extra: { since?: number; resume?: { id: string; token: string }; core?: RoomCore } = {}) => {
    const core = extra.core ?? room;
    const msg: ClientMessage = { type: "join", v: 1, name, media, ...(extra.since !== undefined ? { since: extra.since } : {}), ...(extra.resume ? { resume: extra.resume } : {}) };
    const id = core.resumableId(msg as Extract<ClientMessage, { type: "join" }>) ?? `p${++n}`;
    const step = core.handle(null, msg, { id, ice: ICE });
    const welcome = step.out[0]!.msg as Extract<ServerMessage, { type: "welcome" }>;
    return { step, you: step.member!, welcome };
  };
  return { room, log, store, join, clock, build };
}

const chat = (text: string, cid: string): ClientMessage => ({ type: "chat", text, cid });
const peer = (id: string, name: string, joined: number, away = false): PeerInfo => ({ id, name, media, joined, away });

describe("RoomCore", () => {
  it("welcomes with the roster, ICE and a resume token, and announces the joiner to the others only", () => {
    const { join, clock } = makeRoom();
    const a = join("A");
    expect(a.you).toEqual(peer("p1", "A", 1000));
    clock.now = 2000;
    const b = join("B");
    expect(b.step.out).toEqual([
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
    expect(room.handle("p1", { type: "signal", to: "p2", data }).out).toEqual([{ to: ["p2"], msg: { type: "signal", from: "p1", data } }]);
    expect(room.handle("p1", { type: "signal", to: "p9", data }).out[0]!.msg).toMatchObject({ type: "error", code: "unknown-peer" });
    expect(room.handle("p1", { type: "signal", to: "p1", data }).out[0]!.msg).toMatchObject({ type: "error", code: "unknown-peer" });
  });

  it("refuses a joiner past capacity and closes it with 4409; away members keep their seats", () => {
    const { room, join } = makeRoom({ ROOM_CAPACITY: "2" });
    join("A");
    join("B");
    room.disconnect("p2");
    const c = join("C");
    expect(c.step.member).toBeUndefined();
    expect(c.step.out[0]!.msg).toMatchObject({ type: "error", code: "room-full" });
    expect(c.step.close).toEqual({ code: 4409, reason: "room full" });
  });

  it("sequences chat, stamps server time and author, and dedupes by (author, cid)", () => {
    const { room, log, join } = makeRoom();
    join("A");
    join("B");
    const s1 = room.handle("p1", chat("one", "x"));
    expect(s1.out).toEqual([{ to: ["p1", "p2"], msg: { type: "chat", message: { seq: 1, from: "p1", name: "A", text: "one", ts: 1000, cid: "x" } } }]);
    const again = room.handle("p1", chat("one", "x"));
    expect(again.out).toEqual([{ to: "self", msg: s1.out[0]!.msg }]);
    room.handle("p2", chat("two", "x"));
    expect(log.rows.map((r) => [r.seq, r.from, r.text])).toEqual([[1, "p1", "one"], [2, "p2", "two"]]);
  });

  it("pages history after a sequence number and says whether more remain", () => {
    const { room, join } = makeRoom();
    join("A");
    for (let i = 0; i < 150; i++) room.handle("p1", chat(`m${i}`, `c${i}`));
    const first = room.handle("p1", { type: "history", after: 0 }).out[0]!.msg;
    expect(first).toMatchObject({ type: "history", after: 0, more: true });
    if (first.type !== "history") throw new Error("not history");
    expect(first.messages).toHaveLength(100);
    const second = room.handle("p1", { type: "history", after: 100 }).out[0]!.msg;
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
    const step = room.handle("p1", { type: "media", media: off });
    expect(step.member).toMatchObject({ id: "p1", media: off });
    expect(step.out).toEqual([{ to: ["p2"], msg: { type: "peer-media", id: "p1", media: off } }]);
    expect(store.rows.get("p1")!.media).toEqual(off);
  });

  it("announces a leave at once, and only once", () => {
    const { room, join } = makeRoom();
    join("A");
    join("B");
    expect(room.handle("p2", { type: "leave" })).toMatchObject({ departed: true, close: { code: 1000 }, out: [{ to: ["p1"], msg: { type: "peer-left", id: "p2" } }] });
    expect(room.expel("p2").out).toEqual([]);
    expect(room.size).toBe(1);
  });

  it("refuses frames from a socket that has not joined, and a second join", () => {
    const { room, join } = makeRoom();
    expect(room.handle(null, chat("x", "y")).out[0]!.msg).toMatchObject({ code: "not-joined" });
    join("A");
    expect(room.handle("p1", { type: "join", v: 1, name: "again", media }).out[0]!.msg).toMatchObject({ code: "already-joined" });
    expect(room.handle(null, { type: "ice" }).out[0]!.msg).toMatchObject({ code: "not-joined" });
    expect(room.handle("p1", { type: "ice" })).toEqual({ out: [], iceRequested: true });
  });
});

describe("RoomCore: dropped sockets, resume and grace", () => {
  it("makes a dropped member away (once), and lets it resume with its token: no leave, no join", () => {
    const { room, join, clock } = makeRoom();
    const a = join("A");
    join("B");
    expect(room.disconnect("p1").out).toEqual([{ to: ["p2"], msg: { type: "peer-presence", id: "p1", away: true } }]);
    expect(room.disconnect("p1").out).toEqual([]);
    expect(room.roster().find((p) => p.id === "p1")!.away).toBe(true);
    clock.now += 5000;
    const back = join("A", { resume: { id: "p1", token: a.welcome.resumeToken }, since: 0 });
    expect(back.you).toEqual(peer("p1", "A", 1000));
    expect(back.welcome).toMatchObject({ resumed: true, resumeToken: a.welcome.resumeToken, peers: [peer("p2", "B", 1000)] });
    expect(back.step.out.slice(1)).toEqual([{ to: ["p2"], msg: { type: "peer-presence", id: "p1", away: false } }]);
    expect(back.step.replaced).toBeUndefined();
  });

  it("refuses a wrong token (a fresh member instead), and takes over from a socket that still looks alive", () => {
    const { room, join } = makeRoom();
    const a = join("A");
    const wrong = join("A", { resume: { id: "p1", token: "guess" } });
    expect(wrong.you.id).toBe("p2");
    expect(wrong.welcome.resumed).toBe(false);
    const over = join("A", { resume: { id: "p1", token: a.welcome.resumeToken } });
    expect(over.step.replaced).toBe("p1");
    expect(over.welcome.resumed).toBe(true);
    expect(room.size).toBe(2);
  });

  it("ends the grace period with a peer-left, and keeps the chat of an empty room until retention ends", () => {
    const { room, join, clock, log } = makeRoom({ RESUME_GRACE_SECONDS: "20", CHAT_RETENTION_HOURS: "24" });
    join("A");
    join("B");
    room.handle("p1", chat("keep me", "k"));
    room.disconnect("p1");
    expect(room.nextDeadline()).toBe(clock.now + 20_000);
    clock.now += 19_999;
    expect(room.expire().out).toEqual([]);
    clock.now += 1;
    expect(room.expire().out).toEqual([{ to: ["p2"], msg: { type: "peer-left", id: "p1" } }]);
    room.handle("p2", { type: "leave" });
    expect(room.nextDeadline()).toBe(clock.now + 24 * 3_600_000);
    clock.now += 24 * 3_600_000 - 1;
    room.expire();
    expect(log.rows).toHaveLength(1);
    clock.now += 1;
    room.expire();
    expect(log.rows).toHaveLength(0);
    expect(room.nextDeadline()).toBeNull();
    // Sequence numbers go on where they were.
    join("C");
    expect(room.handle("p3", chat("new", "n")).out[0]!.msg).toMatchObject({ message: { seq: 2 } });
  });

  it("a joiner cancels the retention of an empty room", () => {
    const { room, join } = makeRoom();
    join("A");
    room.handle("p1", { type: "leave" });
    expect(room.nextDeadline()).not.toBeNull();
    join("B");
    expect(room.nextDeadline()).toBeNull();
  });

  it("rebuilds from storage: connected members as they were, the others away so they can resume", () => {
    const { join, build, clock } = makeRoom();
    const a = join("A");
    join("B");
    clock.now = 50_000;
    const woken = build();
    woken.restore(new Set(["p2"]));
    expect(woken.roster()).toEqual([peer("p1", "A", 1000, true), peer("p2", "B", 1000)]);
    expect(woken.nextDeadline()).toBe(50_000 + 20_000);
    const back = join("A", { resume: { id: "p1", token: a.welcome.resumeToken }, core: woken });
    expect(back.welcome.resumed).toBe(true);
  });

  it("with no grace period configured, a dropped member leaves at once", () => {
    const { room, join } = makeRoom({ RESUME_GRACE_SECONDS: "0" });
    join("A");
    join("B");
    expect(room.disconnect("p1").out).toEqual([{ to: ["p2"], msg: { type: "peer-left", id: "p1" } }]);
  });
});

