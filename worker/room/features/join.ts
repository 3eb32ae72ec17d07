// Joining: a fresh seat, or the same seat back (resume) within the grace period, so that the
// others see no leave and no join. Staged, so that no credentials are minted for a joiner the
// room refuses, and so that a lobby can later wait between the stages:
//   decide (synchronous, here) → mint ICE for the decided id (the adapter) → admit (here) → welcome.

import { CloseCode, PROTOCOL_VERSION, type IceConfig, type PeerInfo } from "../../../protocol/protocol";
import { error, refuse, sendSelf, sendTo, type Effect, type JoinMessage } from "../effects";
import type { Handler } from "../handler";
import type { StoredMember } from "../ports";
import { info, type RoomState } from "../state";
import { chatTail } from "./chat";

/** Constant-time comparison, so that a token cannot be guessed a character at a time. */
function sameToken(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

const sameMedia = (a: PeerInfo["media"], b: PeerInfo["media"]) => a.mic === b.mic && a.cam === b.cam && a.screen === b.screen;

/**
 * The member this join may take back: the one it names, if its token is right: the current one,
 * or the one before while the member has not confirmed the current one (its welcome may have
 * been lost with its socket).
 */
function resumable(room: RoomState, msg: JoinMessage): StoredMember | null {
  const r = msg.resume;
  if (!r) return null;
  const m = room.members.get(r.id);
  if (!m) return null;
  if (sameToken(m.token, r.token)) return m;
  // The previous token, until the client confirms the new one with its first frame (the web app
  // sends one as soon as it has the welcome). The socket that got the new token may still look
  // alive to the room (a frozen connection), so "away" cannot be required here.
  return m.prevToken !== null && sameToken(m.prevToken, r.token) ? m : null;
}

const alreadyJoined = (): Effect[] => refuse("already-joined", "this socket has already joined");

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
  // A twin join: the credentials minted for it are nobody's (unless they name a member).
  if (from !== null) return room.members.has(peerId) ? alreadyJoined() : [{ kind: "release-ice", peerId }, ...alreadyJoined()];
  const back = resumable(room, msg);
  if (back?.id === peerId) return resume(room, back, msg, ice);
  // Not released here: the credentials are filed under the id, which is now another member's.
  if (room.members.has(peerId)) return decide(room, msg);
  // The credentials minted for a join that ends here are nobody's: they end at once.
  if (room.full) return [{ kind: "release-ice", peerId }, ...roomFull(room)];
  return enter(room, peerId, msg, ice);
}

function resume(room: RoomState, back: StoredMember, msg: JoinMessage, ice: IceConfig): Effect[] {
  // A new token on every resume, so that a stolen one is spent by its first use, and the thief and
  // the owner cannot knock each other off the seat in turn. The token the client presented stays
  // good until the client shows it got the new one (see StoredMember.prevToken).
  const presented = msg.resume?.token ?? null;
  const you: StoredMember = { ...back, name: msg.name, media: msg.media, token: room.deps.newToken(), prevToken: presented, awaySince: null };
  room.save(you);
  const effects: Effect[] = [];
  // Its old socket still looked alive (a frozen connection): this one takes over.
  if (back.awaySince === null) effects.push({ kind: "replace", peerId: you.id });
  effects.push({ kind: "bind", peerId: you.id }, welcome(room, you, msg, ice, true));
  const others = room.others(you.id);
  if (back.awaySince !== null) effects.push(sendTo(others, { type: "peer-presence", id: you.id, away: false }));
  if (!sameMedia(back.media, msg.media)) effects.push(sendTo(others, { type: "peer-media", id: you.id, media: msg.media }));
  if (back.name !== msg.name) effects.push(sendTo(others, { type: "peer-renamed", id: you.id, name: msg.name }));
  return effects;
}

function enter(room: RoomState, peerId: string, msg: JoinMessage, ice: IceConfig): Effect[] {
  const { now, newToken } = room.deps;
  const you: StoredMember = { id: peerId, name: msg.name, media: msg.media, joined: now(), token: newToken(), prevToken: null, role: "member", awaySince: null };
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
  const chat = chatTail(room, you.id, msg.since);
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
