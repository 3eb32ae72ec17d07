// Issue #10's chat limits through real sockets: history served one page at a time against a
// one-time ack and budgeted in bytes, a per-member chat ration, and a cap on what a room keeps.
// Runs in its own vitest project (vitest.config.ts, "workerd-chat-quota") with the default
// rations and a small cap: 30 messages, 200,000 bytes.

import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { ChatMessage, ServerMessage } from "../../protocol/protocol";
import type { RoomDO } from "../../worker/durable/room-do";
import { TestClient, createRoom, roomStub } from "./client";

const MAX_MESSAGES = 30;
const MAX_BYTES = 200_000;
const PAGE_FRAME_BYTES = 64 * 1024;

type Joined = Awaited<ReturnType<typeof TestClient.join>>;
type History = Extract<ServerMessage, { type: "history" }>;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const utf8 = (s: string) => new TextEncoder().encode(s).byteLength;
/** What the room counts a message as: its JSON and a comma. */
const cost = (m: ChatMessage) => utf8(JSON.stringify(m)) + 1;
/** ~8 KB in UTF-8: Cyrillic takes two bytes a character. */
const big = (label: string) => `${label} ${"ж".repeat(3990)}`;

async function members(room: string, n: number): Promise<Joined[]> {
  const out: Joined[] = [];
  for (let i = 0; i < n; i++) out.push(await TestClient.join(room, `M${i}`));
  return out;
}

/** Each member sends `each` messages at once (within its burst of 10); resolves when the first has every echo. */
async function fill(all: Joined[], each: number, text: (k: number, i: number) => string): Promise<void> {
  for (const [k, m] of all.entries()) for (let i = 0; i < each; i++) m.client.send({ type: "chat", text: text(k, i), cid: `c${k}-${i}` });
  const first = all[0]!.client;
  await first.waitFor(() => first.all("chat").length >= all.length * each, 10_000, "every echo");
}

/** Pages through the whole history as the web app does, presenting each reply's ack. */
async function pageAll(m: Joined): Promise<{ messages: ChatMessage[]; pages: History[] }> {
  const pages: History[] = [];
  let after = 0;
  let ack: string | undefined;
  for (;;) {
    m.client.send({ type: "history", after, ...(ack ? { ack } : {}) });
    const page = await m.client.next("history");
    pages.push(page);
    ack = page.ack;
    if (!page.more) break;
    after = page.messages.at(-1)!.seq;
  }
  return { messages: pages.flatMap((p) => p.messages), pages };
}

const historyFrames = (m: Joined) => m.client.raw.filter((r) => r.startsWith('{"type":"history"'));

describe("history, one page at a time", () => {
  it("refuses a request without the last reply's ack with history-unacked, pages with it, each frame under 64 KiB", async () => {
    const room = await createRoom();
    const all = await members(room, 4);
    await fill(all, 5, (k, i) => big(`${k}-${i}`));
    const a = all[0]!;

    a.client.send({ type: "history", after: 0 });
    const first = await a.client.next("history");
    expect(first.more).toBe(true);
    expect(first.messages.length).toBeGreaterThan(1);
    expect(first.messages.length).toBeLessThan(20);
    // Asking again before acknowledging the reply: refused, however often.
    a.client.send({ type: "history", after: first.messages.at(-1)!.seq });
    expect(await a.client.next("error")).toMatchObject({ code: "history-unacked" });
    a.client.send({ type: "history", after: first.messages.at(-1)!.seq, ack: "not-the-token" });
    expect(await a.client.next("error")).toMatchObject({ code: "history-unacked" });

    a.client.send({ type: "history", after: first.messages.at(-1)!.seq, ack: first.ack });
    const second = await a.client.next("history");
    expect(second.messages[0]!.seq).toBe(first.messages.at(-1)!.seq + 1);
    // The spent token is spent.
    a.client.send({ type: "history", after: 0, ack: first.ack });
    expect(await a.client.next("error")).toMatchObject({ code: "history-unacked" });

    // A socket's first request needs none; then the whole history arrives, in order, once.
    const b = all[1]!;
    const { messages, pages } = await pageAll(b);
    expect(messages.map((m) => m.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(pages.length).toBeGreaterThanOrEqual(3);
    for (const frame of historyFrames(b)) expect(utf8(frame)).toBeLessThanOrEqual(PAGE_FRAME_BYTES);
    for (const m of all) m.client.close();
  });

  it("starts a resumed socket with nothing unread, and budgets the welcome's chat in bytes", async () => {
    const room = await createRoom();
    const all = await members(room, 3);
    await fill(all, 8, (k, i) => big(`${k}-${i}`));
    const a = all[0]!;
    a.client.send({ type: "history", after: 0 });
    await a.client.next("history");
    // Its socket drops with that reply's token unused; the resumed socket needs none.
    a.client.close(4000, "network gone");
    await sleep(50);
    const back = await TestClient.join(room, "M0", { resume: { id: a.id, token: a.welcome.resumeToken }, since: 0 });
    expect(back.welcome.resumed).toBe(true);
    expect(utf8(JSON.stringify(back.welcome.chat))).toBeLessThanOrEqual(PAGE_FRAME_BYTES);
    expect(back.welcome.chat[0]!.seq).toBe(1);
    back.client.send({ type: "history", after: back.welcome.chat.at(-1)!.seq });
    expect((await back.client.next("history")).messages[0]!.seq).toBe(back.welcome.chat.at(-1)!.seq + 1);
    // A fresh joiner's tail: the newest, as many as fit.
    const late = await TestClient.join(room, "Late");
    expect(late.welcome.chat.at(-1)!.seq).toBe(24);
    expect(late.welcome.chat.length).toBeLessThan(24);
    expect(utf8(JSON.stringify(late.welcome.chat))).toBeLessThanOrEqual(PAGE_FRAME_BYTES);
    for (const m of [...all.slice(1), back, late]) m.client.close();
  });
});

describe("the chat ration", () => {
  it("refuses an 11th message at once with chat-throttled, stores it when sent again later, once; the others talk on", async () => {
    const room = await createRoom();
    const [a, b, c] = (await members(room, 3)) as [Joined, Joined, Joined];
    for (let i = 0; i < 11; i++) a.client.send({ type: "chat", text: `a${i}`, cid: `a${i}` });
    expect(await a.client.next("error")).toMatchObject({ code: "chat-throttled" });
    // Others are not affected: their own rations, and their messages flow.
    b.client.send({ type: "chat", text: "b while A waits", cid: "b0" });
    await c.client.waitFor(() => c.client.all("chat").some((m) => m.message.text === "b while A waits"), 5000, "B's message");
    const fromA = () => c.client.all("chat").filter((m) => m.message.from === a.id).map((m) => m.message.text);
    expect(fromA()).toEqual(Array.from({ length: 10 }, (_, i) => `a${i}`));
    expect(b.client.all("error")).toEqual([]);

    await sleep(1100);
    // The outbox resent as the web app does: what landed is answered to A alone, the rest stored.
    for (let i = 0; i < 11; i++) a.client.send({ type: "chat", text: `a${i}`, cid: `a${i}` });
    await c.client.waitFor(() => fromA().length === 11, 5000, "the refused message");
    expect(fromA()).toEqual(Array.from({ length: 11 }, (_, i) => `a${i}`));
    expect(c.client.all("chat").find((m) => m.message.text === "a10")!.message.seq).toBe(12);
    expect(a.client.all("error").map((e) => e.code)).toEqual(["chat-throttled"]);
    for (const m of [a, b, c]) m.client.close();
  });
});

describe("the room's cap on stored chat", () => {
  it("keeps the newest messages, by count; sequence numbers go on", async () => {
    const room = await createRoom();
    const all = await members(room, 4);
    await fill(all, 10, (k, i) => `m${k}-${i}`);
    const { messages } = await pageAll(all[0]!);
    expect(messages.map((m) => m.seq)).toEqual(Array.from({ length: MAX_MESSAGES }, (_, i) => 40 - MAX_MESSAGES + 1 + i));
    all[3]!.client.send({ type: "leave" });
    await all[0]!.client.next("peer-left");
    const late = await TestClient.join(room, "Late");
    expect(late.welcome.lastSeq).toBe(40);
    expect(late.welcome.chat[0]!.seq).toBe(11);
    late.client.send({ type: "chat", text: "next", cid: "next" });
    expect((await late.client.next("chat")).message.seq).toBe(41);
    for (const m of [...all.slice(0, 3), late]) m.client.close();
  });

  it("keeps at most its byte cap, dropping the oldest", async () => {
    const room = await createRoom();
    const all = await members(room, 4);
    await fill(all, 10, (k, i) => big(`${k}-${i}`));
    const { messages } = await pageAll(all[0]!);
    const bytes = messages.reduce((n, m) => n + cost(m), 0);
    expect(bytes).toBeLessThanOrEqual(MAX_BYTES);
    expect(bytes).toBeGreaterThan(MAX_BYTES - 2 * cost(messages[0]!));
    expect(messages.at(-1)!.seq).toBe(40);
    expect(messages.map((m) => m.seq)).toEqual(Array.from({ length: messages.length }, (_, i) => 41 - messages.length + i));
    for (const m of all) m.client.close();
  });

  it("sizes rows stored without a size (older code) when it meets them", async () => {
    const room = await createRoom();
    const [a] = (await members(room, 1)) as [Joined];
    await fill([a], 3, (_k, i) => big(`old-${i}`));
    await runInDurableObject(roomStub(room), (_i: RoomDO, state) => void state.storage.sql.exec("UPDATE chat SET bytes = NULL"));
    await evictDurableObject(roomStub(room), { webSockets: "hibernate" });
    // Pages still fit, sized as they are read.
    const { messages } = await pageAll(a);
    expect(messages.map((m) => m.seq)).toEqual([1, 2, 3]);
    // The next message checks the cap, and sizes every row on the way.
    a.client.send({ type: "chat", text: "new", cid: "new" });
    await a.client.waitFor(() => a.client.all("chat").length >= 4, 5000, "the echo");
    const rows = await runInDurableObject(roomStub(room), (_i: RoomDO, state) =>
      state.storage.sql.exec<{ seq: number; bytes: number | null }>("SELECT seq, bytes FROM chat ORDER BY seq").toArray(),
    );
    const sent = [...messages, a.client.all("chat").at(-1)!.message];
    expect(rows).toEqual(sent.map((m) => ({ seq: m.seq, bytes: cost(m) })));
    a.client.close();
  });
});
