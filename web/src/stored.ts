// Small remembered preferences (name, language, recent rooms, relay-only, the call's layout) and keys. Storage can be blocked
// (privacy mode, sandboxed frames): then nothing is remembered and nothing breaks.

import { DEVICE_ID } from "../../protocol/protocol";
import { isLayoutChoice, type LayoutChoice } from "./ui/room/layout/choose-layout";
import { isCorner, type Corner } from "./ui/room/layout/corners";

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

// The call's layout as the person last picked it, and where they last put their self-view: a
// preference of this browser, for every room.

const LAYOUT_KEY = "roomlink.layout";
const PIP_CORNER_KEY = "roomlink.pipCorner";

export function storedLayout(): LayoutChoice {
  const known = readStored(LAYOUT_KEY);
  return isLayoutChoice(known) ? known : "auto";
}

export const storeLayout = (choice: LayoutChoice): void => writeStored(LAYOUT_KEY, choice);

export function storedPipCorner(): Corner {
  const known = readStored(PIP_CORNER_KEY);
  return isCorner(known) ? known : "bottom-right";
}

export const storePipCorner = (corner: Corner): void => writeStored(PIP_CORNER_KEY, corner);
