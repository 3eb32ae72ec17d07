// Files relayed through the room's bucket, the room's side (protocol/features/file-relay.ts tells
// the whole flow). The room forwards the offer and the answer, issues the one-time upload
// capability only after the recipient's yes (so nothing is stored for a file nobody accepted),
// says whether a PUT may store and whether a GET may fetch, and ends transfers: by either side's
// word, by time (the alarm), or when a member leaves. The bytes never pass through here: the
// Durable Object's HTTP side (durable/file-relay-http.ts) moves them, asking the room first.
//
// A relay's life: offered → accepted (a capability, valid UPLOAD_START_MS) → uploading (a PUT
// presented it: spent) → stored (the recipient fetches it within FETCH_MS) → gone, on the
// recipient's "done", or any end.

import { FILE_RELAY_OPEN_FROM_ONE, FILE_RELAY_OPEN_TO_ONE, type ErrorCode, type RelayClientEnd, type RelayEnd } from "../../../protocol/protocol";
import { sameText } from "../../access/secrets";
import { error, refuse, SCHEDULE, sendSelf, sendTo, type Effect } from "../effects";
import { hiddenFrom } from "./crowd";
import type { MemberHandler, MessageOf } from "../handler";
import type { FileRelay, StoredMember } from "../ports";
import type { RoomState } from "../state";
import { endRelay } from "./file-relay-gone";

/** Offers a member may make: 10 in a burst, then one per 3 s. */
export const FILE_OFFER_RATE = { perSecond: 1 / 3, burst: 10 };
/** Transfers a member may have open as sender (offered, uploading, waiting for the download). */
export const FILE_OPEN_FROM_ONE = FILE_RELAY_OPEN_FROM_ONE;
/** Transfers a member may have open as recipient: nobody can bury one person under offers. */
export const FILE_OPEN_TO_ONE = FILE_RELAY_OPEN_TO_ONE;
/**
 * What the room may hold in the bucket for files at once, counting the uploads a yes has reserved:
 * 1 GiB, eleven of the largest files. An accept past it is refused until others end.
 */
export const FILE_ROOM_MAX_BYTES = 1024 * 1024 * 1024;
/** How long an offer waits for an answer (the person may be away from the screen). */
export const OFFER_MS = 10 * 60_000;
/** How long after the yes the sender has to start its PUT. */
export const UPLOAD_START_MS = 2 * 60_000;
/**
 * How long an upload may run once started: 90 MiB at 1 Mbit/s takes 13 minutes. The HTTP side
 * gives up on a slower one before this (durable/file-relay-http.ts).
 */
export const UPLOAD_MS = 20 * 60_000;
/** How long a stored file waits for its download (and a cut download for its next range). */
export const FETCH_MS = 30 * 60_000;

const isOpenFor = (r: FileRelay, id: string) => r.from === id || r.to === id;

/** A member still in the room (present, or away within its grace period). */
export function inRoom(room: RoomState, m: StoredMember | undefined, now: number): m is StoredMember {
  return m !== undefined && (m.awaySince === null || now - m.awaySince < room.config.graceMs);
}

export const fileOffer: MemberHandler<MessageOf<"file-offer">> = {
  who: "member",
  run(room, from, msg) {
    const now = room.deps.now();
    const swept = sweepRelays(room, now);
    // A refused offer ends at once for its sender, so that its card does not wait for an answer.
    const no = (code: ErrorCode, message: string, reason: RelayEnd, strike = false): Effect[] => [
      ...swept,
      ...(strike ? refuse(code, message) : [error(code, message)]),
      sendSelf({ type: "file-end", transfer: msg.transfer, reason }),
    ];
    // One away for a moment still gets it: its resume's welcome carries the offer (file-relay-resume.ts).
    const to = room.members.get(msg.to);
    // Another crowd member is not in the room as far as the sender knows (features/crowd.ts).
    if (msg.to === from.id || !inRoom(room, to, now) || (to && hiddenFrom(room, from, to))) return no("bad-file", "a file goes to someone else who is in the room now", "refused", msg.to === from.id);
    if (room.transport.kind !== "sfu") return no("bad-file", "this room is on the mesh: files go peer to peer", "refused");
    // No file-end here: it would end the transfer that holds the id.
    if (room.relays.get(msg.transfer) !== null) return [...swept, ...refuse("bad-file", "this transfer id is taken")];
    const open = room.relays.all();
    if (open.filter((r) => r.from === from.id).length >= FILE_OPEN_FROM_ONE) {
      return no("file-throttled", `${FILE_OPEN_FROM_ONE} of your files are waiting: wait for them to be taken, or cancel some`, "busy");
    }
    if (open.filter((r) => r.to === msg.to).length >= FILE_OPEN_TO_ONE) return no("file-throttled", "this person has too many files waiting: try again later", "busy");
    if (!room.takeFileOffer(from.id, FILE_OFFER_RATE, now)) return no("file-throttled", "too many files offered: wait a moment", "busy");
    const { transfer, name, size, mime, id } = msg;
    room.relays.put({ transfer, from: from.id, to: msg.to, name, size, mime, id, state: "offered", key: null, cap: null, expires: now + OFFER_MS });
    return [...swept, sendTo([msg.to], { type: "file-offer", transfer, from: from.id, name, size, mime, id }), SCHEDULE];
  },
};

export const fileAnswer: MemberHandler<MessageOf<"file-answer">> = {
  who: "member",
  run(room, from, msg) {
    const now = room.deps.now();
    const r = room.relays.get(msg.transfer);
    if (!r || r.to !== from.id || r.state !== "offered" || r.expires <= now) return refuse("no-such-transfer", "no file offered to you under this transfer id");
    if (!msg.accept) return endRelay(room, r, "declined", [r.from]);
    if (reservedBytes(room) + r.size > FILE_ROOM_MAX_BYTES) {
      return [error("file-throttled", `this room holds at most ${FILE_ROOM_MAX_BYTES / 1024 / 1024} MiB of files at once: accept again once others have been taken`)];
    }
    let key: string;
    do key = room.deps.newKey();
    while (room.relays.byKey(key) !== null);
    const cap = room.deps.newKey();
    room.relays.put({ ...r, state: "accepted", key, cap, expires: now + UPLOAD_START_MS });
    return [sendTo([r.from], { type: "file-upload", transfer: r.transfer, url: `/api/rooms/${room.deps.room}/files/${key}?cap=${cap}` }), SCHEDULE];
  },
};

export const fileEnd: MemberHandler<MessageOf<"file-end">> = {
  who: "member",
  run(room, from, msg) {
    const r = room.relays.get(msg.transfer);
    if (!r || !isOpenFor(r, from.id)) return refuse("no-such-transfer", "no open transfer of yours under this transfer id");
    const reason: RelayClientEnd = msg.reason === "done" && (r.to !== from.id || r.state !== "stored") ? "failed" : msg.reason;
    return endRelay(room, r, reason, [r.from === from.id ? r.to : r.from]);
  },
};

/** The bytes of every file a yes has let in (accepted, uploading, stored). */
function reservedBytes(room: RoomState): number {
  let total = 0;
  for (const r of room.relays.all()) if (r.state !== "offered") total += r.size;
  return total;
}

/** Transfers whose step ran out end as "expired", both sides told, their objects deleted. */
export function sweepRelays(room: RoomState, now: number): Effect[] {
  const effects: Effect[] = [];
  for (const r of room.relays.all()) if (r.expires <= now) effects.push(...endRelay(room, r, "expired", [r.from, r.to]));
  return effects;
}

/** When the sweep next has work, or null. */
export function relayDeadline(room: RoomState): number | null {
  let next: number | null = null;
  for (const r of room.relays.all()) next = next === null ? r.expires : Math.min(next, r.expires);
  return next;
}

/** What an HTTP request may do, or the refusal it gets (a JSON error with this status). */
export type RelayVerdict = { ok: true; relay: FileRelay } | { ok: false; status: 403 | 404; error: string };

const refused = (status: 403 | 404, error: string): RelayVerdict => ({ ok: false, status, error });

/**
 * A PUT presents `cap` for `key`: only the capability's first presentation, in time, while both
 * sides are in the room, may upload; that presentation spends it.
 */
export function claimRelayUpload(room: RoomState, key: string, cap: string | null): RelayVerdict {
  const now = room.deps.now();
  const r = room.relays.byKey(key);
  // Compared in constant time, like resume tokens: a capability is a secret.
  if (!r || r.cap === null || cap === null || !sameText(r.cap, cap)) return refused(403, "no valid upload capability for this file");
  if (r.state !== "accepted") return refused(403, "this upload capability has been used");
  if (now >= r.expires) return refused(403, "this upload capability has expired");
  if (!inRoom(room, room.members.get(r.from), now) || !inRoom(room, room.members.get(r.to), now)) return refused(403, "the sender or the recipient has left the room");
  const claimed: FileRelay = { ...r, state: "uploading", cap: null, expires: now + UPLOAD_MS };
  room.relays.put(claimed);
  return { ok: true, relay: claimed };
}

/**
 * The claimed upload is stored: the recipient may fetch it now. Null if the room has forgotten
 * the transfer meanwhile (cancelled, expired, a member left): the object is then nobody's, and goes.
 */
export function relayStored(room: RoomState, key: string): Effect[] | null {
  const r = room.relays.byKey(key);
  if (!r || r.state !== "uploading") return null;
  room.relays.put({ ...r, state: "stored", expires: room.deps.now() + FETCH_MS });
  return [sendTo([r.to], { type: "file-ready", transfer: r.transfer, url: `/api/rooms/${room.deps.room}/files/${key}` }), SCHEDULE];
}

/** The claimed upload was refused or failed: the transfer is over for both (nothing is stored). */
export function relayUploadFailed(room: RoomState, key: string): Effect[] {
  const r = room.relays.byKey(key);
  if (!r || r.state !== "uploading") return [];
  return endRelay(room, { ...r, state: "accepted" }, "failed", [r.from, r.to]);
}

/**
 * A GET or HEAD presents a media token (`?m=`): only the addressed recipient's opens the file,
 * and only while it is in the room.
 */
export function relayFetchable(room: RoomState, key: string, token: string | null): RelayVerdict {
  const now = room.deps.now();
  const r = room.relays.byKey(key);
  const to = r ? room.members.get(r.to) : undefined;
  // Compared in constant time whatever the outcome, so that the timing says nothing of the token.
  const matches = token !== null && to?.mediaToken != null && sameText(to.mediaToken, token);
  if (!r || !matches || !inRoom(room, to, now)) return refused(403, "this file is only for the person it was sent to, with their media token");
  if (r.state !== "stored" || r.expires <= now) return refused(404, "this file is not stored (not yet, or not any more)");
  return { ok: true, relay: r };
}
