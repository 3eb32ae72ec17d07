// Voice messages, the room's side (protocol/features/voice.ts tells the whole flow). The room
// issues one-time upload capabilities (rationed per member), says whether a PUT may store a
// recording and whether a request may play one, and attaches a stored recording to its author's
// chat message. The bytes never pass through here: the Durable Object's HTTP side
// (durable/voice-http.ts) moves them between the request and the bucket, asking the room first.
//
// An upload's life: issued (a capability, valid for VOICE_UPLOAD_TTL_MS) → uploading (a PUT
// presented it: spent, whatever comes of it) → done (stored) → sent (a chat message carries it,
// and it lives as long as that message). Anything not sent soon after its capability ended is
// forgotten, its recording deleted.

import { VOICE_UPLOAD_TTL_MS, type VoiceRef, type VoiceType } from "../../../protocol/protocol";
import { sameText } from "../../access/secrets";
import { error, sendSelf, type Effect } from "../effects";
import type { MemberHandler, MessageOf } from "../handler";
import type { StoredMember, VoiceUpload } from "../ports";
import type { RoomState } from "../state";

/** Upload capabilities a member may ask for: 5 in a burst, then one per 6 s (10 a minute). */
export const VOICE_UPLOAD_RATE = { perSecond: 1 / 6, burst: 5 };
/** Uploads a member may hold that no chat message carries yet (asked for, uploading, or stored). */
export const VOICE_UNSENT_MAX = 3;
/**
 * How long after its capability ended a recording may still be sent: past that, an upload that
 * never finished, or a recording never sent, is forgotten and deleted.
 */
export const VOICE_SEND_WINDOW_MS = 10 * 60_000;
/**
 * What one room may keep in the bucket, counting uploads promised but not yet stored: 256 MiB,
 * about 200 five-minute recordings at the most a browser makes of them. The chat's cap trims
 * messages by their count and text, not by the recordings they carry; this bounds those.
 */
export const VOICE_ROOM_MAX_BYTES = 256 * 1024 * 1024;

export const voiceUpload: MemberHandler<MessageOf<"voice-upload">> = {
  who: "member",
  run(room, from, msg) {
    const now = room.deps.now();
    const swept = sweep(room, now);
    const unsent = room.voices.unsent().filter((u) => u.member === from.id).length;
    if (unsent >= VOICE_UNSENT_MAX) {
      return [...swept, error("voice-throttled", `${VOICE_UNSENT_MAX} voice messages are waiting to be sent: send them, or wait a few minutes`)];
    }
    if (room.voices.totalBytes() + msg.bytes > VOICE_ROOM_MAX_BYTES) {
      return [...swept, error("voice-throttled", `this room keeps at most ${VOICE_ROOM_MAX_BYTES / 1024 / 1024} MiB of voice messages: older ones must go first`)];
    }
    if (!room.takeVoiceUpload(from.id, VOICE_UPLOAD_RATE, now)) return [...swept, error("voice-throttled", "too many voice messages: wait a moment")];
    let key: string;
    do key = room.deps.newKey();
    while (room.voices.get(key) !== null);
    const cap = room.deps.newKey();
    const expires = now + VOICE_UPLOAD_TTL_MS;
    room.voices.put({ key, member: from.id, type: msg.mime, bytes: msg.bytes, durationMs: msg.durationMs, expires, cap, state: "issued", seq: null });
    const url = `/api/rooms/${room.deps.room}/voice/${key}?cap=${cap}`;
    return [...swept, sendSelf({ type: "voice-upload", cid: msg.cid, key, url, expires })];
  },
};

/** A member still in the room (present, or away within its grace period). */
function inRoom(room: RoomState, m: StoredMember | undefined, now: number): m is StoredMember {
  return m !== undefined && (m.awaySince === null || now - m.awaySince < room.config.graceMs);
}

/** Uploads whose time is over are forgotten; the recordings of those that may have one are deleted. */
function sweep(room: RoomState, now: number): Effect[] {
  const over = room.voices.unsent().filter((u) => (u.state === "issued" ? u.expires <= now : u.expires + VOICE_SEND_WINDOW_MS <= now));
  if (over.length === 0) return [];
  room.voices.delete(over.map((u) => u.key));
  const stored = over.filter((u) => u.state !== "issued").map((u) => u.key);
  return stored.length > 0 ? [{ kind: "delete-voice", keys: stored }] : [];
}

/** Forgets these recordings (their messages are gone): the bucket deletes them. */
export function dropVoice(room: RoomState, keys: readonly string[]): Effect[] {
  if (keys.length === 0) return [];
  room.voices.delete(keys);
  return [{ kind: "delete-voice", keys }];
}

/** What an HTTP request may do, or the refusal it gets (a JSON error with this status). */
export type VoiceVerdict = { ok: true; type: VoiceType; bytes: number } | { ok: false; status: 403 | 404; error: string };

const refused = (status: 403 | 404, error: string): VoiceVerdict => ({ ok: false, status, error });

/**
 * A PUT presents `cap` for `key`. Only the capability's first presentation, before it expires,
 * while its member is in the room, may upload; that presentation spends it. The declared type and
 * size are what the upload is checked against.
 */
export function claimUpload(room: RoomState, key: string, cap: string | null): VoiceVerdict {
  const now = room.deps.now();
  const u = room.voices.get(key);
  // Compared in constant time, like resume tokens: a capability is a secret.
  if (!u || cap === null || !sameText(u.cap, cap)) return refused(403, "no valid upload capability for this recording");
  if (u.state !== "issued") return refused(403, "this upload capability has been used");
  if (now >= u.expires) return refused(403, "this upload capability has expired: ask for another");
  if (!inRoom(room, room.members.get(u.member), now)) return refused(403, "this upload capability's member has left the room");
  room.voices.put({ ...u, state: "uploading" });
  return { ok: true, type: u.type, bytes: u.bytes };
}

/**
 * The recording a claim let in is stored, `bytes` long. False if the room has forgotten the
 * upload meanwhile (its time ran out): the stored object is then nobody's, and goes.
 */
export function uploaded(room: RoomState, key: string, bytes: number): boolean {
  const u = room.voices.get(key);
  if (!u || u.state !== "uploading") return false;
  room.voices.put({ ...u, state: "done", bytes });
  return true;
}

/** A claimed upload was refused (too large, not the declared type) or failed: nothing is stored, and the capability stays spent. */
export function uploadFailed(room: RoomState, key: string): void {
  if (room.voices.get(key)?.state === "uploading") room.voices.delete([key]);
}

/**
 * A GET or HEAD presents a media token (`?m=`): the recording may be played by any member of the
 * room (present, or away within its grace period), and only while it is one.
 */
export function playable(room: RoomState, key: string, token: string | null): VoiceVerdict {
  const now = room.deps.now();
  let member = false;
  // Every member is compared (in constant time), so that the answer's timing says nothing of whose token is close.
  if (token !== null) for (const m of room.members.values()) if (m.mediaToken !== null && sameText(m.mediaToken, token) && inRoom(room, m, now)) member = true;
  if (!member) return refused(403, "not a member of this room: a voice message plays only with a member's media token");
  const u = room.voices.get(key);
  if (!u || u.state !== "done") return refused(404, "no such voice message in this room");
  return { ok: true, type: u.type, bytes: u.bytes };
}

/** The reference a chat message may carry: a recording its author uploaded, stored, and not yet sent, within the send window. */
export function voiceFor(room: RoomState, from: StoredMember, key: string): VoiceRef | null {
  const u = room.voices.get(key);
  if (!u || u.member !== from.id || u.state !== "done" || u.seq !== null) return null;
  if (u.expires + VOICE_SEND_WINDOW_MS <= room.deps.now()) return null;
  return { key: u.key, type: u.type, bytes: u.bytes, durationMs: u.durationMs };
}

/** The recording is carried by message `seq` from now on, and lives as long as it. */
export function voiceSent(room: RoomState, key: string, seq: number): void {
  const u: VoiceUpload | null = room.voices.get(key);
  if (u) room.voices.put({ ...u, seq });
}
