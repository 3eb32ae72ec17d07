import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cloudflareIceServers, revokeCloudflareCredential } from "../../worker/turn/cloudflare-turn";
import { coturnCredential, hmacSha1Base64, memberTag } from "../../worker/turn/coturn-credentials";
import { iceConfigFor } from "../../worker/turn/ice-provider";
import { dropPort53, iceSettings } from "../../worker/turn/ice-settings";
import type { TurnLogEvent } from "../../worker/turn/turn-log";
import { CloudflareTurnStandIn } from "./turn-cloudflare-stand-in";

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
      // echo -n "1600:pzGYZWWq0F9FFny3" | openssl dgst -sha1 -hmac s -binary | base64
      { urls: ["turn:127.0.0.1:3478?transport=udp", "turn:127.0.0.1:3478?transport=tcp"], username: "1600:pzGYZWWq0F9FFny3", credential: "orqH71QFA/8t9AFAMp45r1OSoPQ=" },
    ]);
  });
});

describe("member tags (what a coturn username says about its member)", () => {
  it("match vectors computed independently with openssl", async () => {
    // echo -n "<member>" | openssl dgst -sha256 -hmac "<secret>" -binary | head -c 12 | basenc --base64url
    expect(await memberTag("s", "r/p")).toBe("pzGYZWWq0F9FFny3");
    expect(await memberTag("s", "room/peer")).toBe("rfX7Rn4oiqANdyqU");
    expect(await memberTag("workerd-test-secret", "AAAAAAAAAAAAAAAAAAAAAA/peer12345678")).toBe("_Poiie3ztmBN54Qt");
  });

  it("are 16 URL-safe characters, never the room id, and depend on the secret", async () => {
    const tag = await memberTag("s", "AAAAAAAAAAAAAAAAAAAAAA/peer12345678");
    expect(tag).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect(tag).not.toContain("AAAA");
    expect(await memberTag("other", "AAAAAAAAAAAAAAAAAAAAAA/peer12345678")).not.toBe(tag);
  });
});

describe("ICE settings", () => {
  it("default to STUN only with a ten-minute TTL, and cap the TTL at one hour", () => {
    expect(iceSettings({})).toMatchObject({ provider: "none", ttlSeconds: 600, turnUrls: [], stunUrls: [], clockSkewSeconds: 0 });
    expect(iceSettings({ TURN_TTL: "999999" }).ttlSeconds).toBe(3600);
    expect(iceSettings({ TURN_TTL: "3600" }).ttlSeconds).toBe(3600);
    expect(iceSettings({ TURN_TTL: "-5" }).ttlSeconds).toBe(600);
    expect(iceSettings({ TURN_PROVIDER: "other" }).provider).toBe("none");
  });

  it("take a clock skew that shortens credentials, never one that lengthens them", () => {
    expect(iceSettings({ TURN_CLOCK_SKEW_SECONDS: "-7200" }).clockSkewSeconds).toBe(-7200);
    expect(iceSettings({ TURN_CLOCK_SKEW_SECONDS: "7200" }).clockSkewSeconds).toBe(0);
    expect(iceSettings({ TURN_CLOCK_SKEW_SECONDS: "soon" }).clockSkewSeconds).toBe(0);
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

// The shared stand-in for Cloudflare's TURN key API (its contract is in turn-cloudflare-stand-in.ts),
// behind a real HTTP server, so that the requests go through the runtime's own fetch and timeout.
describe("Cloudflare TURN provider against a local stand-in of the API", () => {
  let server: Server;
  let base: string;
  const api = new CloudflareTurnStandIn("key-1", "tok");

  beforeAll(async () => {
    server = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const headers: Record<string, string> = {};
      for (const h of ["authorization", "content-type"]) if (typeof req.headers[h] === "string") headers[h] = req.headers[h];
      const body = chunks.length ? Buffer.concat(chunks) : null;
      const answer = await api.handle(new Request(`http://stand-in${req.url}`, { method: req.method!, headers, body }));
      res.writeHead(answer.status, Object.fromEntries(answer.headers)).end(Buffer.from(await answer.arrayBuffer()));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }));

  const settings = () => iceSettings({ TURN_PROVIDER: "cloudflare", CF_TURN_KEY_ID: "key-1", CF_TURN_API_TOKEN: "tok", CF_TURN_API_BASE: base, TURN_TTL: "900", STUN_URLS: "stun:stun.example:3478" });
  const quiet = { log: (_: TurnLogEvent) => {} };

  it("asks with the key, the bearer token and the TTL, and drops port-53 URLs from the answer", async () => {
    api.generateMode = "ok";
    const ice = await iceConfigFor(settings(), "r/p", { now: () => 5_000 });
    const sent = api.seen.at(-1)!;
    expect(sent).toEqual({ url: "POST /v1/turn/keys/key-1/credentials/generate-ice-servers", auth: "Bearer tok", body: { ttl: 900 } });
    const n = api.calls("generate-ice-servers").length;
    expect(ice.relay).toBe("available");
    expect(ice.expiresAt).toBe(5_000 + 900_000);
    expect(ice.iceServers).toEqual([
      { urls: ["stun:stun.example:3478"] },
      { urls: ["stun:stun.cloudflare.com:3478"] },
      {
        urls: ["turn:turn.cloudflare.com:3478?transport=udp", "turn:turn.cloudflare.com:3478?transport=tcp", "turns:turn.cloudflare.com:5349?transport=tcp", "turns:turn.cloudflare.com:443?transport=tcp"],
        username: `cf-user-${n}`, credential: `cf-pass-${n}`,
      },
    ]);
  });

  it.each(["401", "500", "garbage"] as const)("falls back to STUN only and flags TURN unavailable on a %s answer", async (m) => {
    api.generateMode = m;
    const logged: TurnLogEvent[] = [];
    const ice = await iceConfigFor(settings(), "r/p", { now: Date.now, log: (e) => logged.push(e) });
    expect(ice).toEqual({ iceServers: [{ urls: ["stun:stun.example:3478"] }], expiresAt: null, relay: "unavailable" });
    expect(logged).toEqual([{ event: "turn-unavailable", reason: expect.stringMatching(/^TURN API answer/) }]);
    expect(JSON.stringify(logged)).not.toContain("tok");
  });

  it("gives up after its timeout and falls back", async () => {
    api.generateMode = "slow";
    const started = Date.now();
    const r = await cloudflareIceServers({ ...settings().cloudflare, timeoutMs: 300, ttlSeconds: 60 });
    expect(r).toEqual({ ok: false, reason: "TURN API did not answer within 300 ms" });
    expect(Date.now() - started).toBeLessThan(2000);
    const ice = await iceConfigFor({ ...settings(), cloudflare: { ...settings().cloudflare, timeoutMs: 300 } }, "r/p", { now: Date.now, ...quiet });
    expect(ice.relay).toBe("unavailable");
  });

  it("revokes a credential by its username: POST …/credentials/<username>/revoke with the bearer token, 204", async () => {
    api.generateMode = "ok";
    api.revokeMode = "ok";
    const minted = await cloudflareIceServers({ ...settings().cloudflare, ttlSeconds: 60 });
    expect(minted.ok).toBe(true);
    const username = minted.ok ? minted.username! : "";
    expect(api.status(username)).toBe("valid");
    expect(await revokeCloudflareCredential(settings().cloudflare, username)).toEqual({ ok: true });
    expect(api.seen.at(-1)).toEqual({ url: `POST /v1/turn/keys/key-1/credentials/${username}/revoke`, auth: "Bearer tok", body: null });
    expect(api.status(username)).toBe("revoked");
  });

  it("reports a revoke the API refuses or does not answer, without throwing", async () => {
    expect(await revokeCloudflareCredential(settings().cloudflare, "never-issued")).toEqual({ ok: false, reason: "TURN API answered 404 to a revoke" });
    expect(await revokeCloudflareCredential({ ...settings().cloudflare, token: "wrong" }, "cf-user-1")).toEqual({ ok: false, reason: "TURN API answered 401 to a revoke" });
    api.revokeMode = "slow";
    expect(await revokeCloudflareCredential({ ...settings().cloudflare, timeoutMs: 300 }, "cf-user-1")).toEqual({ ok: false, reason: "TURN API did not answer within 300 ms" });
    api.revokeMode = "ok";
    expect(await revokeCloudflareCredential({ ...settings().cloudflare, apiBase: "http://127.0.0.1:9" }, "cf-user-1")).toEqual({ ok: false, reason: "TURN API unreachable" });
  });
});
