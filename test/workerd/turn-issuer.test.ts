// The ICE issuer inside workerd: WebCrypto's HMAC-SHA-256 gives the same member tags as openssl,
// and the Cloudflare path (cache, revoke) works with the runtime's own Request, Response and
// AbortSignal, against the stand-in of Cloudflare's API as an injected fetch. And the usernames
// to revoke outlive the room object: kept in its SQLite, they are revoked by the next one.

import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { SqliteIssuedCredentials, TURN_ISSUED_DDL } from "../../worker/storage/turn-issued-sqlite";
import { memberTag } from "../../worker/turn/coturn-credentials";
import { IceIssuer } from "../../worker/turn/ice-issuer";
import { iceSettings } from "../../worker/turn/ice-settings";
import type { TurnLogEvent } from "../../worker/turn/turn-log";
import { CloudflareTurnStandIn } from "../unit/turn-cloudflare-stand-in";
import { createRoom, roomStub } from "./client";

const ROOM = "AAAAAAAAAAAAAAAAAAAAAA";

describe("IceIssuer in workerd", () => {
  it("derives member tags as openssl does", async () => {
    // echo -n "AAAAAAAAAAAAAAAAAAAAAA/peer12345678" | openssl dgst -sha256 -hmac workerd-test-secret -binary | head -c 12 | basenc --base64url
    expect(await memberTag("workerd-test-secret", `${ROOM}/peer12345678`)).toBe("_Poiie3ztmBN54Qt");
    const issuer = new IceIssuer(iceSettings({ TURN_PROVIDER: "coturn", TURN_SECRET: "workerd-test-secret", TURN_URLS: "turn:127.0.0.1:3478" }), ROOM, { now: Date.now });
    const ice = await issuer.issue("peer12345678");
    expect(ice.iceServers[0]!.username).toMatch(/^\d+:_Poiie3ztmBN54Qt$/);
  });

  it("caches Cloudflare credentials per member and revokes them on release", async () => {
    const api = new CloudflareTurnStandIn("key-1", "tok");
    const logged: TurnLogEvent[] = [];
    const settings = iceSettings({ TURN_PROVIDER: "cloudflare", CF_TURN_KEY_ID: "key-1", CF_TURN_API_TOKEN: "tok", CF_TURN_API_BASE: "https://cf.test" });
    const issuer = new IceIssuer(settings, ROOM, { now: Date.now, fetch: api.fetch, log: (e) => logged.push(e) });
    const [a, again, b] = [await issuer.issue("peerA"), await issuer.issue("peerA"), await issuer.issue("peerB")];
    expect(again).toBe(a);
    expect(api.calls("generate-ice-servers")).toHaveLength(2);
    const username = a.iceServers.find((s) => s.username)!.username!;
    await issuer.release("peerA");
    expect(api.calls("revoke")).toEqual([{ url: `POST /v1/turn/keys/key-1/credentials/${username}/revoke`, auth: "Bearer tok", body: null }]);
    expect(api.status(username)).toBe("revoked");
    expect(api.status(b.iceServers.find((s) => s.username)!.username!)).toBe("valid");
    expect(logged).toEqual([]);
  });

  it("gives up on a revoke the API does not answer, logs it, and resolves", async () => {
    const api = new CloudflareTurnStandIn("key-1", "tok");
    const logged: TurnLogEvent[] = [];
    const settings = iceSettings({ TURN_PROVIDER: "cloudflare", CF_TURN_KEY_ID: "key-1", CF_TURN_API_TOKEN: "tok", CF_TURN_API_BASE: "https://cf.test" });
    settings.cloudflare.timeoutMs = 200;
    const issuer = new IceIssuer(settings, ROOM, { now: Date.now, fetch: api.fetch, log: (e) => logged.push(e) });
    await issuer.issue("peerA");
    api.revokeMode = "slow";
    await expect(issuer.release("peerA")).resolves.toBeUndefined();
    expect(logged).toEqual([{ event: "turn-revoke-failed", reason: "1 of 1 credentials: TURN API did not answer within 200 ms" }]);
  });
});

describe("IceIssuer over the room's SQLite", () => {
  const settings = () => iceSettings({ TURN_PROVIDER: "cloudflare", CF_TURN_KEY_ID: "key-1", CF_TURN_API_TOKEN: "tok", CF_TURN_API_BASE: "https://cf.test" });

  /** A room's storage with the table, whether or not the schema's migrations create it yet. */
  async function roomWithTable() {
    const stub = roomStub(await createRoom());
    await runInDurableObject(stub, (_room, state) => void state.storage.sql.exec(TURN_ISSUED_DDL));
    return stub;
  }

  it("revokes, from the room object that replaced an evicted one, what the evicted one issued", async () => {
    const api = new CloudflareTurnStandIn("key-1", "tok");
    const logged: TurnLogEvent[] = [];
    const deps = (sql: SqlStorage) => ({ now: Date.now, fetch: api.fetch, log: (e: TurnLogEvent) => logged.push(e), issued: new SqliteIssuedCredentials(sql) });
    const stub = await roomWithTable();

    const [a, b] = await runInDurableObject(stub, async (_room, state) => {
      const issuer = new IceIssuer(settings(), ROOM, deps(state.storage.sql));
      return [await issuer.issue("peerA"), await issuer.issue("peerB")].map((ice) => ice.iceServers.find((s) => s.username)!.username!);
    });
    await evictDurableObject(stub);

    const left = await runInDurableObject(stub, async (_room, state) => {
      const issuer = new IceIssuer(settings(), ROOM, deps(state.storage.sql));
      await issuer.release("peerA");
      return state.storage.sql.exec<{ peer: string }>("SELECT peer FROM turn_issued ORDER BY peer").toArray().map((r) => r.peer);
    });
    expect(api.calls("revoke")).toEqual([{ url: `POST /v1/turn/keys/key-1/credentials/${a}/revoke`, auth: "Bearer tok", body: null }]);
    expect([api.status(a!), api.status(b!)]).toEqual(["revoked", "valid"]);
    expect(left).toEqual(["peerB"]);
    expect(logged).toEqual([]);
  });

  it("takes a member's unexpired rows and deletes all of theirs; prunes the expired of everyone", async () => {
    const stub = await roomWithTable();
    await runInDurableObject(stub, (_room, state) => {
      const sql = state.storage.sql;
      sql.exec(TURN_ISSUED_DDL); // again, as a migration may: harmless
      const store = new SqliteIssuedCredentials(sql);
      store.add("peerA", "u1", 1000);
      store.add("peerA", "u2", 3000);
      store.add("peerA", "u2", 4000); // the same username again: only its expiry changes
      store.add("peerB", "u3", 1000);
      store.add("peerB", "u4", 5000);
      expect(store.take("peerA", 2000)).toEqual([{ username: "u2", expiresAt: 4000 }]);
      expect(store.take("peerA", 2000)).toEqual([]);
      store.prune(1000);
      expect(sql.exec("SELECT peer, username, expires_at FROM turn_issued").toArray()).toEqual([{ peer: "peerB", username: "u4", expires_at: 5000 }]);
    });
  });
});
