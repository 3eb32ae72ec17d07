// The safety code: a short hash over the room and the DTLS fingerprint of each end of a
// connection (or of every member of a mesh), one fingerprint per end (safety/fingerprints.ts).
// Both ends hash the same sorted list, so they show the same code; someone in the middle
// terminates DTLS with a certificate of its own, and each end then hashes a different list.
//
// 40 bits shown. That stops a relay that has not prepared for it; one that picks the certificates
// on both sides can search for a collision (a birthday search, about 2^20 certificates per side).

import { base32 } from "./base32";

const LABEL = "roomlink-sas-v2";
/** Characters shown: 8 base32 characters, 40 bits. */
export const CODE_CHARS = 8;

/**
 * The full base32 hash; `ends` holds one fingerprint per end ("sha-256 AB:…"), in any order. Not
 * de-duplicated: two ends that present the same certificate (two tabs of one browser) are two.
 */
export async function safetyHash(roomId: string, ends: readonly string[]): Promise<string> {
  // A fingerprint has no line break in it (fingerprints.ts): one line each, so no two lists of
  // ends hash the same text.
  const text = `${LABEL}\n${roomId}\n${[...ends].sort().join("\n")}`;
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return base32(new Uint8Array(digest));
}

/** The code as shown and compared: the hash's first CODE_CHARS characters. */
export async function safetyCode(roomId: string, ends: readonly string[]): Promise<string> {
  return (await safetyHash(roomId, ends)).slice(0, CODE_CHARS);
}

/** "ABCD EFGH": two groups of four, easier to read out and compare. */
export function groupCode(code: string): string {
  return `${code.slice(0, 4)} ${code.slice(4, 8)}`;
}

/**
 * The room's code over every member's fingerprint (ours and each peer's), or null when we are
 * not connected to everyone with a verifiable link (a peer's entry null): then nobody can vouch
 * for the links we lack, and the members' lists could differ without anyone in the middle.
 */
export async function roomCode(roomId: string, ours: string, peers: ReadonlyArray<string | null>): Promise<string | null> {
  if (ours === "" || peers.length === 0 || peers.some((fp) => fp === null || fp === "")) return null;
  return safetyCode(roomId, [ours, ...(peers as string[])]);
}
