// Whether this deployment has Cloudflare Realtime (the SFU, issue #16), read from the
// environment. The secret (REALTIME_APP_SECRET) comes only from `wrangler secret put` or
// `.dev.vars`; without both the app id and the secret the SFU routes answer 501 and rooms stay on
// the mesh.

export interface RealtimeVars {
  /** The Realtime SFU application's id (dashboard → Realtime → SFU). */
  REALTIME_APP_ID?: string;
  /** Its secret, a bearer token for the API. A secret: `wrangler secret put REALTIME_APP_SECRET`. */
  REALTIME_APP_SECRET?: string;
  /** Where the API lives (default https://rtc.live.cloudflare.com/v1; tests point it at a local stand-in). */
  REALTIME_API_URL?: string;
}

export interface RealtimeSettings {
  /** The app's base URL: `<api>/apps/<app id>`, without a trailing slash. */
  appUrl: string;
  secret: string;
  /**
   * How long a call may take. Realtime holds a call up to 5 s while the session's connection
   * comes up (documentation, "PeerConnection requirements"); past that plus a network's worth of
   * slack, the page is told the SFU did not answer (504).
   */
  timeoutMs: number;
}

export const DEFAULT_REALTIME_API_URL = "https://rtc.live.cloudflare.com/v1";
export const REALTIME_TIMEOUT_MS = 8000;

/** The settings, or null when Realtime is not configured (either half of the credentials missing, or a base URL that is not http(s)). */
export function realtimeSettings(env: RealtimeVars): RealtimeSettings | null {
  const appId = env.REALTIME_APP_ID?.trim() ?? "";
  const secret = env.REALTIME_APP_SECRET?.trim() ?? "";
  if (appId === "" || secret === "") return null;
  const api = (env.REALTIME_API_URL?.trim() || DEFAULT_REALTIME_API_URL).replace(/\/+$/, "");
  if (!/^https?:\/\//.test(api)) return null;
  return { appUrl: `${api}/apps/${encodeURIComponent(appId)}`, secret, timeoutMs: REALTIME_TIMEOUT_MS };
}
