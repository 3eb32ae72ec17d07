// The crowd over real sockets on the Worker and the room Durable Object (protocol/features/
// crowd.ts): on a stage, plain viewers do not hear of one another's joins and leaves while the
// host hears all; a viewer moved onto the stage meets the crowd; the count arrives from the
// room's alarm. STAGE_VIEWERS is 3 here (vitest.config.ts). The same rules in the pure core:
// test/unit/room-core-crowd.test.ts.

import { describe, expect, it } from "vitest";
import type { ServerMessage } from "../../protocol/protocol";
import { TestClient, createHostedRoom } from "./client";

type Joined = Awaited<ReturnType<typeof TestClient.join>>;

/** Frames are delivered in order per socket: once this chat has arrived, anything sent before it has too. */
async function barrier(host: Joined, others: Joined[], text: string) {
  host.client.send({ type: "chat", text, cid: text });
  for (const o of others) await o.client.waitFor(() => o.client.all("chat").some((c) => c.message.text === text), 5000, `chat ${text}`);
}

/** Peer ids a client heard of in frames about a peer, batches opened (TestClient opens them). */
const heardOf = (c: TestClient) =>
  c.frames.flatMap((f: ServerMessage) => (f.type === "peer-joined" ? [f.peer.id] : "id" in f && typeof f.id === "string" && f.type.startsWith("peer-") ? [f.id] : []));

describe("crowd: a stage's viewers over real sockets", () => {
  it("keeps viewers' joins and leaves from one another and tells the host; a viewer moved up meets the crowd; the count arrives", async () => {
    const { id: room, hostKey } = await createHostedRoom({ mode: "stage" });
    const host = await TestClient.join(room, "Host", { hostKey });
    const v0 = await TestClient.join(room, "V0");
    const v1 = await TestClient.join(room, "V1");
    const v2 = await TestClient.join(room, "V2");
    expect(v2.welcome.peers.map((p) => p.name)).toEqual(["Host"]);
    expect(v2.welcome.audience).toBe(3);
    await host.client.waitFor(() => host.client.all("peer-joined").length === 3, 5000, "three joins");

    v1.client.send({ type: "leave" });
    await host.client.waitFor(() => host.client.all("peer-left").some((f) => f.id === v1.id), 5000, "v1's leave");
    await barrier(host, [v0, v2], "after-leave");
    for (const v of [v0, v2]) expect(heardOf(v.client).filter((id) => id !== v.id), v.welcome.you.name).toEqual([]);

    // The count: 1 at once, then the joins and the leave within 2 s of it, from the alarm.
    await v0.client.waitFor(() => v0.client.all("audience").at(-1)?.count === 2, 8000, "audience 2");
    expect(host.client.all("audience").at(-1)).toEqual({ type: "audience", count: 2 });

    host.client.send({ type: "set-seat", id: v0.id, seat: "speaker" });
    await v0.client.waitFor(() => v0.client.all("peer-joined").some((f) => f.peer.id === v2.id), 5000, "v0 meets v2");
    expect(v0.client.all("peer-joined").find((f) => f.peer.id === v2.id)).toMatchObject({ crowd: true, peer: { seat: "viewer" } });
    await v2.client.waitFor(() => v2.client.all("peer-joined").some((f) => f.peer.id === v0.id), 5000, "v2 meets v0");
    expect(v2.client.all("peer-joined").find((f) => f.peer.id === v0.id)).toMatchObject({ crowd: true, peer: { seat: "speaker" } });
    await v2.client.waitFor(() => v2.client.all("audience").at(-1)?.count === 1, 8000, "audience 1");
    for (const c of [host, v0, v2]) c.client.ws.close();
  });
});
