// Which pages may open a room socket. Browsers always send Origin on a WebSocket handshake, so
// this stops other sites from joining rooms in a visitor's name. Non-browser clients can send any
// Origin they like; nothing here is meant to stop them (the room link is the capability).

import { listVar } from "./env-vars";

const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

export function parseAllowedOrigins(raw: string | undefined): Set<string> {
  const out = new Set<string>();
  for (const s of listVar(raw)) {
    try {
      out.add(new URL(s).origin);
    } catch {
      // An unparsable entry allows nothing; a typo must not open the door wider.
    }
  }
  return out;
}

/**
 * Allowed: no Origin (not a browser), the Worker's own origin, an origin in the allowlist, and,
 * only when the Worker itself is being reached on a loopback host (local development), any
 * loopback origin, so that `vite dev` on another port can talk to `wrangler dev`.
 */
export function isOriginAllowed(origin: string | null, requestUrl: URL, allowed: Set<string>): boolean {
  if (origin === null) return true;
  let o: URL;
  try {
    o = new URL(origin);
  } catch {
    return false;
  }
  if (o.origin === requestUrl.origin || allowed.has(o.origin)) return true;
  return LOOPBACK_HOSTS.has(requestUrl.hostname) && LOOPBACK_HOSTS.has(o.hostname);
}
