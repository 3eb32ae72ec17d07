// Files through the room's bucket, for rooms on the SFU: there is no peer connection between
// members there, so a file cannot go peer to peer (features/files.ts). It goes to one person, as a
// peer-to-peer transfer does, and the room holds it in R2 only between the upload and that
// person's download:
//
// 1. The sender offers it (`file-offer`: the recipient, name, size, type, and the file id, the
//    SHA-256 of its 1 MiB block hashes, as peer to peer). The room forwards the offer; nothing is
//    uploaded yet.
// 2. The recipient answers (`file-answer`). A no reaches the sender as `file-end` "declined". A
//    yes reserves the bytes in the room's quota, and the sender gets `file-upload` with a one-time
//    URL: it PUTs the file there (exactly `size` bytes), and the room stores it under its prefix.
// 3. Once stored, the recipient gets `file-ready` with the download's path. It GETs it with its own
//    media token (`?m=`, as for voice messages): nobody else's token opens it, not even the
//    sender's. Range requests let a cut download go on.
// 4. The recipient checks the file id over what it received and says `file-end` "done" (or
//    "failed"); the room deletes the object and tells the sender. Either side may cancel with
//    `file-end` "cancelled" at any step. An offer unanswered, an upload not finished, or a file
//    not fetched in time expires ("expired"); a member who leaves ends its transfers ("left").
//    Whatever ends a transfer deletes what it stored.
// 5. A member whose socket drops keeps its transfers for its grace period: frames meant for it
//    meanwhile (an offer, the upload URL, the ready, an end) are not lost, because the welcome
//    of its resume carries `files` (RelaySnapshot): where each of its open transfers stands, and
//    the ends it may have missed. The client squares its cards with it, and says again what the
//    room did not get from it (an answer, an end).

import { bad, type ClientValidators, fail, isBool, isIntIn, isObj, isOneOf, isPeerId, isString, listOf, ok, type ServerValidators, wellFormed } from "../wire";
import { TRANSFER_ID } from "./files";

/**
 * Largest file the room relays: 90 MiB. The upload is one PUT through the Worker, and Cloudflare
 * refuses request bodies over 100 MB on the Free and Pro plans (Business 200 MB, Enterprise
 * 500 MB: https://developers.cloudflare.com/workers/platform/limits/#request-limits); 90 MiB
 * (94.4 MB) leaves a margin. Larger files go peer to peer, on the mesh.
 */
export const FILE_RELAY_MAX_BYTES = 90 * 1024 * 1024;
/** A file id: hex SHA-256 of the block-hash list (web/src/engine/files/blocks.ts). */
export const FILE_ID = /^[0-9a-f]{64}$/;
/** A relayed file's object key: 16 random bytes in base64url. */
export const FILE_KEY = /^[A-Za-z0-9_-]{22}$/;
export const FILE_NAME_MAX_CHARS = 255;
export const FILE_TYPE_MAX_CHARS = 127;
/** Path separators, control, and bidi characters: never in a name a person will save. */
const FORBIDDEN_IN_NAME = /[\u0000-\u001f\u007f-\u009f/\\\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
const MEDIA_TYPE = /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*$/;

export const isFileName = (v: unknown): v is string =>
  isString(v) && v !== "" && v !== "." && v !== ".." && v.length <= FILE_NAME_MAX_CHARS * 2 && [...v].length <= FILE_NAME_MAX_CHARS && !FORBIDDEN_IN_NAME.test(v) && wellFormed(v) === v;
export const isFileType = (v: unknown): v is string => isString(v) && (v === "" || (v.length <= FILE_TYPE_MAX_CHARS && MEDIA_TYPE.test(v)));

/** What a client may say ended a relayed transfer. */
export const RELAY_CLIENT_ENDS = ["cancelled", "done", "failed"] as const;
export type RelayClientEnd = (typeof RELAY_CLIENT_ENDS)[number];
/**
 * What the room says ended one: the other side's word (`cancelled`, `done`, `failed`), the
 * recipient's no (`declined`), time (`expired`: an offer unanswered, an upload unfinished, a file
 * not fetched), or a member gone (`left`). An offer the room does not take ends at once, to its
 * sender only, beside the error frame: `busy` (over a ration: `file-throttled`) or `refused`
 * (`bad-file`: the recipient is not here, or the room is on the mesh).
 */
export const RELAY_ENDS = [...RELAY_CLIENT_ENDS, "declined", "expired", "left", "busy", "refused"] as const;
export type RelayEnd = (typeof RELAY_ENDS)[number];

export interface RelayOffer {
  transfer: string;
  name: string;
  size: number;
  mime: string;
  /** The file id the recipient checks what it downloads against. */
  id: string;
}

export type FileRelayClientMessage =
  | ({ type: "file-offer"; to: string } & RelayOffer)
  | { type: "file-answer"; transfer: string; accept: boolean }
  | { type: "file-end"; transfer: string; reason: RelayClientEnd };

export type FileRelayServerMessage =
  /** To the recipient only. */
  | ({ type: "file-offer"; from: string } & RelayOffer)
  /** To the sender, after the recipient's yes: PUT the file to `url` (a path on this origin, with a one-time capability). */
  | { type: "file-upload"; transfer: string; url: string }
  /** To the recipient, once the file is stored: GET `url` with `&m=<media token>`. */
  | { type: "file-ready"; transfer: string; url: string }
  /** To either side: the transfer is over, and the room holds nothing of it any more. */
  | { type: "file-end"; transfer: string; reason: RelayEnd };

export const FILE_RELAY_ERRORS = [
  /** An offer the room does not relay: too large, to nobody in the room, or to oneself. */
  "bad-file",
  /** Too many offers, too many open transfers, or the room's storage for files is full: wait. */
  "file-throttled",
  /** An answer or end for a transfer that is not (or no longer) this member's. */
  "no-such-transfer",
] as const;

/** Transfers a member may have open as sender (offered, uploading, waiting for the download): the room refuses more, and a client queues the rest. */
export const FILE_RELAY_OPEN_FROM_ONE = 6;
/** Transfers a member may have open as recipient: nobody can bury one person under offers. */
export const FILE_RELAY_OPEN_TO_ONE = 12;
/** The ends the room keeps per member for its next resume (the newest): as many as it can have open. */
export const FILE_RELAY_ENDS_KEPT = FILE_RELAY_OPEN_FROM_ONE + FILE_RELAY_OPEN_TO_ONE;

/**
 * One open transfer of a member, as its resume's welcome says it stands. To its recipient: the
 * offer, and its step: waiting for the answer, said yes (the upload is to come or running), or
 * stored (`url`: fetch it, as `file-ready` says). To its sender: waiting for the answer, the yes
 * came (`url`: upload there, as `file-upload` says), uploading, or stored (waiting for the download).
 */
export type RelayHeld =
  | ({ side: "to-you"; from: string; step: "offered" | "accepted" | "stored"; url: string | null } & RelayOffer)
  | { side: "from-you"; transfer: string; to: string; step: "offered" | "accepted" | "uploading" | "stored"; url: string | null };

/** `welcome.files`: what a member may have missed of its relayed files while its socket was down. */
export interface RelaySnapshot {
  /** Every transfer it is part of that is still open: at most FILE_RELAY_OPEN_FROM_ONE + FILE_RELAY_OPEN_TO_ONE. */
  open: RelayHeld[];
  /** The latest ends the room told it of (or would have, were it there), at most FILE_RELAY_ENDS_KEPT: those it already knew change nothing. */
  ended: Array<{ transfer: string; reason: RelayEnd }>;
}

export const NO_RELAYS: RelaySnapshot = { open: [], ended: [] };

const isTransfer = (v: unknown): v is string => isString(v) && TRANSFER_ID.test(v);

export const fileRelayClient: ClientValidators<FileRelayClientMessage, (typeof FILE_RELAY_ERRORS)[number]> = {
  "file-offer": (v) => {
    if (!isTransfer(v.transfer)) return bad("file-offer", "`transfer` must be a transfer id (22 base64url characters)");
    if (!isPeerId(v.to)) return bad("file-offer", "`to` must be a peer id");
    if (!isFileName(v.name)) return bad("file-offer", `\`name\` must be 1–${FILE_NAME_MAX_CHARS} characters, without path separators or control characters`);
    if (!isFileType(v.mime)) return bad("file-offer", "`mime` must be a media type, or empty");
    if (!isString(v.id) || !FILE_ID.test(v.id)) return bad("file-offer", "`id` must be a hex SHA-256");
    if (!isIntIn(v.size, 0, Number.MAX_SAFE_INTEGER)) return bad("file-offer", "`size` must be a byte count");
    if (v.size > FILE_RELAY_MAX_BYTES) return fail("bad-file", `the room relays files of at most ${FILE_RELAY_MAX_BYTES / 1024 / 1024} MiB`);
    return ok({ type: "file-offer", transfer: v.transfer, to: v.to, name: v.name, size: v.size, mime: v.mime, id: v.id });
  },
  "file-answer": (v) => {
    if (!isTransfer(v.transfer)) return bad("file-answer", "`transfer` must be a transfer id");
    if (!isBool(v.accept)) return bad("file-answer", "`accept` must be true or false");
    return ok({ type: "file-answer", transfer: v.transfer, accept: v.accept });
  },
  "file-end": (v) => {
    if (!isTransfer(v.transfer)) return bad("file-end", "`transfer` must be a transfer id");
    if (!isOneOf(RELAY_CLIENT_ENDS, v.reason)) return bad("file-end", `\`reason\` must be one of ${RELAY_CLIENT_ENDS.join(", ")}`);
    return ok({ type: "file-end", transfer: v.transfer, reason: v.reason });
  },
};

const isRoomPath = (v: unknown): v is string => isString(v) && v.startsWith("/api/rooms/") && v.length <= 256;

const TO_YOU_STEPS = ["offered", "accepted", "stored"] as const;
const FROM_YOU_STEPS = ["offered", "accepted", "uploading", "stored"] as const;

/** A URL exactly where the step has one (stored for the recipient, accepted for the sender), else null. */
const urlFor = (v: unknown, wanted: boolean): v is string | null => (wanted ? isRoomPath(v) : v === null);

function relayHeld(v: unknown): RelayHeld | null {
  if (!isObj(v) || !isTransfer(v.transfer)) return null;
  if (v.side === "to-you") {
    if (!isOneOf(TO_YOU_STEPS, v.step) || !urlFor(v.url, v.step === "stored")) return null;
    const offer = fileRelayServer["file-offer"]({ ...v, type: "file-offer" });
    if (!offer || offer.type !== "file-offer") return null;
    const { transfer, from, name, size, mime, id } = offer;
    return { side: "to-you", transfer, from, name, size, mime, id, step: v.step, url: v.url };
  }
  if (v.side === "from-you") {
    if (!isPeerId(v.to) || !isOneOf(FROM_YOU_STEPS, v.step) || !urlFor(v.url, v.step === "accepted")) return null;
    return { side: "from-you", transfer: v.transfer, to: v.to, step: v.step, url: v.url };
  }
  return null;
}

function relayEnded(v: unknown): RelaySnapshot["ended"][number] | null {
  return isObj(v) && isTransfer(v.transfer) && isOneOf(RELAY_ENDS, v.reason) ? { transfer: v.transfer, reason: v.reason } : null;
}

/** `welcome.files`, checked: bounded lists, each entry well-formed, no transfer twice. */
export function relaySnapshot(v: unknown): RelaySnapshot | null {
  if (!isObj(v) || !Array.isArray(v.open) || !Array.isArray(v.ended)) return null;
  if (v.open.length > FILE_RELAY_OPEN_FROM_ONE + FILE_RELAY_OPEN_TO_ONE || v.ended.length > FILE_RELAY_ENDS_KEPT) return null;
  const open = listOf(v.open, relayHeld);
  const ended = listOf(v.ended, relayEnded);
  if (!open || !ended) return null;
  const ids = [...open, ...ended].map((x) => x.transfer);
  return new Set(ids).size === ids.length ? { open, ended } : null;
}

export const fileRelayServer: ServerValidators<FileRelayServerMessage> = {
  "file-offer": (v) => {
    if (!isTransfer(v.transfer) || !isPeerId(v.from) || !isFileName(v.name) || !isFileType(v.mime)) return null;
    if (!isString(v.id) || !FILE_ID.test(v.id) || !isIntIn(v.size, 0, FILE_RELAY_MAX_BYTES)) return null;
    return { type: "file-offer", transfer: v.transfer, from: v.from, name: v.name, size: v.size, mime: v.mime, id: v.id };
  },
  "file-upload": (v) => (isTransfer(v.transfer) && isRoomPath(v.url) ? { type: "file-upload", transfer: v.transfer, url: v.url } : null),
  "file-ready": (v) => (isTransfer(v.transfer) && isRoomPath(v.url) ? { type: "file-ready", transfer: v.transfer, url: v.url } : null),
  "file-end": (v) => (isTransfer(v.transfer) && isOneOf(RELAY_ENDS, v.reason) ? { type: "file-end", transfer: v.transfer, reason: v.reason } : null),
};
