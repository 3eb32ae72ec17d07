import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { RoomDO } from "../../worker/durable/room-do";
import { createRoom, roomStub } from "./client";
import { ResumingClient } from "./resuming-client";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// Seeded, so that a failure can be replayed.
function rng(seed: number) {
  return () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
}

describe("chat under churn", () => {
  it("delivers every message exactly once to everyone through 100 reconnects and 10 evictions", async () => {
    const room = await createRoom();
    const random = rng(42);
    const clients = ["A", "B", "C", "D"].map((n) => new ResumingClient(room, n));
    for (const c of clients) await c.connect();

    const sent = new Set<string>();
    let reconnects = 0;
    let evictions = 0;
    const MESSAGES = 400;
    for (let i = 0; i < MESSAGES; i++) {
      const author = clients[Math.floor(random() * clients.length)]!;
      const text = `${author.name}-${i}`;
      author.send(text);
      sent.add(text);

      // Every 4th message, someone's network drops and comes back (100 times in all).
      if (i % 4 === 3 && reconnects < 100) {
        const victim = clients[Math.floor(random() * clients.length)]!;
        victim.drop();
        // Some come back at once, some after a few more messages went by without them.
        if (random() < 0.5) await victim.connect();
        else setTimeout(() => void victim.connect(), 20);
        reconnects++;
      }
      // Every 40th message, the platform evicts the room: alternately hibernating and closing sockets.
      if (i % 40 === 39) {
        const mode = i % 80 === 39 ? "hibernate" : "close";
        const before = await runInDurableObject(roomStub(room), (instance: RoomDO) => instance);
        await evictDurableObject(roomStub(room), { webSockets: mode });
        // The room really went: the next call reaches a new instance.
        const after = await runInDurableObject(roomStub(room), (instance: RoomDO) => instance);
        if (after !== before) evictions++;
        if (mode === "close") {
          await sleep(20);
          for (const c of clients) if (c.closedByServer) await c.connect();
        }
      }
      await sleep(random() * 8);
    }
    expect(reconnects).toBe(100);
    expect(evictions).toBe(10);

    // Whoever is still disconnected comes back, and everything settles.
    await sleep(100);
    for (const c of clients) if (!c.connected) await c.connect();
    const deadline = Date.now() + 15_000;
    while (clients.some((c) => c.chat.unconfirmed().length > 0 || c.chat.lastSeq < MESSAGES)) {
      if (Date.now() > deadline) {
        throw new Error(`not settled: ${clients.map((c) => `${c.name} seq ${c.chat.lastSeq} outbox ${c.chat.unconfirmed().length}`).join(", ")}`);
      }
      await sleep(50);
    }

    const histories = clients.map((c) => c.chat.items.filter((i) => i.kind === "chat").map((i) => (i.kind === "chat" ? i.message : null)!));
    for (const h of histories) {
      // Complete and duplicate-free: exactly the messages sent, each once, numbered 1..400.
      expect(h).toHaveLength(MESSAGES);
      expect(h.map((m) => m.seq)).toEqual(Array.from({ length: MESSAGES }, (_, i) => i + 1));
      expect(new Set(h.map((m) => m.text))).toEqual(sent);
    }
    // Identical everywhere.
    for (const h of histories.slice(1)) expect(h).toEqual(histories[0]);
    // The drops were real resumes, not fresh identities.
    expect(clients.reduce((n, c) => n + c.resumes, 0)).toBeGreaterThanOrEqual(100);
    expect(clients.reduce((n, c) => n + c.freshJoins, 0)).toBe(0);
    for (const c of clients) c.close();
  }, 60_000);
});
