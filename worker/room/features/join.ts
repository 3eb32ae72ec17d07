// Joining: a fresh seat, or the same seat back (resume) within the grace period, so that the
// others see no leave and no join. Staged, so that no credentials are minted for a joiner the
// room refuses, and so that a lobby can later wait between the stages:
//   decide (synchronous, here) → mint ICE for the decided id (the adapter) → admit (here) → welcome.

import { CloseCode, LIMITS, PROTOCOL_VERSION, type IceConfig, type PeerInfo } from "../../../protocol/protocol";
import { error, sendSelf, sendTo, type Effect, type JoinMessage } from "../effects";
import type { Handler } from "../handler";
import type { StoredMember } from "../ports";
import { info, type RoomState } from "../state";

/** Constant-time comparison, so that a token cannot be guessed a character at a time. */
function sameToken(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

const sameMedia = (a: PeerInfo["media"], b: PeerInfo["media"]) => a.mic === b.mic && a.cam === b.cam && a.screen === b.screen;

/** The member this join may take back: the one it names, if its token is right. */
function resumable(room: RoomState, msg: JoinMessage): StoredMember | null {
  const r = msg.resume;
  if (!r) return null;
  const m = room.members.get(r.id);
  return m && sameToken(m.token, r.token) ? m : null;
}

const alreadyJoined = (): Effect[] => [error("already-joined", "this socket has already joined")];

export const join: Handler<JoinMessage> = {
  who: "any",
  run: (room, from, msg) => (from !== null ? alreadyJoined() : decide(room, msg)),
};

/** Stage 1: whose seat this join takes. Stores nothing, and refuses before anything is minted. */
function decide(room: RoomState, msg: JoinMessage): Effect[] {
  const back = resumable(room, msg);
  if (back) return [{ kind: "mint-ice", peerId: back.id, then: "welcome", join: msg }];
  if (room.full) return roomFull(room);
  return [{ kind: "mint-ice", peerId: room.freshId(), then: "welcome", join: msg }];
}

/**
 * Stage 2: credentials were minted for `peerId`, and other frames may have run meanwhile. A twin
 * join frame on the same socket may have been admitted first; the member it resumes may have
 * expired (it then joins afresh, under the id its credentials name); the room may have filled
 * up; or the fresh id may have been taken (vanishingly unlikely), and the join is decided again.
 */
export function admit(room: RoomState, from: StoredMember | null, peerId: string, msg: JoinMessage, ice: IceConfig): Effect[] {
  if (from !== null) return alreadyJoined();
  const back = resumable(room, msg);
  if (back?.id === peerId) return resume(room, back, msg, ice);
  if (room.members.has(peerId)) return decide(room, msg);
  if (room.full) return roomFull(room);
  return enter(room, peerId, msg, ice);
}

function resume(room: RoomState, back: StoredMember, msg: JoinMessage, ice: IceConfig): Effect[] {
  const you: StoredMember = { ...back, name: msg.name, media: msg.media, awaySince: null };
  room.save(you);
  const effects: Effect[] = [];
  // Its old socket still looked alive (a frozen connection): this one takes over.
  if (back.awaySince === null) effects.push({ kind: "replace", peerId: you.id });
  effects.push({ kind: "bind", peerId: you.id }, welcome(room, you, msg, ice, true));
  const others = room.others(you.id);
  if (back.awaySince !== null) effects.push(sendTo(others, { type: "peer-presence", id: you.id, away: false }));
  if (!sameMedia(back.media, msg.media)) effects.push(sendTo(others, { type: "peer-media", id: you.id, media: msg.media }));
  return effects;
}

function enter(room: RoomState, peerId: string, msg: JoinMessage, ice: IceConfig): Effect[] {
  const { now, newToken } = room.deps;
  const you: StoredMember = { id: peerId, name: msg.name, media: msg.media, joined: now(), token: newToken(), role: "member", awaySince: null };
  const others = room.others(you.id);
  room.save(you);
  room.store.setEmptySince(null);
  return [{ kind: "bind", peerId }, welcome(room, you, msg, ice, false), sendTo(others, { type: "peer-joined", peer: info(you) })];
}

function roomFull(room: RoomState): Effect[] {
  return [
    error("room-full", `the room is full (${room.config.capacity} people)`),
    { kind: "close", code: CloseCode.RoomFull, reason: "room full" },
  ];
}

function welcome(room: RoomState, you: StoredMember, msg: JoinMessage, ice: IceConfig, resumed: boolean): Effect {
  const chat = msg.since === undefined ? room.log.tail(room.config.historyTail) : room.log.after(msg.since, LIMITS.historyPage);
  return sendSelf({
    type: "welcome",
    v: PROTOCOL_VERSION,
    you: info(you),
    peers: room.roster().filter((p) => p.id !== you.id),
    chat,
    lastSeq: room.log.lastSeq(),
    settings: room.settings(),
    ice,
    resumeToken: you.token,
    resumed,
  });
}
