// Joining: a fresh seat, or the same seat back (resume) within the grace period, so that the
// others see no leave and no join. Staged, so that no credentials are minted for a joiner the
// room refuses, and so that a lobby can wait between the stages:
//   decide (here) → [check the host key, gate.ts: lock, passcode, lobby] → mint ICE for the
//   decided id (the adapter) → admit (here) → welcome.
// A resume of a member's seat skips the gate: it is already in. A join that presents the host key
// skips it too, and comes in as a host.

import { NO_RELAYS, PROTOCOL_VERSION, type IceConfig, type PeerInfo, type Role, type Seat } from "../../../protocol/protocol";
import { sendSelf, sendTo, type CheckJoin, type Effect, type JoinChecked, type JoinMessage } from "../effects";
import type { AnyHandler } from "../handler";
import type { StoredMember, Via } from "../ports";
import { info, isAdmitter, type RoomState } from "../state";
import { sameText } from "../../access/secrets";
import { chatTail } from "./chat";
import { relaysFor } from "./file-relay-resume";
import { gate, passcodeChecked } from "./gate";
import { reviewHosts } from "./hosts";
import { recentReactions } from "./reactions";
import { alreadyJoined, mintSeat, roomFull, seatFor, type WelcomeMint } from "./seats";
import { seatedMedia } from "./stage";

const sameMedia = (a: PeerInfo["media"], b: PeerInfo["media"]) => a.mic === b.mic && a.cam === b.cam && a.screen === b.screen;

/**
 * The member this join may take back: the one it names, if its token is right: the current one,
 * or the one before while the member has not confirmed the current one (its welcome may have
 * been lost with its socket). Compared in constant time, so a token cannot be guessed a character
 * at a time.
 */
function resumable(room: RoomState, msg: JoinMessage): StoredMember | null {
  const r = msg.resume;
  if (!r) return null;
  const m = room.members.get(r.id);
  if (!m) return null;
  if (sameText(m.token, r.token)) return m;
  // The previous token, until the client confirms the new one with its first frame (the web app
  // sends one as soon as it has the welcome). The socket that got the new token may still look
  // alive to the room (a frozen connection), so "away" cannot be required here.
  return m.prevToken !== null && sameText(m.prevToken, r.token) ? m : null;
}

export const join: AnyHandler<JoinMessage> = {
  who: "any",
  run: (room, from, msg, via) => (from !== null || via.knock !== null ? alreadyJoined(via) : decide(room, msg, via)),
};

/** Stage 1: whose seat this join takes. Stores nothing, and refuses before anything is minted. */
function decide(room: RoomState, msg: JoinMessage, via: Via): Effect[] {
  const back = resumable(room, msg);
  const { hostKey } = room.access;
  // The key is checked (hashed: asynchronous) only where it changes something.
  if (msg.hostKey !== undefined && hostKey !== null && back?.role !== "host") return [{ kind: "check-join", join: msg, hostKey, passcode: null }];
  if (back) return [mintSeat(back.id, msg)];
  return gate(room, msg, via, false);
}

/** The host key or passcode a join presented has been checked: it goes on from where it waited. */
export function joinChecked(room: RoomState, from: StoredMember | null, via: Via, check: CheckJoin, result: JoinChecked): Effect[] {
  if (from !== null || via.knock !== null) return alreadyJoined(via);
  const msg = check.join;
  if (check.passcode !== null) return passcodeChecked(room, msg, via, check.passcode, result.passcode);
  const back = resumable(room, msg);
  if (result.host) {
    if (back) return [mintSeat(back.id, msg, { host: true })];
    return seatFor(room, true) === null ? roomFull(room) : [mintSeat(room.freshId(), msg, { host: true })];
  }
  if (back) return [mintSeat(back.id, msg)];
  return gate(room, msg, via, false);
}

/**
 * Stage 2: credentials were minted for `mint.peerId`, and other frames may have run meanwhile. A
 * twin join frame on the same socket may have been admitted first; the member it resumes may have
 * expired (it then joins afresh, under the id its credentials name); the room may have filled up;
 * or the fresh id may have been taken (vanishingly unlikely): another is minted for, with the
 * same grant (the join was let in already).
 */
export function admit(room: RoomState, from: StoredMember | null, mint: WelcomeMint, ice: IceConfig, via: Via): Effect[] {
  const { peerId, join: msg } = mint;
  // A twin join: the credentials minted for it are nobody's (unless they name a member).
  if (from !== null) return room.members.has(peerId) ? alreadyJoined(via) : [{ kind: "release-ice", peerId }, ...alreadyJoined(via)];
  const back = resumable(room, msg);
  if (back?.id === peerId) return resume(room, back, msg, ice, mint.host === true);
  // Not released here: the credentials are filed under the id, which is now another member's.
  if (room.members.has(peerId)) return [{ ...mint, peerId: room.freshId() }];
  // The seat is decided now, not at stage 1: others may have taken seats meanwhile. The
  // credentials minted for a join that ends here are nobody's: they end at once.
  const seat = seatFor(room, mint.host === true);
  if (seat === null) return [{ kind: "release-ice", peerId }, ...roomFull(room)];
  return enter(room, peerId, msg, ice, via, mint.host === true ? "host" : "member", seat);
}

function resume(room: RoomState, back: StoredMember, msg: JoinMessage, ice: IceConfig, host: boolean): Effect[] {
  // A new token on every resume, so that a stolen one is spent by its first use, and the thief and
  // the owner cannot knock each other off the seat in turn. The token the client presented stays
  // good until the client shows it got the new one (see StoredMember.prevToken). A role is kept;
  // the host key upgrades it. The seat and a raised hand are kept too: a viewer stays a viewer and
  // publishes nothing, whatever its join said, even with the host key (only a host moves it up).
  const presented = msg.resume?.token ?? null;
  const role: Role = host ? "host" : back.role;
  const media = seatedMedia(back.seat, msg.media);
  // The media token is kept (the member's voice URLs go on working); one stored before voice messages has none yet.
  const mediaToken = back.mediaToken ?? room.deps.newKey();
  const you: Member = { ...back, name: msg.name, media, role, token: room.deps.newToken(), prevToken: presented, awaySince: null, mediaToken };
  room.save(you);
  const effects: Effect[] = [];
  // Its old socket still looked alive (a frozen connection): this one takes over.
  if (back.awaySince === null) effects.push({ kind: "replace", peerId: you.id });
  effects.push({ kind: "bind", peerId: you.id }, welcome(room, you, msg, ice, true));
  const others = room.others(you.id);
  if (back.awaySince !== null) effects.push(sendTo(others, { type: "peer-presence", id: you.id, away: false }));
  if (!sameMedia(back.media, media)) effects.push(sendTo(others, { type: "peer-media", id: you.id, media }));
  if (back.name !== msg.name) effects.push(sendTo(others, { type: "peer-renamed", id: you.id, name: msg.name }));
  if (back.role !== role) effects.push(sendTo(others, { type: "peer-role", id: you.id, role }));
  return [...effects, ...reviewHosts(room)];
}

function enter(room: RoomState, peerId: string, msg: JoinMessage, ice: IceConfig, via: Via, role: Role, seat: Seat): Effect[] {
  const { now, newToken } = room.deps;
  // A viewer publishes nothing, whatever its join said (its client may not know the mode yet).
  const you: Member = {
    id: peerId, name: msg.name, media: seatedMedia(seat, msg.media), joined: now(), token: newToken(), prevToken: null, role, awaySince: null,
    device: msg.device ?? null, addr: via.addr, seat, hand: null, mediaToken: room.deps.newKey(), recording: null, sfu: null,
  };
  const others = room.others(you.id);
  room.save(you);
  room.store.setEmptySince(null);
  return [{ kind: "bind", peerId }, welcome(room, you, msg, ice, false), sendTo(others, { type: "peer-joined", peer: info(you) }), ...reviewHosts(room)];
}

/** A member just welcomed: it has a media token. */
type Member = StoredMember & { mediaToken: string };

function welcome(room: RoomState, you: Member, msg: JoinMessage, ice: IceConfig, resumed: boolean): Effect {
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
    access: room.publicAccess(),
    // The lobby's queue is for those who may let people in; anyone else learns nothing of it.
    knocks: isAdmitter(you.role) ? room.knockList() : [],
    stage: room.stageState(),
    mediaToken: you.mediaToken,
    reactions: recentReactions(room, you.id),
    transport: room.transportState(),
    // A fresh seat has no transfers; a resumed one finds its own again.
    files: resumed ? relaysFor(room, you.id) : NO_RELAYS,
    // The peers above are filtered for the crowd where every effect is (features/crowd.ts).
    audience: room.crowd.count,
  });
}
