import { describe, expect, it } from "vitest";
import type { ClientMessage, IceConfig, PeerInfo } from "../../protocol/protocol";
import { roomConfig } from "../../worker/config";
import { RoomCore, type Step } from "../../worker/room-core";
import { MemoryChatLog } from "./memory-chat-log";

const media = { mic: true, cam: true, screen: false };
const ICE: IceConfig = { iceServers: [{ urls: ["turn:127.0.0.1:3478"], username: "u", credential: "c" }], expiresAt: 1, relay: "available" };

function makeRoom(vars: Record<string, string> = {}) {
  let n = 0;
  let clock = 1_000;
  const log = new MemoryChatLog();
  const room = new RoomCore(roomConfig(vars), log, { now: () => clock++ });
  const join = (name: string, since?: number): { step: Step; you: PeerInfo } => {
    const step = room.handle(null, { type: "join", v: 1, name, media, ...(since !== undefined ? { since } : {}) }, { id: `p${++n}`, ice: ICE });
    return { step, you: step.member! };
  };
  return { room, log, join };
}

const chat = (text: string, cid: string): ClientMessage => ({ type: "chat", text, cid });

describe("RoomCore", () => {
  it("assigns ids, welcomes with the roster, and announces the joiner to the others only", () => {
    const { join } = makeRoom();
    const a = join("A");
    expect(a.you).toEqual({ id: "p1", name: "A", media });
    const b = join("B");
    expect(b.step.out).toEqual([
      { to: "self", msg: expect.objectContaining({ type: "welcome", you: b.you, peers: [a.you], chat: [], lastSeq: 0, ice: ICE }) },
      { to: ["p1"], msg: { type: "peer-joined", peer: b.you } },
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

  it("refuses a joiner past capacity and closes it with 4409", () => {
    const { join } = makeRoom({ ROOM_CAPACITY: "2" });
    join("A");
    join("B");
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
    expect(s1.out).toEqual([{ to: ["p1", "p2"], msg: { type: "chat", message: { seq: 1, from: "p1", name: "A", text: "one", ts: expect.any(Number), cid: "x" } } }]);
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
    const late = join("Late", 140).step.out[0]!.msg;
    if (late.type !== "welcome") throw new Error("not welcome");
    expect(late.chat.map((m) => m.seq)).toEqual([141, 142, 143, 144, 145, 146, 147, 148, 149, 150]);
    expect(late.lastSeq).toBe(150);
  });

  it("keeps media state in the roster and tells the others", () => {
    const { room, join } = makeRoom();
    join("A");
    join("B");
    const off = { mic: false, cam: false, screen: true };
    const step = room.handle("p1", { type: "media", media: off });
    expect(step.member).toEqual({ id: "p1", name: "A", media: off });
    expect(step.out).toEqual([{ to: ["p2"], msg: { type: "peer-media", id: "p1", media: off } }]);
    expect(room.roster().find((p) => p.id === "p1")!.media).toEqual(off);
  });

  it("announces a departure once, however often it is reported", () => {
    const { room, join } = makeRoom();
    join("A");
    join("B");
    expect(room.disconnect("p2").out).toEqual([{ to: ["p1"], msg: { type: "peer-left", id: "p2" } }]);
    expect(room.disconnect("p2").out).toEqual([]);
    const leave = room.handle("p1", { type: "leave" });
    expect(leave).toMatchObject({ departed: true, close: { code: 1000 } });
    expect(room.size).toBe(0);
  });

  it("refuses frames from a socket that has not joined, and a second join", () => {
    const { room, join } = makeRoom();
    expect(room.handle(null, chat("x", "y")).out[0]!.msg).toMatchObject({ code: "not-joined" });
    join("A");
    expect(room.handle("p1", { type: "join", v: 1, name: "again", media }).out[0]!.msg).toMatchObject({ code: "already-joined" });
    expect(room.handle(null, { type: "ice" }).out[0]!.msg).toMatchObject({ code: "not-joined" });
    expect(room.handle("p1", { type: "ice" })).toEqual({ out: [], iceRequested: true });
  });

  it("rebuilds its roster from restored members", () => {
    const { room } = makeRoom();
    room.restore({ id: "x", name: "X", media });
    room.restore({ id: "y", name: "Y", media });
    expect(room.handle("x", { type: "signal", to: "y", data: { kind: "candidate", candidate: null } }).out[0]!.to).toEqual(["y"]);
  });
});
