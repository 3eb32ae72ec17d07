// A deployment without Cloudflare Realtime (this project sets no REALTIME_*): every SFU proxy
// route answers 501 with the reason, whoever asks and whatever the body, and nothing else about
// the room changes. With Realtime configured: test/workerd-realtime/sfu.test.ts.

import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { ORIGIN, TestClient, createRoom } from "./client";

describe("SFU proxy without Realtime configured", () => {
  it("answers 501 on every SFU route, and the room works as before", async () => {
    const room = await createRoom();
    const a = await TestClient.join(room, "A");
    const calls: Array<[string, string, string | undefined]> = [
      ["POST", "sessions/new", "{}"],
      ["POST", "sessions/abc/tracks/new", JSON.stringify({ tracks: [] })],
      ["PUT", "sessions/abc/renegotiate", "{}"],
      ["PUT", "sessions/abc/tracks/close", "{}"],
      ["GET", "sessions/abc", undefined],
      ["DELETE", "anything/else", undefined],
    ];
    for (const [method, path, body] of calls) {
      const res = await exports.default.fetch(`${ORIGIN}/api/rooms/${room}/sfu/${path}`, {
        method,
        headers: { Authorization: `Bearer ${a.welcome.mediaToken}` },
        ...(body !== undefined ? { body } : {}),
      });
      expect(res.status, `${method} ${path}`).toBe(501);
      expect(await res.json()).toEqual({ error: expect.stringMatching(/no SFU: Cloudflare Realtime is not configured/), status: 501 });
    }
    expect(await (await exports.default.fetch(`${ORIGIN}/api/rooms/${room}`)).json()).toEqual({ id: room, mode: "meeting", sfu: false });
    const b = await TestClient.join(room, "B");
    expect((await a.client.next("peer-joined")).peer.id).toBe(b.id);
    a.client.close();
    b.client.close();
  });
});
