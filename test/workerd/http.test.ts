import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { ORIGIN, createRoom } from "./client";

const fetchApp = (path: string, init?: RequestInit) => exports.default.fetch(`${ORIGIN}${path}`, init);
const ROOM_ID = /^[A-Za-z0-9_-]{22}$/;

/**
 * The limiters count in windows aligned to the wall clock (Cloudflare's and wrangler's local one
 * alike), so a test that straddles a minute boundary sees its count start over. Start each one
 * with at least `needMs` left in the current minute.
 */
async function withinOneWindow(needMs = 20_000): Promise<void> {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < needMs) await new Promise((resolve) => setTimeout(resolve, left + 100));
}

describe("per-address limits", () => {
  it("refuses the 21st room a minute from one address with 429, and not another address's", async () => {
    await withinOneWindow();
    const create = (ip: string) => fetchApp("/api/rooms", { method: "POST", headers: { "CF-Connecting-IP": ip } });
    for (let i = 0; i < 20; i++) expect((await create("203.0.113.7")).status).toBe(201);
    const refused = await create("203.0.113.7");
    expect(refused.status).toBe(429);
    expect(await refused.json()).toMatchObject({ error: expect.stringMatching(/too many requests/) });
    expect((await create("203.0.113.8")).status).toBe(201);
  }, 45_000);

  it("refuses the 61st room socket a minute from one address with 429", async () => {
    const id = await createRoom();
    await withinOneWindow();
    const open = () => fetchApp(`/api/rooms/${id}/ws`, { headers: { Upgrade: "websocket", Origin: ORIGIN, "CF-Connecting-IP": "203.0.113.9" } });
    for (let i = 0; i < 60; i++) {
      const res = await open();
      expect(res.status).toBe(101);
      res.webSocket!.accept();
      res.webSocket!.close(1000, "done");
    }
    expect((await open()).status).toBe(429);
  }, 45_000);
});

describe("HTTP API", () => {
  it("creates rooms with 128-bit base64url ids, all different", async () => {
    const ids = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const res = await fetchApp("/api/rooms", { method: "POST", headers: { "CF-Connecting-IP": `creator-${i}` } });
      expect(res.status).toBe(201);
      const { id } = (await res.json()) as { id: string };
      expect(id).toMatch(ROOM_ID);
      ids.add(id);
    }
    expect(ids.size).toBe(20);
  });

  it("reports health", async () => {
    const res = await fetchApp("/api/health");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, protocol: 1 });
  });

  it("answers unknown API routes with a JSON 404", async () => {
    const res = await fetchApp("/api/nope");
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ status: 404 });
  });

  it("refuses a malformed room id with 400", async () => {
    for (const bad of ["short", "x".repeat(23), "a".repeat(21) + "!"]) {
      const res = await fetchApp(`/api/rooms/${encodeURIComponent(bad)}/ws`, { headers: { Upgrade: "websocket" } });
      expect(res.status, bad).toBe(400);
    }
  });

  it("answers 426 without an Upgrade header", async () => {
    const res = await fetchApp(`/api/rooms/${await createRoom()}/ws`);
    expect(res.status).toBe(426);
    expect(await res.json()).toMatchObject({ error: "expected a WebSocket upgrade" });
  });

  it("answers 403 to a foreign Origin and accepts its own and loopback ones", async () => {
    const id = await createRoom();
    const upgrade = (origin: string) => fetchApp(`/api/rooms/${id}/ws`, { headers: { Upgrade: "websocket", Origin: origin, "CF-Connecting-IP": `origin-${origin}` } });
    const evil = await upgrade("https://evil.example");
    expect(evil.status).toBe(403);
    for (const ok of [ORIGIN, "http://localhost:5173", "http://127.0.0.1:8787"]) {
      const res = await upgrade(ok);
      expect(res.status, ok).toBe(101);
      res.webSocket!.accept();
      res.webSocket!.close(1000, "done");
    }
  });

  it("refuses loopback origins when the Worker is reached on a real host name", async () => {
    const id = await createRoom();
    const res = await exports.default.fetch(`https://roomlink.example/api/rooms/${id}/ws`, {
      headers: { Upgrade: "websocket", Origin: "http://localhost:5173", "CF-Connecting-IP": "origin-test" },
    });
    expect(res.status).toBe(403);
  });

  it("serves the web app for everything outside /api, with a single-page fallback", async () => {
    for (const path of ["/", "/r/AAAAAAAAAAAAAAAAAAAAAA"]) {
      const res = await fetchApp(path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get("content-type")).toMatch(/text\/html/);
      expect(await res.text()).toContain('<div id="app">');
    }
  });
});
