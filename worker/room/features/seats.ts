// What every way into the room ends with: credentials minted for a seat, or a refusal. Shared by
// the join's stages (join.ts), the checks at the door (gate.ts) and the lobby (lobby.ts).
//
// How many seats there are depends on the mode (features/stage.ts): a meeting has
// `config.capacity` of them, all for speakers; a stage has MAX_SPEAKERS speakers' seats, which
// only host-key holders take on joining (others are moved there by a host), and
// `config.stageViewers` viewers' seats for everyone else. Away members keep their seats.

import { CloseCode, MAX_SPEAKERS, type ErrorCode, type Seat } from "../../../protocol/protocol";
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

/** Members in each seat, away ones included (their seat waits for them). */
export function seatCounts(room: RoomState): { speakers: number; viewers: number } {
  let speakers = 0;
  for (const m of room.members.values()) if (m.seat === "speaker") speakers++;
  return { speakers, viewers: room.members.size - speakers };
}

/**
 * The seat a newcomer takes, or null when there is none for it. `host`: it presented the host
 * key, which on a stage puts it among the speakers while there is room there.
 */
export function seatFor(room: RoomState, host: boolean): Seat | null {
  if (room.mode.mode === "meeting") return room.members.size < room.config.capacity ? "speaker" : null;
  const { speakers, viewers } = seatCounts(room);
  if (host && speakers < MAX_SPEAKERS) return "speaker";
  return viewers < room.config.stageViewers ? "viewer" : null;
}

/** Seats left for newcomers without the host key (what an "admit all" may fill). */
export function vacancies(room: RoomState): number {
  if (room.mode.mode === "meeting") return room.config.capacity - room.members.size;
  return Math.max(0, room.config.stageViewers - seatCounts(room).viewers);
}

/** Most members the room takes in its mode (what the adapter sizes its waiting sockets by). */
export function capacityOf(room: RoomState): number {
  return room.mode.mode === "meeting" ? room.config.capacity : MAX_SPEAKERS + room.config.stageViewers;
}

/** Why there is no seat: the room is full, or, on a stage, its audience is. */
export function fullError(room: RoomState): { code: Extract<ErrorCode, "room-full" | "stage-full">; message: string; limit: number } {
  return room.mode.mode === "meeting"
    ? { code: "room-full", message: `the room is full (${room.config.capacity} people)`, limit: room.config.capacity }
    : { code: "stage-full", message: `this stage is full (${room.config.stageViewers} viewers)`, limit: room.config.stageViewers };
}

/** A joiner with no seat: told why, and closed (4409). */
export function roomFull(room: RoomState): Effect[] {
  const { code, message, limit } = fullError(room);
  return [error(code, message, limit), { kind: "close", code: CloseCode.RoomFull, reason: code === "room-full" ? "room full" : "stage full" }];
}
