import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { RoomDO } from "../../worker/room-do";
import { TestClient, createRoom, roomStub } from "./client";

const offer = { kind: "description", description: { type: "offer", sdp: "v=0 fake" } } as const;

async function instanceStats(room: string) {
  return runInDurableObject(roomStub(room), (instance: RoomDO) => ({ ...instance.stats }));
}

describe("hibernation and eviction", () => {
  it("answers heartbeats without running the room's message handler", async () => {
    const room = await createRoom();
    const a = await TestClient.join(room, "A");
    const before = await instanceStats(room);
    for (let i = 0; i < 5; i++) a.client.sendRaw("ping");
    await a.client.waitFor(() => a.client.raw.filter((r) => r === "pong").length === 5, 5000, "5 pongs");
    const after = await instanceStats(room);
    expect(after.constructed).toBe(before.constructed);
    expect(after.messageRuns).toBe(before.messageRuns);
    // A real frame does run it, so the counter can move.
    a.client.send({ type: "history", after: 0 });
    await a.client.next("history");
    expect((await instanceStats(room)).messageRuns).toBe(before.messageRuns + 1);
  });

  it("keeps ids, roster, relaying and chat across an eviction that hibernates the sockets", async () => {
    const room = await createRoom();
    const a = await TestClient.join(room, "A", { media: { mic: true, cam: false, screen: false } });
    const b = await TestClient.join(room, "B");
    a.client.send({ type: "chat", text: "before", cid: "1" });
    await b.client.next("chat");
    await a.client.next("chat");
    const first = await instanceStats(room);

    await evictDurableObject(roomStub(room), { webSockets: "hibernate" });

    // Sockets survive; a new instance wakes for the next frame and rebuilds the roster.
    a.client.send({ type: "signal", to: b.id, data: offer });
    expect(await b.client.next("signal")).toEqual({ type: "signal", from: a.id, data: offer });
    expect((await instanceStats(room)).messageRuns).toBe(1);
    expect(a.client.closed).toBeNull();

    b.client.send({ type: "chat", text: "after", cid: "2" });
    const echoed = await a.client.next("chat");
    expect(echoed.message).toMatchObject({ seq: 2, from: b.id, text: "after" });

    const c = await TestClient.join(room, "C");
    const byId = (x: { id: string }, y: { id: string }) => x.id.localeCompare(y.id);
    expect([...c.welcome.peers].sort(byId)).toEqual(
      [
        { id: a.id, name: "A", media: { mic: true, cam: false, screen: false } },
        { id: b.id, name: "B", media: { mic: false, cam: false, screen: false } },
      ].sort(byId),
    );
    expect(c.welcome.chat.map((m) => m.text)).toEqual(["before", "after"]);
    expect(first.messageRuns).toBeGreaterThan(0);
  });

  it("leaves a consistent room after an eviction that closes the sockets", async () => {
    const room = await createRoom();
    const a = await TestClient.join(room, "A");
    const b = await TestClient.join(room, "B");
    a.client.send({ type: "chat", text: "kept", cid: "k" });
    await b.client.next("chat");

    await evictDurableObject(roomStub(room), { webSockets: "close" });
    const closedA = await a.client.waitClosed();
    await b.client.waitClosed();
    expect(closedA.code).not.toBe(1000);

    // They come back: nobody is a ghost of the old sockets, and the history is intact.
    const a2 = await TestClient.join(room, "A");
    expect(a2.welcome.peers).toEqual([]);
    expect(a2.welcome.chat.map((m) => m.text)).toEqual(["kept"]);
    const b2 = await TestClient.join(room, "B");
    expect(b2.welcome.peers.map((p) => p.id)).toEqual([a2.id]);
    b2.client.send({ type: "signal", to: a2.id, data: offer });
    expect((await a2.client.next("signal")).from).toBe(b2.id);
    b2.client.send({ type: "chat", text: "new", cid: "n" });
    expect((await a2.client.next("chat")).message.seq).toBe(2);
  });
});
