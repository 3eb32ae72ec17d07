// Credentials in coturn's TURN REST scheme (use-auth-secret; draft-uberti-behave-turn-rest):
// username = "<unix expiry>:<id>", credential = base64(HMAC-SHA1(static-auth-secret, username)).
// coturn recomputes the HMAC and refuses the username once its expiry has passed. It checks only
// when a relay is allocated, and it has no way to revoke a username: a short life is the
// revocation.

import { base64, base64url } from "../base64";

const enc = new TextEncoder();

async function hmac(hash: "SHA-1" | "SHA-256", secret: string, message: string): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey("raw", enc.encode(secret), { name: "HMAC", hash }, false, ["sign"]);
  return new Uint8Array(await crypto.subtle.sign("HMAC", key, enc.encode(message)));
}

export async function hmacSha1Base64(secret: string, message: string): Promise<string> {
  return base64(await hmac("SHA-1", secret, message));
}

/** 96 bits: no two members' tags collide in practice, and none can be guessed. */
const TAG_BYTES = 12;

/**
 * The opaque name a member's coturn usernames carry instead of "<room>/<peer>": base64url of
 * HMAC-SHA-256(secret, memberId), cut to 96 bits (16 characters, never a ":"). TURN usernames
 * travel in clear and land in coturn's logs, and a room id is the room's capability (whoever
 * knows it can join). The tag is stable per member, so the logs still tie one member's
 * allocations together, but without the secret it leads back to no room. An operator who has
 * the secret can recompute it:
 *   echo -n "<room>/<peer>" | openssl dgst -sha256 -hmac "$SECRET" -binary | head -c 12 | basenc --base64url
 */
export async function memberTag(secret: string, memberId: string): Promise<string> {
  return base64url((await hmac("SHA-256", secret, memberId)).subarray(0, TAG_BYTES));
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
