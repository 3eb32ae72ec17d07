import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cloudflareIceServers } from "../../worker/turn/cloudflare-turn";
import { coturnCredential, hmacSha1Base64 } from "../../worker/turn/coturn-credentials";
import { iceConfigFor } from "../../worker/turn/ice-provider";
import { dropPort53, iceSettings } from "../../worker/turn/ice-settings";

describe("coturn credentials (TURN REST scheme)", () => {
  it("match a vector computed independently with openssl", async () => {
    // echo -n "1700000000:AAAAAAAAAAAAAAAAAAAAAA/peer12345678" | openssl dgst -sha1 -hmac "test-secret" -binary | base64
    expect(await hmacSha1Base64("test-secret", "1700000000:AAAAAAAAAAAAAAAAAAAAAA/peer12345678")).toBe("b1sCsCYb1RA0pyrdxyrJotu9ov8=");
    const c = await coturnCredential("test-secret", "AAAAAAAAAAAAAAAAAAAAAA/peer12345678", 1_699_996_400, 3600);
    expect(c).toEqual({ username: "1700000000:AAAAAAAAAAAAAAAAAAAAAA/peer12345678", credential: "b1sCsCYb1RA0pyrdxyrJotu9ov8=", expiresAt: 1_700_000_000 });
  });

  it("expire TTL seconds from now, and refuse an id with the scheme's separator", async () => {
    const now = Date.now() / 1000;
    const c = await coturnCredential("s", "room/peer", now, 3600);
    expect(c.expiresAt).toBe(Math.floor(now) + 3600);
    expect(Number(c.username.split(":")[0])).toBe(c.expiresAt);
    await expect(coturnCredential("s", "a:b", now, 60)).rejects.toThrow(/must not contain/);
  });

  it("come with the configured TURN URLs and an expiry in ms", async () => {
    const settings = iceSettings({ TURN_PROVIDER: "coturn", TURN_SECRET: "s", TURN_URLS: "turn:127.0.0.1:3478?transport=udp, turn:127.0.0.1:3478?transport=tcp, bogus", STUN_URLS: "stun:127.0.0.1:3478", TURN_TTL: "600" });
    const ice = await iceConfigFor(settings, "r/p", { now: () => 1_000_000 });
    expect(ice.relay).toBe("available");
    expect(ice.expiresAt).toBe((1000 + 600) * 1000);
    expect(ice.iceServers).toEqual([
      { urls: ["stun:127.0.0.1:3478"] },
      { urls: ["turn:127.0.0.1:3478?transport=udp", "turn:127.0.0.1:3478?transport=tcp"], username: "1600:r/p", credential: expect.any(String) },
    ]);
  });
});

describe("ICE settings", () => {
  it("default to STUN only with a one-hour TTL, and cap the TTL at 48 hours", () => {
    expect(iceSettings({})).toMatchObject({ provider: "none", ttlSeconds: 3600, turnUrls: [], stunUrls: [] });
    expect(iceSettings({ TURN_TTL: "999999" }).ttlSeconds).toBe(172_800);
    expect(iceSettings({ TURN_TTL: "-5" }).ttlSeconds).toBe(3600);
    expect(iceSettings({ TURN_PROVIDER: "other" }).provider).toBe("none");
  });

  it("call a provider without its secret unavailable rather than minting useless credentials", async () => {
    const ice = await iceConfigFor(iceSettings({ TURN_PROVIDER: "coturn", TURN_URLS: "turn:x:3478" }), "r/p", { now: Date.now });
    expect(ice).toEqual({ iceServers: [], expiresAt: null, relay: "unavailable" });
  });

  it("drops port-53 URLs, which browsers refuse", () => {
    expect(dropPort53([
      "stun:stun.cloudflare.com:3478", "stun:stun.cloudflare.com:53", "turn:turn.cloudflare.com:53?transport=udp",
      "turns:turn.cloudflare.com:443?transport=tcp", "turn:[2001:db8::1]:53?transport=udp", "turn:host:5353",
    ])).toEqual(["stun:stun.cloudflare.com:3478", "turns:turn.cloudflare.com:443?transport=tcp", "turn:host:5353"]);
  });
});

// A local stand-in for Cloudflare's TURN key API, honouring its documented contract:
// POST /v1/turn/keys/<id>/credentials/generate-ice-servers, Bearer token, {ttl} → 201 {iceServers}.
describe("Cloudflare TURN provider against a local stub of the API", () => {
  let server: Server;
  let base: string;
  let mode: "ok" | "401" | "500" | "slow" | "garbage" = "ok";
  const seen: Array<{ url: string; auth: string | undefined; body: unknown }> = [];

  beforeAll(async () => {
    server = createServer((req: IncomingMessage, res: ServerResponse) => {
      let raw = "";
      req.on("data", (c) => (raw += c));
      req.on("end", () => {
        seen.push({ url: `${req.method} ${req.url}`, auth: req.headers.authorization, body: JSON.parse(raw || "null") });
        if (mode === "slow") return; // never answers: the provider's timeout must fire
        if (mode === "401") return void res.writeHead(401, { "content-type": "application/json" }).end('{"error":"bad token"}');
        if (mode === "500") return void res.writeHead(500).end("oops");
        if (mode === "garbage") return void res.writeHead(201, { "content-type": "application/json" }).end('{"iceServers": "nope"}');
        res.writeHead(201, { "content-type": "application/json" }).end(JSON.stringify({
          iceServers: [
            { urls: ["stun:stun.cloudflare.com:3478", "stun:stun.cloudflare.com:53"] },
            {
              urls: [
                "turn:turn.cloudflare.com:3478?transport=udp", "turn:turn.cloudflare.com:53?transport=udp",
                "turn:turn.cloudflare.com:3478?transport=tcp", "turns:turn.cloudflare.com:5349?transport=tcp",
                "turns:turn.cloudflare.com:443?transport=tcp",
              ],
              username: "cf-user", credential: "cf-pass",
            },
          ],
        }));
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }));

  const settings = () => iceSettings({ TURN_PROVIDER: "cloudflare", CF_TURN_KEY_ID: "key-1", CF_TURN_API_TOKEN: "tok", CF_TURN_API_BASE: base, TURN_TTL: "900", STUN_URLS: "stun:stun.example:3478" });

  it("asks with the key, the bearer token and the TTL, and drops port-53 URLs from the answer", async () => {
    mode = "ok";
    const ice = await iceConfigFor(settings(), "r/p", { now: () => 5_000 });
    expect(seen.at(-1)).toEqual({ url: "POST /v1/turn/keys/key-1/credentials/generate-ice-servers", auth: "Bearer tok", body: { ttl: 900 } });
    expect(ice.relay).toBe("available");
    expect(ice.expiresAt).toBe(5_000 + 900_000);
    expect(ice.iceServers).toEqual([
      { urls: ["stun:stun.example:3478"] },
      { urls: ["stun:stun.cloudflare.com:3478"] },
      {
        urls: ["turn:turn.cloudflare.com:3478?transport=udp", "turn:turn.cloudflare.com:3478?transport=tcp", "turns:turn.cloudflare.com:5349?transport=tcp", "turns:turn.cloudflare.com:443?transport=tcp"],
        username: "cf-user", credential: "cf-pass",
      },
    ]);
  });

  it.each(["401", "500", "garbage"] as const)("falls back to STUN only and flags TURN unavailable on a %s answer", async (m) => {
    mode = m;
    const ice = await iceConfigFor(settings(), "r/p", { now: Date.now });
    expect(ice).toEqual({ iceServers: [{ urls: ["stun:stun.example:3478"] }], expiresAt: null, relay: "unavailable" });
  });

  it("gives up after its timeout and falls back", async () => {
    mode = "slow";
    const started = Date.now();
    const r = await cloudflareIceServers({ ...settings().cloudflare, timeoutMs: 300, ttlSeconds: 60 });
    expect(r).toEqual({ ok: false, reason: "TURN API did not answer within 300 ms" });
    expect(Date.now() - started).toBeLessThan(2000);
    const ice = await iceConfigFor({ ...settings(), cloudflare: { ...settings().cloudflare, timeoutMs: 300 } }, "r/p", { now: Date.now });
    expect(ice.relay).toBe("unavailable");
  });
});
