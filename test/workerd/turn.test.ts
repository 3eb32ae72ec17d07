import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { hmacSha1Base64, memberTag } from "../../worker/turn/coturn-credentials";
import { NO_MEDIA, ORIGIN, TestClient, createRoom } from "./client";

describe("TURN credentials for members only", () => {
  it("are not given to a socket that has not joined, nor over any HTTP route", async () => {
    const room = await createRoom();
    const c = await TestClient.open(room);
    c.send({ type: "ice" });
    expect(await c.next("error")).toMatchObject({ code: "not-joined" });
    expect(c.all("ice")).toEqual([]);
    for (const path of ["/api/ice", `/api/rooms/${room}/ice`, "/api/turn"]) {
      const res = await exports.default.fetch(`${ORIGIN}${path}`);
      expect(res.status, path).toBe(404);
      expect(await res.text()).not.toMatch(/credential|username/);
    }
  });

  it("come in welcome: coturn REST credentials naming the member by an opaque tag, valid for the TTL (10 min)", async () => {
    const room = await createRoom();
    const before = Date.now();
    const a = await TestClient.join(room, "A");
    const { ice } = a.welcome;
    expect(ice.relay).toBe("available");
    expect(ice.iceServers[0]).toEqual({ urls: ["stun:127.0.0.1:3478"] });
    const turn = ice.iceServers[1]!;
    expect(turn.urls).toEqual(["turn:127.0.0.1:3478?transport=udp", "turn:127.0.0.1:3478?transport=tcp"]);
    const [expiry, tag] = turn.username!.split(":");
    // TURN usernames travel in clear and land in coturn's logs: no room id, no peer id.
    expect(tag).toBe(await memberTag("workerd-test-secret", `${room}/${a.id}`));
    expect(turn.username).not.toContain(room);
    expect(turn.username).not.toContain(a.id);
    expect(Number(expiry) * 1000).toBe(ice.expiresAt);
    expect(ice.expiresAt! - before).toBeGreaterThanOrEqual(600_000 - 2000);
    expect(ice.expiresAt! - Date.now()).toBeLessThanOrEqual(600_000 + 1000);
    expect(turn.credential).toBe(await hmacSha1Base64("workerd-test-secret", turn.username!));
    // Another member gets its own.
    const b = await TestClient.join(room, "B");
    expect(b.welcome.ice.iceServers[1]!.username!.split(":")[1]).toBe(await memberTag("workerd-test-secret", `${room}/${b.id}`));
  });

  it("are refreshed on request, within a rate limit", async () => {
    const room = await createRoom();
    const a = await TestClient.join(room, "A", { media: NO_MEDIA });
    for (let i = 0; i < 5; i++) a.client.send({ type: "ice" });
    await a.client.waitFor(() => a.client.all("ice").length === 5, 5000, "5 ice answers");
    // The same member tag in every refresh: coturn's logs can tie one member's allocations together.
    const tag = await memberTag("workerd-test-secret", `${room}/${a.id}`);
    for (const f of a.client.all("ice")) expect(f.ice.iceServers[1]!.username!.split(":")[1]).toBe(tag);
    a.client.send({ type: "ice" });
    expect(await a.client.next("error")).toMatchObject({ code: "ice-throttled", message: "too many ICE credential requests" });
    expect(a.client.all("ice")).toHaveLength(5);
    expect(a.client.closed).toBeNull();
  });
});
