// Cloudflare Realtime TURN's key API ("Generate Credentials" in its documentation), with the
// key's bearer token:
//   POST /v1/turn/keys/<key id>/credentials/generate-ice-servers  {ttl}
//     → 201 {iceServers: RTCIceServer[]}, ready for the browser; the TURN entry's `username`
//       names the credential;
//   POST /v1/turn/keys/<key id>/credentials/<username>/revoke
//     → 204 No Content: the credential stops working before its TTL.
// Anything else, or no answer within the timeout, is a failure the caller falls back from.

import { parseIceServer, type IceServer } from "../../protocol/protocol";

export interface CloudflareTurnKey {
  apiBase: string;
  keyId: string;
  token: string;
  timeoutMs: number;
  fetch?: typeof fetch;
}

export interface CloudflareTurnOptions extends CloudflareTurnKey {
  ttlSeconds: number;
}

export type CloudflareTurnResult =
  /** `username`: the TURN entry's, which revoke takes; null if the answer had no TURN entry. */
  | { ok: true; iceServers: IceServer[]; username: string | null }
  | { ok: false; reason: string };

export type RevokeResult = { ok: true } | { ok: false; reason: string };

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

const isTurnUrl = (u: string) => u.startsWith("turn:") || u.startsWith("turns:");

function turnUsername(servers: IceServer[]): string | null {
  return servers.find((s) => s.username !== undefined && s.urls.some(isTurnUrl))?.username ?? null;
}

function keyUrl(o: CloudflareTurnKey, path: string): string {
  return `${o.apiBase}/v1/turn/keys/${encodeURIComponent(o.keyId)}/credentials/${path}`;
}

async function post(o: CloudflareTurnKey, url: string, body?: unknown): Promise<Response> {
  return (o.fetch ?? fetch)(url, {
    method: "POST",
    headers: { Authorization: `Bearer ${o.token}`, ...(body !== undefined ? { "Content-Type": "application/json" } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    signal: AbortSignal.timeout(o.timeoutMs),
  });
}

/** Why a call threw, without echoing anything the runtime put in the message (it may quote the URL). */
function failure(e: unknown, timeoutMs: number): { ok: false; reason: string } {
  const timedOut = e instanceof Error && (e.name === "TimeoutError" || e.name === "AbortError");
  return { ok: false, reason: timedOut ? `TURN API did not answer within ${timeoutMs} ms` : "TURN API unreachable" };
}

export async function cloudflareIceServers(o: CloudflareTurnOptions): Promise<CloudflareTurnResult> {
  try {
    const res = await post(o, keyUrl(o, "generate-ice-servers"), { ttl: o.ttlSeconds });
    if (res.status !== 201 && res.status !== 200) {
      await res.body?.cancel();
      return { ok: false, reason: `TURN API answered ${res.status}` };
    }
    const servers = iceServers(await res.json());
    return servers ? { ok: true, iceServers: servers, username: turnUsername(servers) } : { ok: false, reason: "TURN API answer had no iceServers" };
  } catch (e) {
    return failure(e, o.timeoutMs);
  }
}

/** Ends the credential named `username` before its TTL. Never rejects. */
export async function revokeCloudflareCredential(o: CloudflareTurnKey, username: string): Promise<RevokeResult> {
  try {
    // The username is the credential's public half; it goes in the path, as documented.
    const res = await post(o, keyUrl(o, `${encodeURIComponent(username)}/revoke`));
    await res.body?.cancel();
    return res.ok ? { ok: true } : { ok: false, reason: `TURN API answered ${res.status} to a revoke` };
  } catch (e) {
    return failure(e, o.timeoutMs);
  }
}
