// The SFU proxy's question to the room (durable/sfu-http.ts asks it before every call): whose
// media token is this, and may that member publish? A page proves membership with its member's
// media token (`welcome.mediaToken`, the capability its voice playback URLs carry too): random,
// never in a URL here, and void as soon as the member is gone, so the proxy serves members only
// and stops with the membership.

import { sameText } from "../../access/secrets";
import type { SfuCaller } from "../../realtime/sfu-proxy";
import type { RoomState } from "../state";

export function sfuCaller(room: RoomState, token: string | null): SfuCaller | null {
  if (token === null || token.length === 0) return null;
  const now = room.deps.now();
  let found: SfuCaller | null = null;
  // Every member is compared (in constant time), as for voice playback: the answer's timing says
  // nothing of whose token is close.
  for (const m of room.members.values()) {
    const present = m.awaySince === null || now - m.awaySince < room.config.graceMs;
    if (m.mediaToken !== null && sameText(m.mediaToken, token) && present) found = { id: m.id, mayPublish: m.seat === "speaker" };
  }
  return found;
}
