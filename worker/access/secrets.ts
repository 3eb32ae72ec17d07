// The room's two secrets and how they are kept: the host key (128 random bits, handed to the
// room's creator once; the room stores only its SHA-256) and the passcode (stored as PBKDF2-SHA256
// with a random salt). Both are compared in constant time. WebCrypto only, so that the same code
// runs in workerd and in Node's unit tests.

import { base64, base64url } from "../base64";
import type { CheckJoin, JoinChecked } from "../room/effects";

/**
 * PBKDF2 iterations for a passcode: exactly 100,000. Production Workers refuse more than 100,000
 * per deriveBits call, while `wrangler dev` and the test runtime do not, so a higher count would
 * pass every test and fail every passcode in production (cloudflare/workerd#1346). OWASP asks for
 * more; a short passcode's real protection is the room's lockout after five wrong tries.
 */
export const PBKDF2_ITERATIONS = 100_000;
const SALT_BYTES = 16;
const HASH_BITS = 256;
const SCHEME = "pbkdf2-sha256";

/** A host key: 16 random bytes, base64url (22 characters), as HOST_KEY in protocol/features/access.ts. */
export const newHostKey = (): string => base64url(crypto.getRandomValues(new Uint8Array(16)));

/** What the room stores of its host key: SHA-256, hex. */
export async function hashHostKey(key: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(key));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Whether `key` is the host key whose hash is `stored`. */
export async function isHostKey(key: string, stored: string): Promise<boolean> {
  return sameText(await hashHostKey(key), stored);
}

/** `pbkdf2-sha256$100000$<salt, base64>$<hash, base64>`, with a fresh random salt. */
export async function hashPasscode(passcode: string): Promise<string> {
  const salt = crypto.getRandomValues(new Uint8Array(SALT_BYTES));
  const hash = await derive(passcode, salt, PBKDF2_ITERATIONS);
  return `${SCHEME}$${PBKDF2_ITERATIONS}$${base64(salt)}$${base64(hash)}`;
}

/**
 * Whether `passcode` matches the stored record. A record this code cannot read, or one that asks
 * for more iterations than production allows, matches nothing (and costs nothing).
 */
export async function checkPasscode(passcode: string, record: string): Promise<boolean> {
  const parts = record.split("$");
  if (parts.length !== 4 || parts[0] !== SCHEME) return false;
  const iterations = Number(parts[1]);
  if (!Number.isSafeInteger(iterations) || iterations < 1 || iterations > PBKDF2_ITERATIONS) return false;
  const salt = fromBase64(parts[2]!);
  const expected = fromBase64(parts[3]!);
  if (!salt || !expected || expected.length !== HASH_BITS / 8) return false;
  return sameBytes(await derive(passcode, salt, iterations), expected);
}

async function derive(passcode: string, salt: Uint8Array<ArrayBuffer>, iterations: number): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(passcode.normalize("NFC")), "PBKDF2", false, ["deriveBits"]);
  const bits = await crypto.subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt, iterations }, key, HASH_BITS);
  return new Uint8Array(bits);
}

function fromBase64(text: string): Uint8Array<ArrayBuffer> | null {
  try {
    return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  } catch {
    return null;
  }
}

/**
 * Constant-time equality: every byte is looked at whatever the first difference, so that timing
 * tells nothing about how much of a guess was right. (workerd has crypto.subtle.timingSafeEqual;
 * Node's WebCrypto does not, and the unit tests run there.)
 */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

/** Constant-time equality of two strings of the same alphabet (hex digests, tokens). */
export function sameText(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/** What a join presented, checked as a `check-join` effect asks: the host key first, the passcode only without it. */
export async function verifyJoin(check: CheckJoin): Promise<JoinChecked> {
  const { hostKey, passcode } = check.join;
  const host = check.hostKey !== null && hostKey !== undefined && (await isHostKey(hostKey, check.hostKey));
  const right = !host && check.passcode !== null && passcode !== undefined && (await checkPasscode(passcode, check.passcode));
  return { host, passcode: right };
}
