// Cloudflare TURN credentials end with membership, through the room itself: minted per member,
// handed out again from the cache, and revoked when the member leaves, is expelled, or does not
// come back within its grace period (also after the room slept). The TURN API is the local
// stand-in behind the runtime's outbound service (vitest.config.ts).

import { evictDurableObject, runDurableObjectAlarm } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { NO_MEDIA, TestClient, createRoom, roomStub } from "../workerd/client";

/**
 * The flooder's close comes after the runtime has taken its burst of frames: on a loaded 2-core
 * machine that took over 5 s (a failed full run), so it gets most of the test's 20 s.
 */
const FLOOD_CLOSE_MS = 15_000;

interface SeenCall {
  url: string;
  auth: string | null;
}

async function seen(): Promise<SeenCall[]> {
  return (await (await fetch("https://turn-stand-in.test/__seen")).json()) as SeenCall[];
}

const usernameOf = (ice: { iceServers: Array<{ username?: string }> }) => ice.iceServers.find((s) => s.username)?.username ?? null;
const revokes = async (username: string) => (await seen()).filter((c) => c.url === `POST /v1/turn/keys/test-key/credentials/${username}/revoke`);

async function waitForRevoke(username: string): Promise<SeenCall[]> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const calls = await revokes(username);
    if (calls.length > 0 || Date.now() > deadline) return calls;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("Cloudflare TURN credentials through the room", () => {
  it("mints one credential per member, answers ice requests from the cache, and revokes on leave", async () => {
    const room = await createRoom();
    const before = (await seen()).filter((c) => c.url.endsWith("/generate-ice-servers")).length;
    const a = await TestClient.join(room, "A");
    const username = usernameOf(a.welcome.ice)!;
    expect(username).toMatch(/^cf-user-\d+$/);
    a.client.send({ type: "ice" });
    expect(usernameOf((await a.client.next("ice")).ice)).toBe(username);
    expect((await seen()).filter((c) => c.url.endsWith("/generate-ice-servers")).length).toBe(before + 1);
    expect(await revokes(username)).toEqual([]);
    a.client.send({ type: "leave" });
    const calls = await waitForRevoke(username);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.auth).toBe("Bearer test-token");
  });

  it("revokes a member expelled for flooding", async () => {
    const room = await createRoom();
    const bad = await TestClient.join(room, "B");
    const username = usernameOf(bad.welcome.ice)!;
    for (let i = 0; i < 2000 && !bad.client.closed; i++) bad.client.send({ type: "media", media: NO_MEDIA });
    expect((await bad.client.waitClosed(FLOOD_CLOSE_MS)).code).toBe(4429);
    expect(await waitForRevoke(username)).toHaveLength(1);
  });

  it("revokes a member whose grace period ends after the room slept", async () => {
    const room = await createRoom();
    const a = await TestClient.join(room, "A");
    const username = usernameOf(a.welcome.ice)!;
    a.client.close(4000, "gone");
    await new Promise((r) => setTimeout(r, 200));
    // The room sleeps (its memory, the credential cache included, is gone), then its alarm ends the grace period.
    await evictDurableObject(roomStub(room));
    await new Promise((r) => setTimeout(r, 2100)); // past the 2 s grace period (vitest.config.ts)
    await runDurableObjectAlarm(roomStub(room));
    expect(await waitForRevoke(username)).toHaveLength(1);
  });
});
