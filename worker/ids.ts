// Identifiers. Room ids are capabilities (knowing the link is what lets you in), so they carry
// 128 random bits; peer ids only need to be unique within a room and unguessable enough that a
// stranger cannot address signals to a member without having been told the id.

import { ROOM_ID_PATTERN } from "../protocol/protocol";
import { base64url } from "./base64";

function randomId(bytes: number): string {
  return base64url(crypto.getRandomValues(new Uint8Array(bytes)));
}

/** 16 random bytes → 22 base64url characters. */
export const newRoomId = (): string => randomId(16);

/** 9 random bytes → 12 base64url characters. */
export const newPeerId = (): string => randomId(9);

export const isRoomId = (s: string): boolean => ROOM_ID_PATTERN.test(s);

/** 16 random bytes: the secret that lets a member take its seat back after a dropped socket. */
export const newResumeToken = (): string => randomId(16);

/** 16 random bytes: a voice recording's key, its one-time upload capability, a member's media token. */
export const newKey = (): string => randomId(16);
