// What every way into the room ends with: credentials minted for a seat, or a refusal. Shared by
// the join's stages (join.ts), the checks at the door (gate.ts) and the lobby (lobby.ts).

import { CloseCode } from "../../../protocol/protocol";
import { error, refuse, type Effect, type JoinMessage, type MintIce } from "../effects";
import type { Via } from "../ports";
import type { RoomState } from "../state";

export type WelcomeMint = Extract<MintIce, { then: "welcome" }>;

/** Mint credentials for `peerId`, then welcome the join: granted host (`host`) or admitted from the lobby (`knock`). */
export function mintSeat(peerId: string, join: JoinMessage, grant: { host?: boolean; knock?: string } = {}): WelcomeMint {
  return { kind: "mint-ice", peerId, then: "welcome", join, ...(grant.host ? { host: true } : {}), ...(grant.knock !== undefined ? { knock: grant.knock } : {}) };
}

export const alreadyJoined = (via: Via): Effect[] =>
  refuse("already-joined", via.knock !== null ? "this socket is already knocking" : "this socket has already joined");

export function roomFull(room: RoomState): Effect[] {
  return [
    error("room-full", `the room is full (${room.config.capacity} people)`),
    { kind: "close", code: CloseCode.RoomFull, reason: "room full" },
  ];
}
