// One room's ICE credentials, member by member. The issuer lives as long as the room object:
// after hibernation a new one starts with an empty cache, and the next request simply mints anew.
//
// coturn credentials are an HMAC, free to mint and impossible to revoke (coturn checks them only
// when a relay is allocated): every request gets fresh ones, and their short life (TURN_TTL) is
// the revocation. Cloudflare's cost an API call each and can be revoked: each member's are
// cached for their life and handed out again while fresh, and every username a member was given
// is revoked when the member is gone. A room hibernates seconds after its last event, long
// before most members leave, so those usernames are also written to an IssuedStore (the room's
// SQLite) that outlives the object; without one, usernames minted before a hibernation live out
// their TTL.

import type { IceConfig } from "../../protocol/protocol";
import { revokeCloudflareCredential, type CloudflareTurnKey } from "./cloudflare-turn";
import { mintIce, type IceDeps } from "./ice-provider";
import type { IceSettings } from "./ice-settings";
import type { IssuedCredential, IssuedStore } from "./issued-store";
import { consoleTurnLog, type TurnLog } from "./turn-log";

/**
 * Cached credentials are handed out again only with at least this share of their life left, and
 * at least REISSUE_MIN_LEFT_MS: the web client asks for fresh ones before an ICE restart once
 * fewer than 5 minutes are left (FRESH_ENOUGH_MS in web/src/engine/features/ice.ts), and when 20 %
 * are left (its refresh at 80 %); answering either with the same credentials would only make it
 * ask again.
 */
export const REISSUE_MIN_LEFT_SHARE = 0.2;
export const REISSUE_MIN_LEFT_MS = 5 * 60_000;

interface MemberCredentials {
  /** The latest working credentials, handed out again while fresh. */
  current: IceConfig | null;
  /** Every credential this member was given that may still work: a refresh does not end the old ones, which live connections may still use. */
  issued: IssuedCredential[];
  /** A mint under way: requests meanwhile wait for it instead of paying for another. */
  minting: Promise<IceConfig> | null;
}

export interface IceIssuerDeps extends IceDeps {
  /** Keeps revocable usernames across hibernation and eviction; without it, they are kept in memory only. */
  issued?: IssuedStore;
}

export class IceIssuer {
  private readonly members = new Map<string, MemberCredentials>();
  private readonly log: TurnLog;
  private readonly cloudflareKey: CloudflareTurnKey;

  constructor(
    private readonly settings: IceSettings,
    private readonly roomId: string,
    private readonly deps: IceIssuerDeps,
  ) {
    this.log = deps.log ?? consoleTurnLog;
    this.cloudflareKey = { ...settings.cloudflare, ...(deps.fetch ? { fetch: deps.fetch } : {}) };
  }

  /**
   * Credentials for this member: from the cache while fresh, else minted (and cached). A failing
   * provider gives STUN only (relay "unavailable"), or the member's cached credentials while they
   * still work. Rejects only if WebCrypto itself fails.
   */
  issue(peerId: string): Promise<IceConfig> {
    if (this.settings.provider !== "cloudflare") return mintIce(this.settings, this.memberId(peerId), this.deps).then((m) => m.ice);
    let member = this.members.get(peerId);
    if (!member) this.members.set(peerId, (member = { current: null, issued: [], minting: null }));
    if (member.current && this.fresh(member.current)) return Promise.resolve(member.current);
    const m = member;
    return (m.minting ??= this.mintFor(peerId, m).finally(() => (m.minting = null)));
  }

  /**
   * The member is gone for good (left, expired, expelled): forgets its credentials and
   * revokes, once each, every unexpired one the provider can revoke: those this object gave out,
   * any being minted right now, and those the store kept from before a hibernation. Never
   * rejects; failures are logged, and those credentials live out their TTL.
   */
  async release(peerId: string): Promise<void> {
    if (this.settings.provider !== "cloudflare") return;
    const member = this.members.get(peerId);
    this.members.delete(peerId);
    try {
      // A failed mint gave nothing to revoke, and must not stop the revoking of the rest.
      if (member?.minting) await member.minting.catch(() => null);
      const now = this.deps.now();
      const usernames = new Set<string>();
      for (const c of [...(member?.issued ?? []), ...this.takeStored(peerId, now)]) if (c.expiresAt > now) usernames.add(c.username);
      if (member) {
        member.issued = [];
        member.current = null;
      }
      if (usernames.size === 0) return;
      const results = await Promise.all([...usernames].map((u) => revokeCloudflareCredential(this.cloudflareKey, u)));
      const failed = results.flatMap((r) => (r.ok ? [] : [r.reason]));
      if (failed.length) this.log({ event: "turn-revoke-failed", reason: `${failed.length} of ${usernames.size} credentials: ${failed[0]}` });
    } catch {
      this.log({ event: "turn-revoke-failed", reason: "unexpected error" });
    }
  }

  private async mintFor(peerId: string, member: MemberCredentials): Promise<IceConfig> {
    const { ice, revocable } = await mintIce(this.settings, this.memberId(peerId), this.deps);
    const now = this.deps.now();
    member.issued = member.issued.filter((c) => c.expiresAt > now);
    if (revocable) {
      const issued = { username: revocable, expiresAt: ice.expiresAt ?? now + this.settings.ttlSeconds * 1000 };
      member.issued.push(issued);
      this.store(peerId, issued, now);
    }
    if (ice.relay === "available") return (member.current = ice);
    // The provider failed: credentials it gave before are better than none while they work.
    if (member.current?.expiresAt != null && member.current.expiresAt > now) return member.current;
    return ice;
  }

  /**
   * Writes the username down for a release after hibernation. A store that fails (a table not yet
   * migrated, a full disk) must not cost the member their credentials: it is logged, and this
   * object still revokes the username while it lives.
   */
  private store(peerId: string, issued: IssuedCredential, now: number): void {
    const store = this.deps.issued;
    if (!store) return;
    try {
      store.prune(now);
      store.add(peerId, issued.username, issued.expiresAt);
    } catch {
      this.log({ event: "turn-store-failed", reason: "could not record a credential: it is revoked only while this room object lives" });
    }
  }

  private takeStored(peerId: string, now: number): IssuedCredential[] {
    try {
      return this.deps.issued?.take(peerId, now) ?? [];
    } catch {
      this.log({ event: "turn-store-failed", reason: "could not read the credentials to revoke" });
      return [];
    }
  }

  private fresh(ice: IceConfig): boolean {
    if (ice.expiresAt === null) return false;
    const minLeft = Math.max(REISSUE_MIN_LEFT_SHARE * this.settings.ttlSeconds * 1000, REISSUE_MIN_LEFT_MS);
    return ice.expiresAt - this.deps.now() >= minLeft;
  }

  /** What the credential is derived from (coturn's is a keyed hash of it, never the room id itself). */
  private memberId(peerId: string): string {
    return `${this.roomId}/${peerId}`;
  }
}
