// Credentials in coturn's TURN REST scheme (use-auth-secret; draft-uberti-behave-turn-rest):
// username = "<unix expiry>:<id>", credential = base64(HMAC-SHA1(static-auth-secret, username)).
// coturn recomputes the HMAC and refuses the username once its expiry has passed.

import { base64 } from "../base64";

export async function hmacSha1Base64(secret: string, message: string): Promise<string> {
  const enc = new TextEncoder();
  const key = await crypto.subtle.importKey("raw", enc.encode(secret), { name: "HMAC", hash: "SHA-1" }, false, ["sign"]);
  return base64(new Uint8Array(await crypto.subtle.sign("HMAC", key, enc.encode(message))));
}

export interface TurnCredential {
  username: string;
  credential: string;
  /** Unix seconds. */
  expiresAt: number;
}

/** `id` names who the credential is for; it must not contain ":" (the scheme's separator). */
export async function coturnCredential(secret: string, id: string, nowSeconds: number, ttlSeconds: number): Promise<TurnCredential> {
  if (id.includes(":")) throw new Error("a TURN REST id must not contain ':'");
  const expiresAt = Math.floor(nowSeconds) + ttlSeconds;
  const username = `${expiresAt}:${id}`;
  return { username, credential: await hmacSha1Base64(secret, username), expiresAt };
}
