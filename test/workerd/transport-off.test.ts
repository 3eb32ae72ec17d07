// The transport choice in a deployment without Cloudflare Realtime (protocol/features/transport.ts):
// never the SFU, the mesh's limits stand (ROOM_CAPACITY 4 and STAGE_VIEWERS 3 in this project),
// and an SFU announcement is refused. With Realtime: test/workerd-realtime/transport.test.ts.

import { describe, expect, it } from "vitest";
import { TestClient, createHostedRoom, createRoom } from "./client";

describe("the transport choice without Realtime", () => {
  it("stays on the mesh whatever the room's size, and keeps the mesh's capacity", async () => {
    const room = await createRoom();
    const xs = [];
    for (const n of ["A", "B", "C", "D"]) xs.push(await TestClient.join(room, n));
    const a = xs[0]!;
    expect(a.welcome.transport).toEqual({ kind: "mesh", sfu: false });
    expect(a.welcome.settings).toMatchObject({ capacity: 4, stageViewers: 3, meshViewers: 3, meshMax: 6, sfuMeetingMax: 50 });
    const extra = await TestClient.open(room);
    extra.send({ type: "join", v: 1, name: "E", media: { mic: false, cam: false, screen: false } });
    expect((await extra.next("error")).code).toBe("room-full");
    a.client.send({ type: "sfu-tracks", session: "0123456789abcdef0123456789abcdef", tracks: [{ name: "cam", role: "camera" }] });
    expect((await a.client.next("error")).code).toBe("not-sfu");
    a.client.send({ type: "chat", text: "after", cid: "after" });
    await a.client.next("chat");
    expect(xs.every((x) => x.client.all("transport").length === 0)).toBe(true);
    for (const x of xs) x.client.close();
  });

  it("keeps a stage on the mesh with its mesh audience", async () => {
    const { id: room, hostKey } = await createHostedRoom({ mode: "stage" });
    const host = await TestClient.join(room, "Host", { hostKey });
    const viewers = [];
    for (const n of ["V1", "V2", "V3"]) viewers.push(await TestClient.join(room, n));
    const extra = await TestClient.open(room);
    extra.send({ type: "join", v: 1, name: "V4", media: { mic: false, cam: false, screen: false } });
    expect((await extra.next("error")).code).toBe("stage-full");
    expect(host.client.all("transport")).toHaveLength(0);
    expect(viewers.every((v) => v.welcome.transport.kind === "mesh")).toBe(true);
    host.client.close();
    for (const v of viewers) v.client.close();
  });
});
