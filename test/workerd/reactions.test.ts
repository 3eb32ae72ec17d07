// Reactions through real WebSocket upgrades on the Worker and the room Durable Object: relayed to
// the others and not back, a viewer's too; rationed per member (each code counts) while the others
// carry on; a late joiner's welcome holds only the last ten seconds; malformed frames refused.

import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { REACTION_RATE, REACTION_RECENT_MS, type ServerMessage } from "../../protocol/protocol";
import type { RoomDO } from "../../worker/durable/room-do";
import { TestClient, createHostedRoom, createRoom, roomStub } from "./client";

type Joined = Awaited<ReturnType<typeof TestClient.join>>;

/** Waits until `n` frames of this type have arrived. */
async function count<T extends ServerMessage["type"]>(c: TestClient, type: T, n: number) {
  await c.waitFor(() => c.all(type).length >= n, 5000, `${n} × ${type}`);
  return c.all(type);
}

/** A round trip on this socket: every frame the room sent it before is in by the time this returns. */
async function settle(c: TestClient) {
  const before = c.all("history").length;
  c.send({ type: "history", after: 0 });
  await count(c, "history", before + 1);
}

async function meeting(n: number) {
  const room = await createRoom();
  const members: Joined[] = [];
  for (let i = 0; i < n; i++) members.push(await TestClient.join(room, `M${i}`));
  return { room, members };
}

describe("reactions: relay", () => {
  it("relays a member's batch to the others, stamped by the room, and not back to the sender", async () => {
    const { members } = await meeting(3);
    const [a, b, c] = members as [Joined, Joined, Joined];
    a.client.send({ type: "react", reactions: ["clap", "clap", "heart"] });
    const [got] = await count(b.client, "reaction", 1);
    expect(got).toEqual({ type: "reaction", from: a.id, reactions: ["clap", "clap", "heart"], at: expect.any(Number) });
    expect((await count(c.client, "reaction", 1))[0]).toEqual(got);
    await settle(a.client);
    expect(a.client.all("reaction")).toEqual([]);
    expect(a.client.all("error")).toEqual([]);
  });

  it("takes a stage viewer's reactions to the speakers and the rest of the audience", async () => {
    const { id: room, hostKey } = await createHostedRoom({ mode: "stage" });
    const host = await TestClient.join(room, "Host", { hostKey });
    const v0 = await TestClient.join(room, "V0");
    const v1 = await TestClient.join(room, "V1");
    expect(v0.welcome.you.seat).toBe("viewer");
    v0.client.send({ type: "react", reactions: ["party"] });
    expect((await count(host.client, "reaction", 1))[0]).toMatchObject({ from: v0.id, reactions: ["party"] });
    expect((await count(v1.client, "reaction", 1))[0]).toMatchObject({ from: v0.id, reactions: ["party"] });
  });
});

describe("reactions: the ration", () => {
  it("allows a burst of five, then rate-limited, then drops, then closes 4429; another member is unaffected", async () => {
    const { members } = await meeting(3);
    const [a, b, c] = members as [Joined, Joined, Joined];
    for (let i = 0; i < REACTION_RATE.burst; i++) a.client.send({ type: "react", reactions: ["thumbs-up"] });
    await count(c.client, "reaction", REACTION_RATE.burst);
    await settle(a.client);
    expect(a.client.all("error")).toEqual([]);
    // Past the burst, as fast as it can: one rate-limited, silence, then out.
    for (let i = 0; i < 40 && a.client.closed === null; i++) {
      try {
        a.client.send({ type: "react", reactions: ["thumbs-up"] });
      } catch {
        break;
      }
    }
    expect(await a.client.waitClosed()).toEqual({ code: 4429, reason: "too many reactions" });
    expect(a.client.all("error").map((e) => e.code)).toEqual(["rate-limited"]);
    await c.client.waitFor(() => c.client.all("peer-left").some((l) => l.id === a.id), 5000, "a's peer-left");
    // The room relayed a few more at most (the ration refills at 2.5 a second), not forty.
    expect(c.client.all("reaction").filter((r) => r.from === a.id).length).toBeLessThanOrEqual(REACTION_RATE.burst + 2);
    // B has a ration of its own, whole.
    b.client.send({ type: "react", reactions: ["heart", "heart", "heart", "heart", "heart"] });
    await c.client.waitFor(() => c.client.all("reaction").some((r) => r.from === b.id), 5000, "b's reaction");
    await settle(b.client);
    expect(b.client.all("error")).toEqual([]);
    expect(b.client.closed).toBeNull();
  });
});

describe("reactions: a late joiner's welcome", () => {
  it("carries only the batches of the last ten seconds", async () => {
    const { room, members } = await meeting(2);
    const [a, b] = members as [Joined, Joined];
    a.client.send({ type: "react", reactions: ["laugh"] });
    await count(b.client, "reaction", 1);
    const now = await TestClient.join(room, "Now");
    expect(now.welcome.reactions).toEqual([{ from: a.id, reactions: ["laugh"], at: expect.any(Number) }]);
    // Ten seconds on for that batch (the room's clock is not the test's to move: the batch is made older).
    await runInDurableObject(roomStub(room), (instance: RoomDO) => {
      for (const batch of instance["room"]!.core["room"].reactions) batch.at -= REACTION_RECENT_MS;
    });
    b.client.send({ type: "react", reactions: ["surprised", "clap"] });
    await count(a.client, "reaction", 1);
    const late = await TestClient.join(room, "Late");
    expect(late.welcome.reactions).toEqual([{ from: b.id, reactions: ["surprised", "clap"], at: expect.any(Number) }]);
  });
});

describe("reactions: malformed frames", () => {
  it.each([
    ["an unknown code", { type: "react", reactions: ["wave"] }],
    ["an empty list", { type: "react", reactions: [] }],
    ["six codes", { type: "react", reactions: ["clap", "clap", "clap", "clap", "clap", "clap"] }],
    ["free text", { type: "react", reactions: "great talk!" }],
    ["an emoji for a code", { type: "react", reactions: ["👏"] }],
    ["no list", { type: "react" }],
  ])("refuses %s with bad-message and relays nothing", async (_what, frame) => {
    const { members } = await meeting(2);
    const [a, b] = members as [Joined, Joined];
    a.client.send(frame);
    const error = await a.client.next("error");
    expect(error.code).toBe("bad-message");
    expect(error.message).toMatch(/^react: /);
    await settle(b.client);
    expect(b.client.all("reaction")).toEqual([]);
    expect(a.client.closed).toBeNull();
  });
});
