// Voice messages: a recording travels over HTTP, never through room frames, and the chat carries
// only a reference to it.
//
// 1. A member asks for an upload capability (`voice-upload`, with the recording's type, size and
//    duration); the room answers with a one-time URL valid for VOICE_UPLOAD_TTL_MS.
// 2. The member PUTs the recording there. The Worker checks the capability, the size and the real
//    type (magic bytes: WebM, MP4, Ogg), and stores it in R2 under the room's prefix; anything
//    else is refused with a JSON error (403 no or expired capability, 413 too large, 415 not audio
//    of the declared type).
// 3. The member sends `chat` with `voice: {key}` (text may be empty). The room checks that this
//    member uploaded that key, and stores the message with the reference (key, type, bytes,
//    duration): the audio itself is never in a frame or in the room's SQLite.
// 4. Members play it at `GET /api/rooms/<id>/voice/<key>?m=<welcome.mediaToken>`: the token is
//    this member's own (random, unguessable) and stops working when the member leaves, so the URL
//    is a capability for members only, and it expires with the membership. Served with an
//    allowlisted Content-Type, nosniff, `Content-Security-Policy: default-src 'none'; sandbox`,
//    `Cache-Control: private`, and HTTP Range (206), which Safari needs.
// Recordings are deleted with the room's chat (retention), and by an R2 lifecycle rule as a
// backstop (README).

import { LIMITS } from "../limits";
import { bad, type ClientValidators, fail, isIntIn, isObj, isOneOf, isString, ok, type ServerValidators } from "../wire";

/** What a voice message may be, in the order a recorder should try them (FEATURES §5). */
export const VOICE_TYPES = ["audio/webm", "audio/mp4", "audio/ogg"] as const;
export type VoiceType = (typeof VOICE_TYPES)[number];
export const isVoiceType = (v: unknown): v is VoiceType => isOneOf(VOICE_TYPES, v);

/** Longest recording: 5 minutes. */
export const VOICE_MAX_MS = 5 * 60_000;
/** Largest recording: 5 MiB (5 minutes at about 32 kbps is 1.2 MB; Safari may ignore the bitrate). */
export const VOICE_MAX_BYTES = 5 * 1024 * 1024;
/** How long an upload capability lasts. */
export const VOICE_UPLOAD_TTL_MS = 60_000;
/** A voice key: 16 random bytes in base64url. */
export const VOICE_KEY = /^[A-Za-z0-9_-]{22}$/;

/** A voice message's reference, as the chat carries it. */
export interface VoiceRef {
  key: string;
  type: VoiceType;
  bytes: number;
  durationMs: number;
}

export type VoiceClientMessage = {
  type: "voice-upload";
  /** The client's id for the chat message this recording will be (echoed back). */
  cid: string;
  mime: VoiceType;
  bytes: number;
  durationMs: number;
};

export type VoiceServerMessage = {
  type: "voice-upload";
  cid: string;
  key: string;
  /** Where to PUT the recording: a path on this origin, with its one-time capability. */
  url: string;
  /** When the capability ends (ms since the epoch, the room's clock). */
  expires: number;
};

export const VOICE_ERRORS = [
  /** A `voice-upload` past the size or length limit, or a `chat` naming a key this member did not upload. */
  "bad-voice",
  /** Too many uploads asked for: wait (the member's ration, like chat's). */
  "voice-throttled",
] as const;

export function voiceRef(v: unknown): VoiceRef | null {
  if (!isObj(v) || !isString(v.key) || !VOICE_KEY.test(v.key) || !isVoiceType(v.type)) return null;
  if (!isIntIn(v.bytes, 1, VOICE_MAX_BYTES) || !isIntIn(v.durationMs, 0, VOICE_MAX_MS + 5_000)) return null;
  return { key: v.key, type: v.type, bytes: v.bytes, durationMs: v.durationMs };
}

export const voiceClient: ClientValidators<VoiceClientMessage, (typeof VOICE_ERRORS)[number]> = {
  "voice-upload": (v) => {
    if (!isString(v.cid) || v.cid.length === 0 || v.cid.length > LIMITS.cidMaxChars) return bad("voice-upload", `\`cid\` must be 1–${LIMITS.cidMaxChars} characters`);
    if (!isVoiceType(v.mime)) return bad("voice-upload", `\`mime\` must be one of ${VOICE_TYPES.join(", ")}`);
    if (!isIntIn(v.bytes, 1, VOICE_MAX_BYTES)) return fail("bad-voice", `a recording is 1 to ${VOICE_MAX_BYTES} bytes`);
    if (!isIntIn(v.durationMs, 0, VOICE_MAX_MS + 5_000)) return fail("bad-voice", `a recording is at most ${VOICE_MAX_MS / 60_000} minutes`);
    return ok({ type: "voice-upload", cid: v.cid, mime: v.mime, bytes: v.bytes, durationMs: v.durationMs });
  },
};

export const voiceServer: ServerValidators<VoiceServerMessage> = {
  "voice-upload": (v) => {
    if (!isString(v.cid) || !isString(v.key) || !VOICE_KEY.test(v.key) || !isString(v.url) || !v.url.startsWith("/api/rooms/")) return null;
    if (typeof v.expires !== "number" || !Number.isFinite(v.expires)) return null;
    return { type: "voice-upload", cid: v.cid, key: v.key, url: v.url, expires: v.expires };
  },
};
