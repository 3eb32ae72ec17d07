import { describe, expect, it } from "vitest";
import { parseClientMessage, parseServerMessage, type ChatMessage, type ClientMessage, type ServerMessage } from "../../protocol/protocol";
import { roomConfig } from "../../worker/config";
import type { Effect } from "../../worker/room/effects";
import { chatTail, history } from "../../worker/room/features/chat";
import { chatBytes } from "../../worker/room/features/chat-quota";
import type { StoredMember } from "../../worker/room/ports";
import { RoomState } from "../../worker/room/state";
import { MemoryChatLog, MemoryMemberStore } from "./memory-chat-log";
import { makeRoom, media, sends } from "./room-harness";

type History = Extract<ServerMessage, { type: "history" }>;

const chat = (text: string, cid: string): ClientMessage => ({ type: "chat", text, cid });
const utf8 = (s: string) => new TextEncoder().encode(s).byteLength;

/** The one frame a handler answered with, to the sender. */
function reply(effects: readonly Effect[]): ServerMessage {
  const out = sends(effects);
  expect(out).toHaveLength(1);
  expect(out[0]!.to).toBe("self");
  return out[0]!.msg;
}
const codeOf = (effects: readonly Effect[]) => {
  const msg = reply(effects);
  return msg.type === "error" ? msg.code : msg.type;
};
function page(effects: readonly Effect[]): History {
  const msg = reply(effects);
  if (msg.type !== "history") throw new Error(`expected a history reply, got ${JSON.stringify(msg).slice(0, 120)}`);
  return msg;
}

describe("chat ration per member", () => {
  it("stores a burst of 10, then refuses with chat-throttled and stores nothing, then 1 a second", () => {
    const { room, log, join, clock } = makeRoom();
    join("A");
    join("B");
    for (let i = 0; i < 10; i++) expect(sends(room.handle("p1", chat(`a${i}`, `a${i}`)))[0]!.to).toEqual(["p1", "p2"]);
    expect(codeOf(room.handle("p1", chat("too fast", "late")))).toBe("chat-throttled");
    expect(log.rows).toHaveLength(10);
    // Another member has a ration of its own.
    expect(sends(room.handle("p2", chat("b", "b0")))[0]!.msg).toMatchObject({ type: "chat", message: { seq: 11 } });
    clock.now += 999;
    expect(codeOf(room.handle("p1", chat("too fast", "late")))).toBe("chat-throttled");
    clock.now += 1;
    // The refused message goes in under its cid when resent, once.
    expect(sends(room.handle("p1", chat("too fast", "late")))[0]!.msg).toMatchObject({ type: "chat", message: { seq: 12, cid: "late" } });
    expect(log.rows.filter((r) => r.cid === "late")).toHaveLength(1);
  });

  it("answers a resend of a stored cid without taking from the ration", () => {
    const { room, join } = makeRoom();
    join("A");
    for (let i = 0; i < 10; i++) room.handle("p1", chat(`a${i}`, `a${i}`));
    // The outbox resent after chat-throttled may hold messages that did land.
    for (let i = 0; i < 10; i++) expect(reply(room.handle("p1", chat(`a${i}`, `a${i}`)))).toMatchObject({ type: "chat", message: { seq: i + 1 } });
  });

  it("keeps a member's ration across a dropped socket and resume", () => {
    const { room, join } = makeRoom();
    const a = join("A");
    for (let i = 0; i < 10; i++) room.handle("p1", chat(`a${i}`, `a${i}`));
    room.disconnect("p1");
    const back = join("A", { resume: { id: "p1", token: a.welcome.resumeToken } });
    expect(back.welcome.resumed).toBe(true);
    expect(codeOf(room.handle("p1", chat("again", "again")))).toBe("chat-throttled");
  });
});

describe("history: one reply unread at most, and a ration", () => {
  it("needs no token for a socket's first request, then exactly the last reply's token, once", () => {
    const { room, join } = makeRoom();
    join("A");
    join("B");
    room.handle("p1", chat("hello", "h"));
    const first = page(room.handle("p1", { type: "history", after: 0 }));
    expect(first.messages.map((m) => m.text)).toEqual(["hello"]);
    expect(first.ack.length).toBeGreaterThan(0);
    expect(codeOf(room.handle("p1", { type: "history", after: 0 }))).toBe("history-unacked");
    expect(codeOf(room.handle("p1", { type: "history", after: 0, ack: "a guess" }))).toBe("history-unacked");
    const second = page(room.handle("p1", { type: "history", after: 0, ack: first.ack }));
    expect(second.ack).not.toBe(first.ack);
    // One-time: the spent token no longer works.
    expect(codeOf(room.handle("p1", { type: "history", after: 0, ack: first.ack }))).toBe("history-unacked");
    expect(page(room.handle("p1", { type: "history", after: 0, ack: second.ack })).messages).toHaveLength(1);
    // Tokens are per member: B has no reply unread.
    expect(codeOf(room.handle("p2", { type: "history", after: 0 }))).toBe("history");
  });

  it("rations requests (10, then 2 a second) with history-throttled, and the refused request's token stays good", () => {
    const { room, join, clock } = makeRoom();
    join("A");
    let ack: string | undefined;
    for (let i = 0; i < 10; i++) ack = page(room.handle("p1", { type: "history", after: 0, ...(ack ? { ack } : {}) })).ack;
    expect(codeOf(room.handle("p1", { type: "history", after: 0, ack: ack! }))).toBe("history-throttled");
    clock.now += 499;
    expect(codeOf(room.handle("p1", { type: "history", after: 0, ack: ack! }))).toBe("history-throttled");
    clock.now += 1;
    expect(codeOf(room.handle("p1", { type: "history", after: 0, ack: ack! }))).toBe("history");
  });

  it("pages in bytes as well as messages: 4000-character Cyrillic messages, each frame under 64 KiB, all of them once", () => {
    const { room, join, clock } = makeRoom({ CHAT_BURST: "100" });
    join("A");
    for (let i = 0; i < 100; i++) room.handle("p1", chat("ж".repeat(3990) + String(i).padStart(10, "0"), `c${i}`));
    const seen: number[] = [];
    let ack: string | undefined;
    let after = 0;
    let pages = 0;
    for (;;) {
      clock.now += 500; // within the ration
      const reply = page(room.handle("p1", { type: "history", after, ...(ack ? { ack } : {}) }));
      pages++;
      expect(utf8(JSON.stringify(reply))).toBeLessThanOrEqual(64 * 1024);
      expect(reply.messages.length).toBeGreaterThan(0);
      seen.push(...reply.messages.map((m) => m.seq));
      ack = reply.ack;
      if (!reply.more) break;
      after = reply.messages.at(-1)!.seq;
    }
    expect(seen).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(pages).toBeGreaterThanOrEqual(13); // ~8 KB each: 7 to a page
  });

  it("always moves on: a page holds at least one message, even the costliest kind", () => {
    const { room, join, clock } = makeRoom({ CHAT_BURST: "10" });
    join("A");
    // Control characters are escaped to six bytes each in JSON: ~24 KB a message.
    for (let i = 0; i < 5; i++) room.handle("p1", chat(`${i}${"\u0001".repeat(3999)}`, `c${i}`));
    const first = page(room.handle("p1", { type: "history", after: 0 }));
    expect(first.messages.length).toBe(2);
    expect(utf8(JSON.stringify(first))).toBeLessThanOrEqual(64 * 1024);
    clock.now += 500;
    const second = page(room.handle("p1", { type: "history", after: 2, ack: first.ack }));
    expect(second.messages.map((m) => m.seq)).toEqual([3, 4]);
    expect(second.more).toBe(true);
  });
});

describe("the room's cap on stored chat", () => {
  it("keeps the newest CHAT_MAX_MESSAGES; sequence numbers go on and are never reused", () => {
    const { room, log, join } = makeRoom({ CHAT_BURST: "100", CHAT_MAX_MESSAGES: "20" });
    join("A");
    for (let i = 0; i < 30; i++) room.handle("p1", chat(`m${i}`, `c${i}`));
    expect(log.rows.map((r) => r.seq)).toEqual(Array.from({ length: 20 }, (_, i) => 11 + i));
    const all = page(room.handle("p1", { type: "history", after: 0 }));
    expect(all.messages[0]!.seq).toBe(11);
    expect(all.more).toBe(false);
    expect(sends(room.handle("p1", chat("next", "next")))[0]!.msg).toMatchObject({ message: { seq: 31 } });
  });

  it("keeps at most CHAT_MAX_BYTES, dropping the oldest", () => {
    const cap = 64 * 1024;
    const { room, log, join } = makeRoom({ CHAT_BURST: "100", CHAT_MAX_BYTES: String(cap) });
    join("A");
    for (let i = 0; i < 20; i++) room.handle("p1", chat(`${i} ${"ж".repeat(3990)}`, `c${i}`));
    expect(log.bytes()).toBeLessThanOrEqual(cap);
    const kept = log.rows.map((r) => r.seq);
    // The newest, consecutive, and as many as fit: one more would not have.
    expect(kept.at(-1)).toBe(20);
    expect(kept).toEqual(Array.from({ length: kept.length }, (_, i) => 21 - kept.length + i));
    expect(log.bytes() + chatBytes({ ...log.rows[0]!, seq: kept[0]! - 1 })).toBeGreaterThan(cap);
  });

  it("falls back to safe settings: the byte cap is never under a page", () => {
    expect(roomConfig({})).toMatchObject({
      chatRate: { perSecond: 1, burst: 10 },
      historyRate: { perSecond: 2, burst: 10 },
      chatCap: { messages: 1000, bytes: 1024 * 1024 },
      historyPageBytes: 63 * 1024,
    });
    expect(roomConfig({ CHAT_MAX_BYTES: "1000", CHAT_PER_SECOND: "0.5" })).toMatchObject({ chatCap: { bytes: 1024 * 1024 }, chatRate: { perSecond: 1 } });
    expect(roomConfig({ CHAT_MAX_MESSAGES: "50", HISTORY_BURST: "3" })).toMatchObject({ chatCap: { messages: 50 }, historyRate: { burst: 3 } });
  });
});

describe("the welcome's chat (chatTail)", () => {
  const member: StoredMember = { id: "p1", name: "A", media, joined: 1, token: "t", prevToken: null, role: "member", awaySince: null, device: null, addr: null, seat: "speaker", hand: null, mediaToken: null, recording: null, sfu: null };
  function state(vars: Record<string, string> = {}) {
    let tokens = 0;
    const log = new MemoryChatLog();
    const room = new RoomState(roomConfig(vars), log, new MemoryMemberStore(), { room: "r", now: () => 1000, newToken: () => `ack-${++tokens}`, newPeerId: () => "p1", newKey: () => "k" });
    room.save(member);
    const add = (text: string) => log.append({ from: "p1", name: "A", text, ts: 1, cid: `c${log.lastSeq() + 1}` });
    return { room, log, add };
  }

  it("carries the newest messages that fit in a page, oldest first, or what came after `since`", () => {
    const { room, add } = state();
    for (let i = 0; i < 100; i++) add("ж".repeat(4000));
    const tail = chatTail(room, "p1", undefined);
    expect(tail.at(-1)!.seq).toBe(100);
    expect(tail.map((m) => m.seq)).toEqual(Array.from({ length: tail.length }, (_, i) => 101 - tail.length + i));
    expect(utf8(JSON.stringify(tail))).toBeLessThanOrEqual(64 * 1024);
    const since = chatTail(room, "p1", 40);
    expect(since[0]!.seq).toBe(41);
    expect(utf8(JSON.stringify(since))).toBeLessThanOrEqual(64 * 1024);
  });

  it("starts a new socket with no reply unread", () => {
    const { room, add } = state();
    add("x");
    const ask = (ack?: string): readonly Effect[] => history.run(room, member, { type: "history", after: 0, ...(ack ? { ack } : {}) });
    expect(codeOf(ask())).toBe("history");
    expect(codeOf(ask())).toBe("history-unacked");
    chatTail(room, "p1", 0);
    expect(codeOf(ask())).toBe("history");
  });
});

describe("the chat frames", () => {
  it("takes an optional ack on history requests, and requires one on replies", () => {
    expect(parseClientMessage('{"type":"history","after":3,"ack":"abc"}')).toEqual({ ok: true, value: { type: "history", after: 3, ack: "abc" } });
    expect(parseClientMessage('{"type":"history","after":3}')).toEqual({ ok: true, value: { type: "history", after: 3 } });
    for (const ack of ['""', "5", JSON.stringify("a".repeat(65))]) {
      const r = parseClientMessage(`{"type":"history","after":3,"ack":${ack}}`);
      expect(r.ok ? null : r.error.code).toBe("bad-message");
    }
    const message: ChatMessage = { seq: 1, from: "a", name: "A", text: "t", ts: 1, cid: "c" };
    expect(parseServerMessage(JSON.stringify({ type: "history", after: 0, messages: [message], more: false, ack: "k" }))).toMatchObject({ ack: "k" });
    expect(parseServerMessage(JSON.stringify({ type: "history", after: 0, messages: [message], more: false }))).toBeNull();
  });
});
