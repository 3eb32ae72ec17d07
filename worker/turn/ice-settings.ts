// Which ICE servers the room hands to its members, read from the environment. Secrets
// (TURN_SECRET, CF_TURN_API_TOKEN) come only from `wrangler secret` or `.dev.vars`.

import { intVar, listVar, numberVar, oneOfVar } from "../env-vars";

const PROVIDERS = ["coturn", "cloudflare", "none"] as const;
export type TurnProvider = (typeof PROVIDERS)[number];

export interface TurnVars {
  /** coturn | cloudflare | none (default none: STUN only). */
  TURN_PROVIDER?: string;
  /** Comma-separated TURN URLs for coturn, e.g. "turn:turn.example.org:3478?transport=udp,turns:turn.example.org:443?transport=tcp". */
  TURN_URLS?: string;
  /** coturn's static-auth-secret (use-auth-secret). A secret. */
  TURN_SECRET?: string;
  /**
   * Credential lifetime in seconds (default 600, at most 3600). Members refresh theirs at 80 % of
   * it. On coturn, which cannot revoke, a member who is gone keeps working credentials for at
   * most this long; Cloudflare's are revoked when the member is gone.
   */
  TURN_TTL?: string;
  /** Comma-separated STUN URLs (default none: local development needs none). */
  STUN_URLS?: string;
  /** Cloudflare TURN key id and its API token (a secret). */
  CF_TURN_KEY_ID?: string;
  CF_TURN_API_TOKEN?: string;
  /** Where Cloudflare's TURN API lives (tests point it at a local stub). */
  CF_TURN_API_BASE?: string;
  /**
   * Shifts the clock used to stamp coturn credentials back by this many seconds. Only for tests
   * that need an already expired credential; never set it in production. Positive values count
   * as 0 (see iceSettings).
   */
  TURN_CLOCK_SKEW_SECONDS?: string;
}

export interface IceSettings {
  provider: TurnProvider;
  turnUrls: string[];
  stunUrls: string[];
  secret: string;
  ttlSeconds: number;
  cloudflare: { keyId: string; token: string; apiBase: string; timeoutMs: number };
  /** Never positive. */
  clockSkewSeconds: number;
}

export const DEFAULT_TTL_SECONDS = 600;
/**
 * Longer buys nothing: members refresh at 80 % of the lifetime anyway (one small frame), while a
 * departed member's relay access lasts as long as the credential.
 */
export const MAX_TTL_SECONDS = 3600;

/** Entries that are not STUN or TURN URLs are dropped: a browser would refuse the whole config. */
const iceUrls = (raw: string | undefined): string[] => listVar(raw).filter((s) => /^(stun|stuns|turn|turns):/.test(s));

export function iceSettings(env: TurnVars): IceSettings {
  return {
    provider: oneOfVar(env.TURN_PROVIDER, PROVIDERS, "none"),
    turnUrls: iceUrls(env.TURN_URLS),
    stunUrls: iceUrls(env.STUN_URLS),
    secret: env.TURN_SECRET ?? "",
    // A TTL past the cap is capped rather than ignored: whoever set it wanted long-lived credentials.
    ttlSeconds: Math.min(intVar(env.TURN_TTL, DEFAULT_TTL_SECONDS, 1, Number.MAX_SAFE_INTEGER), MAX_TTL_SECONDS),
    cloudflare: {
      keyId: env.CF_TURN_KEY_ID ?? "",
      token: env.CF_TURN_API_TOKEN ?? "",
      apiBase: (env.CF_TURN_API_BASE || "https://rtc.live.cloudflare.com").replace(/\/$/, ""),
      timeoutMs: 2500,
    },
    // Only ever shortens a credential's life: a positive skew would stamp credentials that outlive
    // TURN_TTL, and with it the membership they were issued for.
    clockSkewSeconds: Math.min(0, numberVar(env.TURN_CLOCK_SKEW_SECONDS, 0)),
  };
}

/**
 * Browsers refuse ICE servers on port 53 (Chromium blocks the DNS port for WebRTC), and a
 * refused URL only costs the client a timeout; Cloudflare's answer includes such URLs.
 */
export function dropPort53(urls: string[]): string[] {
  return urls.filter((u) => !/^[a-z]+:(\[[^\]]+\]|[^:?]+):53(\?|$)/i.test(u));
}
