// Small remembered preferences (name, language, recent rooms, relay-only) and keys. Storage can be blocked
// (privacy mode, sandboxed frames): then nothing is remembered and nothing breaks.

import { DEVICE_ID } from "../../protocol/protocol";

export function readStored(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

export function writeStored(key: string, value: string): void {
  try {
    localStorage.setItem(key, value);
  } catch {
    // Not remembered; the choice still holds for this page.
  }
}

// The host key of each room this browser created (or opened a host link of), and the browser's
// lobby id. Kept per room, never sent anywhere but that room's join.

const hostKeyName = (roomId: string) => `roomlink.hostKey.${roomId}`;

export const storedHostKey = (roomId: string): string | null => readStored(hostKeyName(roomId));

export const storeHostKey = (roomId: string, key: string): void => writeStored(hostKeyName(roomId), key);

const DEVICE_KEY = "roomlink.device";

/**
 * This browser's lobby id: random, made once and kept, so that a host's two denials block this
 * browser and not everyone behind the same address. Not an identity: clearing storage makes a
 * new one, and it says nothing about the person.
 */
export function deviceId(): string {
  const known = readStored(DEVICE_KEY);
  if (known && DEVICE_ID.test(known)) return known;
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  const id = btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  writeStored(DEVICE_KEY, id);
  return id;
}
