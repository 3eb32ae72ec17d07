// The ICE configuration a room member gets: STUN always (if configured), plus short-lived TURN
// credentials from the configured provider. A failing provider degrades to STUN only and says
// so, instead of failing the join.

import type { IceConfig, IceServer } from "../../protocol/protocol";
import { cloudflareIceServers } from "./cloudflare-turn";
import { coturnCredential } from "./coturn-credentials";
import { dropPort53, type IceSettings } from "./ice-settings";

export interface IceDeps {
  now(): number;
  fetch?: typeof fetch;
}

/** `id` identifies the member in the credential (coturn logs show it): "<room>/<peer>". */
export async function iceConfigFor(settings: IceSettings, id: string, deps: IceDeps): Promise<IceConfig> {
  const stun: IceServer[] = settings.stunUrls.length ? [{ urls: settings.stunUrls }] : [];
  const nowSeconds = deps.now() / 1000;
  switch (settings.provider) {
    case "none":
      return { iceServers: stun, expiresAt: null, relay: "none" };
    case "coturn": {
      if (!settings.secret || settings.turnUrls.length === 0) return { iceServers: stun, expiresAt: null, relay: "unavailable" };
      const c = await coturnCredential(settings.secret, id, nowSeconds + settings.clockSkewSeconds, settings.ttlSeconds);
      return {
        iceServers: [...stun, { urls: settings.turnUrls, username: c.username, credential: c.credential }],
        expiresAt: c.expiresAt * 1000,
        relay: "available",
      };
    }
    case "cloudflare": {
      const r = await cloudflareIceServers({ ...settings.cloudflare, ttlSeconds: settings.ttlSeconds, ...(deps.fetch ? { fetch: deps.fetch } : {}) });
      if (!r.ok) {
        console.warn("TURN unavailable, STUN only:", r.reason);
        return { iceServers: stun, expiresAt: null, relay: "unavailable" };
      }
      const iceServers = r.iceServers
        .map((s) => ({ ...s, urls: dropPort53(s.urls) }))
        .filter((s) => s.urls.length > 0);
      const hasTurn = iceServers.some((s) => s.urls.some((u) => u.startsWith("turn")));
      return {
        iceServers: [...stun, ...iceServers],
        expiresAt: hasTurn ? Math.floor(deps.now() + settings.ttlSeconds * 1000) : null,
        relay: hasTurn ? "available" : "unavailable",
      };
    }
  }
}
