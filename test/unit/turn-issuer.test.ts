import { describe, expect, it } from "vitest";
import type { IceConfig } from "../../protocol/protocol";
import { hmacSha1Base64, memberTag } from "../../worker/turn/coturn-credentials";
import { IceIssuer } from "../../worker/turn/ice-issuer";
import { iceSettings, type TurnVars } from "../../worker/turn/ice-settings";
import type { IssuedCredential, IssuedStore } from "../../worker/turn/issued-store";
import type { TurnLogEvent } from "../../worker/turn/turn-log";
import { CloudflareTurnStandIn } from "./turn-cloudflare-stand-in";

const ROOM = "AAAAAAAAAAAAAAAAAAAAAA";
const T0 = 1_700_000_000_000;

/** A clock the test moves by hand. */
function clock(start = T0) {
  let t = start;
  return { now: () => t, advance: (ms: number) => void (t += ms) };
}

const turnEntry = (ice: IceConfig) => ice.iceServers.find((s) => s.username !== undefined)!;

describe("IceIssuer with coturn", () => {
  const vars: TurnVars = { TURN_PROVIDER: "coturn", TURN_SECRET: "s", TURN_URLS: "turn:127.0.0.1:3478?transport=udp" };

  it("mints credentials that live 10 minutes by default", async () => {
    const c = clock();
    const ice = await new IceIssuer(iceSettings(vars), ROOM, c).issue("peer1");
    expect(ice.relay).toBe("available");
    expect(ice.expiresAt).toBe(T0 + 600_000);
    const { username, credential } = turnEntry(ice);
    expect(Number(username!.split(":")[0]) * 1000).toBe(ice.expiresAt);
    expect(credential).toBe(await hmacSha1Base64("s", username!));
  });

  it("names the member by an opaque tag: no room id, stable per member, different across members and rooms", async () => {
    const c = clock();
    const room = new IceIssuer(iceSettings(vars), ROOM, c);
    const tagOf = async (issuer: IceIssuer, peer: string) => turnEntry(await issuer.issue(peer)).username!.split(":")[1]!;
    const a1 = await tagOf(room, "peerA");
    c.advance(60_000);
    const a2 = await tagOf(room, "peerA");
    const b = await tagOf(room, "peerB");
    const elsewhere = await tagOf(new IceIssuer(iceSettings(vars), "BBBBBBBBBBBBBBBBBBBBBB", c), "peerA");
    expect(a1).toBe(a2);
    expect(a1).toBe(await memberTag("s", `${ROOM}/peerA`));
    expect(new Set([a1, b, elsewhere]).size).toBe(3);
    for (const tag of [a1, b, elsewhere]) {
      expect(tag).toMatch(/^[A-Za-z0-9_-]{16}$/);
      expect(tag).not.toContain(ROOM.slice(0, 8));
      expect(tag).not.toContain("peer");
    }
  });

  it("mints afresh on every request: coturn's are free, and a later expiry is what a refresh is for", async () => {
    const c = clock();
    const issuer = new IceIssuer(iceSettings(vars), ROOM, c);
    const first = await issuer.issue("peer1");
    c.advance(1000);
    const second = await issuer.issue("peer1");
    expect(second.expiresAt).toBe(first.expiresAt! + 1000);
    await issuer.release("peer1"); // nothing to revoke: resolves
  });

  it("never lets a clock skew lengthen a credential's life, but lets it shorten it", async () => {
    const c = clock();
    const positive = await new IceIssuer(iceSettings({ ...vars, TURN_CLOCK_SKEW_SECONDS: "86400" }), ROOM, c).issue("p");
    expect(positive.expiresAt).toBe(T0 + 600_000);
    // Even with settings built by hand, past iceSettings' clamp.
    const handMade = await new IceIssuer({ ...iceSettings(vars), clockSkewSeconds: 86_400 }, ROOM, c).issue("p");
    expect(handMade.expiresAt).toBe(T0 + 600_000);
    const negative = await new IceIssuer(iceSettings({ ...vars, TURN_CLOCK_SKEW_SECONDS: "-7200" }), ROOM, c).issue("p");
    expect(negative.expiresAt).toBe(T0 - 7_200_000 + 600_000);
  });

  it("keeps STUN-only and unavailable answers as they were", async () => {
    const c = clock();
    expect(await new IceIssuer(iceSettings({ STUN_URLS: "stun:s:3478" }), ROOM, c).issue("p")).toEqual({ iceServers: [{ urls: ["stun:s:3478"] }], expiresAt: null, relay: "none" });
    expect(await new IceIssuer(iceSettings({ TURN_PROVIDER: "coturn", TURN_URLS: "turn:x:3478" }), ROOM, c).issue("p")).toEqual({ iceServers: [], expiresAt: null, relay: "unavailable" });
  });
});

describe("IceIssuer with Cloudflare TURN (against the local stand-in)", () => {
  function setup(ttl?: string) {
    const c = clock();
    const api = new CloudflareTurnStandIn("key-1", "tok", c.now);
    const logged: TurnLogEvent[] = [];
    const vars: TurnVars = { TURN_PROVIDER: "cloudflare", CF_TURN_KEY_ID: "key-1", CF_TURN_API_TOKEN: "tok", CF_TURN_API_BASE: "https://cf.test", ...(ttl ? { TURN_TTL: ttl } : {}) };
    const settings = iceSettings(vars);
    // A short timeout, so that the tests of an API that never answers are quick.
    settings.cloudflare.timeoutMs = 200;
    const issuer = new IceIssuer(settings, ROOM, { now: c.now, fetch: api.fetch, log: (e) => logged.push(e) });
    return { c, api, issuer, logged, generated: () => api.calls("generate-ice-servers").length };
  }

  it("answers from the cache while the credentials are fresh: one API call for a join and repeated requests", async () => {
    const { c, issuer, generated } = setup();
    const join = await issuer.issue("peer1");
    expect(join.expiresAt).toBe(T0 + 600_000);
    for (let i = 0; i < 5; i++) {
      c.advance(30_000);
      expect(await issuer.issue("peer1")).toBe(join);
    }
    expect(generated()).toBe(1);
  });

  it("shares one mint between requests that arrive while it is under way", async () => {
    const { issuer, generated } = setup();
    const all = await Promise.all([issuer.issue("peer1"), issuer.issue("peer1"), issuer.issue("peer1")]);
    expect(new Set(all).size).toBe(1);
    expect(generated()).toBe(1);
  });

  it("mints anew once fewer than 5 minutes (or 20 % of the TTL) are left", async () => {
    const { c, issuer, generated } = setup();
    const first = await issuer.issue("peer1");
    c.advance(300_000 - 1); // 5 min + 1 ms left
    expect(await issuer.issue("peer1")).toBe(first);
    c.advance(1);
    expect(await issuer.issue("peer1")).toBe(first); // exactly 5 min left: still fresh
    c.advance(1);
    const second = await issuer.issue("peer1");
    expect(second).not.toBe(first);
    expect(turnEntry(second).username).not.toBe(turnEntry(first).username);
    expect(second.expiresAt).toBe(c.now() + 600_000);
    expect(generated()).toBe(2);

    // With a one-hour TTL, 20 % (12 min) is the larger margin.
    const long = setup("3600");
    const l1 = await long.issuer.issue("peer1");
    long.c.advance(48 * 60_000);
    expect(await long.issuer.issue("peer1")).toBe(l1);
    long.c.advance(1);
    expect(await long.issuer.issue("peer1")).not.toBe(l1);
  });

  it("gives each member their own credentials", async () => {
    const { issuer, generated } = setup();
    const a = await issuer.issue("peerA");
    const b = await issuer.issue("peerB");
    expect(turnEntry(a).username).not.toBe(turnEntry(b).username);
    expect(await issuer.issue("peerA")).toBe(a);
    expect(generated()).toBe(2);
  });

  it("revokes every live username of a member on release, with the key's token, and forgets them", async () => {
    const { c, api, issuer, generated, logged } = setup();
    const first = turnEntry(await issuer.issue("peerA")).username!;
    c.advance(400_000); // re-minted: the first still works, and live connections may use it
    const second = turnEntry(await issuer.issue("peerA")).username!;
    const other = turnEntry(await issuer.issue("peerB")).username!;
    await issuer.release("peerA");
    expect(api.calls("revoke")).toEqual([
      { url: `POST /v1/turn/keys/key-1/credentials/${first}/revoke`, auth: "Bearer tok", body: null },
      { url: `POST /v1/turn/keys/key-1/credentials/${second}/revoke`, auth: "Bearer tok", body: null },
    ]);
    expect([api.status(first), api.status(second), api.status(other)]).toEqual(["revoked", "revoked", "valid"]);
    expect(logged).toEqual([]);
    // Forgotten: nothing left to revoke, and a later request (a new member under that id) mints anew.
    await issuer.release("peerA");
    expect(api.calls("revoke")).toHaveLength(2);
    const again = await issuer.issue("peerA");
    expect(turnEntry(again).username).not.toBe(second);
    expect(generated()).toBe(4);
  });

  it("does not revoke what has already expired", async () => {
    const { c, api, issuer } = setup();
    await issuer.issue("peerA");
    c.advance(600_000);
    await issuer.release("peerA");
    expect(api.calls("revoke")).toEqual([]);
  });

  it("revokes a credential that was still being minted when the member left", async () => {
    const { api, issuer } = setup();
    const pending = issuer.issue("peerA");
    await issuer.release("peerA");
    const username = turnEntry(await pending).username!;
    expect(api.status(username)).toBe("revoked");
  });

  it.each(["500", "slow"] as const)("logs a failed revoke (%s) quietly, without secrets, and resolves", async (mode) => {
    const { api, issuer, logged } = setup();
    const username = turnEntry(await issuer.issue("peerA")).username!;
    api.revokeMode = mode;
    await expect(issuer.release("peerA")).resolves.toBeUndefined();
    expect(logged).toEqual([{
      event: "turn-revoke-failed",
      reason: mode === "500" ? "1 of 1 credentials: TURN API answered 500 to a revoke" : "1 of 1 credentials: TURN API did not answer within 200 ms",
    }]);
    const text = JSON.stringify(logged);
    for (const secret of ["tok", username, "cf-pass"]) expect(text).not.toContain(secret);
    expect(api.status(username)).toBe("valid");
  });

  it("release never rejects, even when the fetch itself throws", async () => {
    const c = clock();
    const logged: TurnLogEvent[] = [];
    const api = new CloudflareTurnStandIn("key-1", "tok", c.now);
    let broken = false;
    const flaky = ((input: RequestInfo | URL, init?: RequestInit) => (broken ? Promise.reject(new TypeError("network down")) : api.fetch(input, init))) as typeof fetch;
    const issuer = new IceIssuer(iceSettings({ TURN_PROVIDER: "cloudflare", CF_TURN_KEY_ID: "key-1", CF_TURN_API_TOKEN: "tok", CF_TURN_API_BASE: "https://cf.test" }), ROOM, { now: c.now, fetch: flaky, log: (e) => logged.push(e) });
    await issuer.issue("peerA");
    broken = true;
    await expect(issuer.release("peerA")).resolves.toBeUndefined();
    expect(logged).toEqual([{ event: "turn-revoke-failed", reason: "1 of 1 credentials: TURN API unreachable" }]);
  });

  it("falls back to the member's cached credentials while they work when the API fails, else to STUN only", async () => {
    const { c, api, issuer, logged } = setup();
    const cached = await issuer.issue("peerA");
    c.advance(400_000); // stale enough to re-mint
    api.generateMode = "500";
    expect(await issuer.issue("peerA")).toBe(cached);
    c.advance(200_000); // expired
    expect(await issuer.issue("peerA")).toEqual({ iceServers: [], expiresAt: null, relay: "unavailable" });
    expect(await issuer.issue("peerB")).toEqual({ iceServers: [], expiresAt: null, relay: "unavailable" });
    expect(logged.map((e) => e.event)).toEqual(["turn-unavailable", "turn-unavailable", "turn-unavailable"]);
    api.generateMode = "ok";
    expect((await issuer.issue("peerB")).relay).toBe("available");
  });
});

/** The store's contract over a plain array, as the room's SQLite keeps it. */
class MemoryIssuedStore implements IssuedStore {
  rows: Array<{ peer: string; username: string; expiresAt: number }> = [];

  add(peer: string, username: string, expiresAt: number): void {
    this.rows = [...this.rows.filter((r) => !(r.peer === peer && r.username === username)), { peer, username, expiresAt }];
  }

  take(peer: string, now: number): IssuedCredential[] {
    const mine = this.rows.filter((r) => r.peer === peer);
    this.rows = this.rows.filter((r) => r.peer !== peer);
    return mine.filter((r) => r.expiresAt > now).map(({ username, expiresAt }) => ({ username, expiresAt }));
  }

  prune(now: number): void {
    this.rows = this.rows.filter((r) => r.expiresAt > now);
  }
}

describe("IceIssuer with a store of issued usernames (a room that hibernates)", () => {
  const vars: TurnVars = { TURN_PROVIDER: "cloudflare", CF_TURN_KEY_ID: "key-1", CF_TURN_API_TOKEN: "tok", CF_TURN_API_BASE: "https://cf.test" };

  function setup() {
    const c = clock();
    const api = new CloudflareTurnStandIn("key-1", "tok", c.now);
    const store = new MemoryIssuedStore();
    const logged: TurnLogEvent[] = [];
    /** A room object: the first, or one woken after hibernation, with nothing in memory but the same storage. */
    const wake = (issued: IssuedStore = store) => new IceIssuer(iceSettings(vars), ROOM, { now: c.now, fetch: api.fetch, log: (e) => logged.push(e), issued });
    return { c, api, store, logged, wake };
  }

  it("revokes, from a woken room, the usernames a member was given before it slept, and forgets them", async () => {
    const { c, api, store, logged, wake } = setup();
    const before = wake();
    const a = turnEntry(await before.issue("peerA")).username!;
    const b = turnEntry(await before.issue("peerB")).username!;
    expect(store.rows.map((r) => [r.peer, r.username, r.expiresAt])).toEqual([["peerA", a, T0 + 600_000], ["peerB", b, T0 + 600_000]]);

    c.advance(180_000); // minutes later, long after the room hibernated
    const after = wake();
    await after.release("peerA");
    expect(api.calls("revoke").map((r) => r.url)).toEqual([`POST /v1/turn/keys/key-1/credentials/${a}/revoke`]);
    expect([api.status(a), api.status(b)]).toEqual(["revoked", "valid"]);
    expect(store.rows.map((r) => r.peer)).toEqual(["peerB"]);
    // Gone from the store: another wake has nothing left to revoke for this member.
    await wake().release("peerA");
    expect(api.calls("revoke")).toHaveLength(1);
    expect(logged).toEqual([]);
  });

  it("revokes both what it kept from before the sleep and what it minted since, each once", async () => {
    const { c, api, wake } = setup();
    const old = turnEntry(await wake().issue("peerA")).username!;
    c.advance(60_000);
    const after = wake();
    // The cache did not survive: the woken room mints anew, and the old username may still be in use.
    const fresh = turnEntry(await after.issue("peerA")).username!;
    expect(fresh).not.toBe(old);
    await after.release("peerA");
    expect(api.calls("revoke").map((r) => r.url).sort()).toEqual([old, fresh].map((u) => `POST /v1/turn/keys/key-1/credentials/${u}/revoke`).sort());
    expect([api.status(old), api.status(fresh)]).toEqual(["revoked", "revoked"]);
  });

  it("does not revoke what has expired, and drops it", async () => {
    const { c, api, store, wake } = setup();
    await wake().issue("peerA");
    c.advance(600_000);
    await wake().release("peerA");
    expect(api.calls("revoke")).toEqual([]);
    expect(store.rows).toEqual([]);
  });

  it("prunes expired rows of every member when it records a new one", async () => {
    const { c, store, wake } = setup();
    await wake().issue("peerA"); // peerA never leaves properly
    c.advance(600_000);
    const b = turnEntry(await wake().issue("peerB")).username!;
    expect(store.rows.map((r) => [r.peer, r.username])).toEqual([["peerB", b]]);
  });

  it("revokes a username still being minted when the member left, and leaves no row behind", async () => {
    const { api, store, wake } = setup();
    const issuer = wake();
    const pending = issuer.issue("peerA");
    await issuer.release("peerA");
    expect(api.status(turnEntry(await pending).username!)).toBe("revoked");
    expect(api.calls("revoke")).toHaveLength(1);
    expect(store.rows).toEqual([]);
  });

  it("keeps issuing and revoking from memory when the store fails, and logs it without secrets", async () => {
    const { api, logged, wake } = setup();
    const broken: IssuedStore = {
      add: () => { throw new Error("no such table: turn_issued"); },
      take: () => { throw new Error("disk I/O error"); },
      prune: () => {},
    };
    const issuer = wake(broken);
    const ice = await issuer.issue("peerA");
    expect(ice.relay).toBe("available");
    const username = turnEntry(ice).username!;
    await issuer.release("peerA");
    expect(api.status(username)).toBe("revoked");
    expect(logged.map((e) => e.event)).toEqual(["turn-store-failed", "turn-store-failed"]);
    expect(JSON.stringify(logged)).not.toContain(username);
  });

  it("stores nothing for coturn, whose credentials cannot be revoked", async () => {
    const c = clock();
    const store = new MemoryIssuedStore();
    const issuer = new IceIssuer(iceSettings({ TURN_PROVIDER: "coturn", TURN_SECRET: "s", TURN_URLS: "turn:127.0.0.1:3478" }), ROOM, { now: c.now, issued: store });
    await issuer.issue("peerA");
    await issuer.release("peerA");
    expect(store.rows).toEqual([]);
  });
});
