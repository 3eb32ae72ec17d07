// The ICE configuration a room member gets: STUN always (if configured), plus short-lived TURN
// credentials from the configured provider, minted afresh on every call (IceIssuer adds caching
// and revocation on top). A failing provider degrades to STUN only and says so, instead of
// failing the join.

import type { IceConfig, IceServer } from "../../protocol/protocol";
import { cloudflareIceServers } from "./cloudflare-turn";
import { coturnCredential, memberTag } from "./coturn-credentials";
import { dropPort53, type IceSettings } from "./ice-settings";
import { consoleTurnLog, type TurnLog } from "./turn-log";

export interface IceDeps {
  now(): number;
  fetch?: typeof fetch;
  /** Where provider failures go (default: one console.warn line each). */
  log?: TurnLog;
}

export interface MintedIce {
  ice: IceConfig;
  /** The provider's name for the TURN credential when the provider can revoke it (Cloudflare), else null. */
  revocable: string | null;
}

/**
 * `memberId` is "<room>/<peer>". It never appears in a credential: coturn usernames carry its
 * keyed hash (memberTag), and Cloudflare names its credentials itself.
 */
export async function mintIce(settings: IceSettings, memberId: string, deps: IceDeps): Promise<MintedIce> {
  const stun: IceServer[] = settings.stunUrls.length ? [{ urls: settings.stunUrls }] : [];
  const unavailable: MintedIce = { ice: { iceServers: stun, expiresAt: null, relay: "unavailable" }, revocable: null };
  switch (settings.provider) {
    case "none":
      return { ice: { iceServers: stun, expiresAt: null, relay: "none" }, revocable: null };
    case "coturn": {
      if (!settings.secret || settings.turnUrls.length === 0) return unavailable;
      // Clamped again here, not only in iceSettings: a skew may shorten a credential, never lengthen it.
      const stampedAt = deps.now() / 1000 + Math.min(0, settings.clockSkewSeconds);
      const c = await coturnCredential(settings.secret, await memberTag(settings.secret, memberId), stampedAt, settings.ttlSeconds);
      return {
        ice: {
          iceServers: [...stun, { urls: settings.turnUrls, username: c.username, credential: c.credential }],
          expiresAt: c.expiresAt * 1000,
          relay: "available",
        },
        revocable: null,
      };
    }
    case "cloudflare": {
      const r = await cloudflareIceServers({ ...settings.cloudflare, ttlSeconds: settings.ttlSeconds, ...(deps.fetch ? { fetch: deps.fetch } : {}) });
      if (!r.ok) {
        (deps.log ?? consoleTurnLog)({ event: "turn-unavailable", reason: r.reason });
        return unavailable;
      }
      const iceServers = r.iceServers
        .map((s) => ({ ...s, urls: dropPort53(s.urls) }))
        .filter((s) => s.urls.length > 0);
      const hasTurn = iceServers.some((s) => s.urls.some((u) => u.startsWith("turn")));
      return {
        ice: {
          iceServers: [...stun, ...iceServers],
          expiresAt: hasTurn ? Math.floor(deps.now() + settings.ttlSeconds * 1000) : null,
          relay: hasTurn ? "available" : "unavailable",
        },
        revocable: r.username,
      };
    }
  }
}

/** Just the configuration, for callers that neither cache nor revoke. */
export async function iceConfigFor(settings: IceSettings, memberId: string, deps: IceDeps): Promise<IceConfig> {
  return (await mintIce(settings, memberId, deps)).ice;
}
