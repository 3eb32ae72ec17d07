// The safety code: a short hash over the room and the DTLS fingerprints on both ends of a
// connection (or of everyone in a mesh). Both ends hash the same sorted set, so they show the
// same code; someone in the middle terminates DTLS with a certificate of its own, and each end
// then hashes a different set. 40 bits shown: a relay that tries certificates until the codes
// collide needs about 2^40 of them, within one call.

import { base32 } from "./base32";

const LABEL = "roomlink-sas-v1";
/** Characters shown: 8 base32 characters, 40 bits. */
export const CODE_CHARS = 8;

/** The full base32 hash; `fingerprints` in any order (duplicates count once). */
export async function safetyHash(roomId: string, fingerprints: readonly string[]): Promise<string> {
  const sorted = [...new Set(fingerprints)].sort();
  const text = `${LABEL}\n${roomId}\n${sorted.join("\n")}`;
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return base32(new Uint8Array(digest));
}

/** The code as shown and compared: the hash's first CODE_CHARS characters. */
export async function safetyCode(roomId: string, fingerprints: readonly string[]): Promise<string> {
  return (await safetyHash(roomId, fingerprints)).slice(0, CODE_CHARS);
}

/** "ABCD EFGH": two groups of four, easier to read out and compare. */
export function groupCode(code: string): string {
  return `${code.slice(0, 4)} ${code.slice(4, 8)}`;
}

/**
 * The room's code over every member's fingerprints (ours and each peer's), or null when we are
 * not connected to everyone: then nobody can vouch for the links we lack, and the members' sets
 * could differ without anyone in the middle.
 */
export async function roomCode(roomId: string, ours: readonly string[], peers: ReadonlyArray<readonly string[] | null>): Promise<string | null> {
  if (ours.length === 0 || peers.length === 0 || peers.some((fps) => fps === null || fps.length === 0)) return null;
  return safetyCode(roomId, [...ours, ...peers.flatMap((fps) => fps!)]);
}
