// Cloudflare's TURN key API: POST /v1/turn/keys/<key id>/credentials/generate-ice-servers with
// the key's bearer token and {ttl}; a 201 carries {iceServers: RTCIceServer[]} ready for the
// browser. Anything else, or no answer within the timeout, is a failure the caller falls back
// from.

import { parseIceServer, type IceServer } from "../../protocol/protocol";

export interface CloudflareTurnOptions {
  apiBase: string;
  keyId: string;
  token: string;
  ttlSeconds: number;
  timeoutMs: number;
  fetch?: typeof fetch;
}

export type CloudflareTurnResult = { ok: true; iceServers: IceServer[] } | { ok: false; reason: string };

/** The answer's `iceServers`, each narrowed by the protocol's own check (which also takes `urls` as one string). */
function iceServers(body: unknown): IceServer[] | null {
  if (typeof body !== "object" || body === null || !("iceServers" in body) || !Array.isArray(body.iceServers)) return null;
  const out: IceServer[] = [];
  for (const s of body.iceServers) {
    const server = parseIceServer(s);
    if (!server) return null;
    out.push(server);
  }
  return out;
}

export async function cloudflareIceServers(o: CloudflareTurnOptions): Promise<CloudflareTurnResult> {
  const doFetch = o.fetch ?? fetch;
  const url = `${o.apiBase}/v1/turn/keys/${encodeURIComponent(o.keyId)}/credentials/generate-ice-servers`;
  try {
    const res = await doFetch(url, {
      method: "POST",
      headers: { Authorization: `Bearer ${o.token}`, "Content-Type": "application/json" },
      body: JSON.stringify({ ttl: o.ttlSeconds }),
      signal: AbortSignal.timeout(o.timeoutMs),
    });
    if (res.status !== 201 && res.status !== 200) {
      await res.body?.cancel();
      return { ok: false, reason: `TURN API answered ${res.status}` };
    }
    const servers = iceServers(await res.json());
    return servers ? { ok: true, iceServers: servers } : { ok: false, reason: "TURN API answer had no iceServers" };
  } catch (e) {
    const timedOut = e instanceof Error && (e.name === "TimeoutError" || e.name === "AbortError");
    return { ok: false, reason: timedOut ? `TURN API did not answer within ${o.timeoutMs} ms` : "TURN API unreachable" };
  }
}
