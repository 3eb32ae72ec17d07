// Voice recordings over HTTP, in the room's Durable Object (the Worker forwards
// PUT/GET/HEAD /api/rooms/<id>/voice/<key> here, as it forwards the room socket). The room decides
// (room/features/voice.ts: whose capability, whose token, which recording); this file moves the
// bytes between the request and the bucket, and checks what only the bytes can tell: their size
// and their real type.
//
// Every answer but a recording is JSON, `{ error, status }` as everywhere in the API. A recording is
// served so that it can only ever be audio: an allowlisted Content-Type with nosniff, and a CSP
// that forbids everything (were it opened as a page, nothing in it would run).

import { VOICE_MAX_BYTES, type VoiceType } from "../../protocol/protocol";
import { parseRange, rangedResponse } from "../voice/range";
import { sniffVoice, SNIFF_BYTES } from "../voice/sniff";
import type { LiveRoom } from "./live-room";
import { noRoom } from "./no-room";

/** What the voice routes need of the room object: the live room now (null once deleted). */
export interface VoiceHost {
  room(): LiveRoom | null;
}

const VOICE_PATH = /^\/api\/rooms\/[^/]+\/voice\/([A-Za-z0-9_-]{22})$/;

/** The recording's key if this is a voice route's path, else null. */
export const voiceKeyOf = (pathname: string): string | null => VOICE_PATH.exec(pathname)?.[1] ?? null;

/** The one Content-Type each allowed recording is served with, and a file name for a download. */
const SERVED: Record<VoiceType, { contentType: string; ext: string }> = {
  "audio/webm": { contentType: "audio/webm", ext: "webm" },
  "audio/mp4": { contentType: "audio/mp4", ext: "m4a" },
  "audio/ogg": { contentType: "audio/ogg", ext: "ogg" },
};

/**
 * Uploads a room reads at once. Each holds its recording in memory until it is checked and stored
 * (at most VOICE_MAX_BYTES, one buffer), so this bounds what uploads can cost the room object:
 * 4 × 5 MiB, whatever its members do in parallel.
 */
export const MAX_UPLOADS_IN_FLIGHT = 4;
/**
 * How long one upload may take to arrive: a client trickling bytes must not hold a slot (and keep
 * the room awake) for ever. 5 MiB in 60 s is 700 kbps; a voice message is a fifth of that or less.
 */
export const UPLOAD_DEADLINE_MS = 60_000;
const inFlight = new WeakMap<LiveRoom, number>();

const fail = (status: number, error: string, headers?: HeadersInit) => Response.json({ error, status }, { status, ...(headers ? { headers } : {}) });

export function serveVoice(host: VoiceHost, request: Request, key: string): Promise<Response> {
  const room = host.room();
  if (!room) return unread(request, noRoom());
  const url = new URL(request.url);
  switch (request.method) {
    case "PUT":
      return upload(host, room, request, key, url.searchParams.get("cap"));
    case "GET":
    case "HEAD":
      return play(room, request, key, url.searchParams.get("m"));
    default:
      return Promise.resolve(fail(405, "a voice recording is PUT once, then read with GET or HEAD", { Allow: "PUT, GET, HEAD" }));
  }
}

async function upload(host: VoiceHost, room: LiveRoom, request: Request, key: string, cap: string | null): Promise<Response> {
  // Claimed before anything is read: the capability is spent now, so a second PUT racing this
  // one is refused whatever becomes of this one.
  const claim = room.core.claimUpload(key, cap);
  if (!claim.ok) return unread(request, fail(claim.status, claim.error));
  const limit = Math.min(claim.bytes, VOICE_MAX_BYTES);
  const refuse = (status: number, error: string) => {
    if (host.room() === room) room.core.uploadFailed(key);
    return fail(status, error);
  };
  const length = request.headers.get("Content-Length");
  if (length !== null && Number(length) > limit) return unread(request, refuse(413, `the recording is larger than the ${limit} bytes declared`));
  const busy = inFlight.get(room) ?? 0;
  if (busy >= MAX_UPLOADS_IN_FLIGHT) return unread(request, refuse(503, "too many recordings are arriving in this room at once: ask for another upload in a moment"));
  inFlight.set(room, busy + 1);
  let bytes: Uint8Array | null;
  try {
    bytes = await readAtMost(request.body, limit, UPLOAD_DEADLINE_MS);
  } catch (e) {
    if (e instanceof UploadTooSlow) return refuse(408, `the recording took longer than ${UPLOAD_DEADLINE_MS / 1000} s to arrive: ask for another upload`);
    // The client went away mid-upload (nobody may be there to read this).
    return refuse(400, "the recording was cut off: ask for another upload");
  } finally {
    inFlight.set(room, (inFlight.get(room) ?? 1) - 1);
  }
  if (bytes === null) return refuse(413, `the recording is larger than the ${limit} bytes declared`);
  const type = sniffVoice(bytes.subarray(0, SNIFF_BYTES));
  if (type !== claim.type) return refuse(415, `the recording is not ${claim.type}: ${type ? `its bytes are ${type}` : "its bytes are not WebM, MP4 or Ogg"}`);
  try {
    await room.voice.put(key, bytes, SERVED[type].contentType);
  } catch {
    return refuse(500, "the recording could not be stored: ask for another upload");
  }
  // The room may have been deleted, or have forgotten the upload, while the bytes travelled:
  // then what was stored is nobody's.
  if (host.room() !== room || !room.core.uploaded(key, bytes.byteLength)) {
    await room.voice.delete([key]).catch(() => {});
    return fail(403, "this upload capability has expired: ask for another");
  }
  return Response.json({ key, type, bytes: bytes.byteLength }, { status: 201 });
}

/**
 * An answer given without reading the body. The body is let go of first: one chunk read, then
 * cancelled. Cancelled untouched, the runtime's pipe from the Worker's request went on reading it
 * after the answer, and failed there ("Can't read from request stream after response has been
 * sent", an uncaught error per refused upload in workerd).
 */
export async function unread(request: Request, answer: Response): Promise<Response> {
  await readAtMost(request.body, 0).catch(() => null);
  return answer;
}

class UploadTooSlow extends Error {}

/**
 * The body, or null as soon as it is longer than `limit` (nothing past limit + one chunk is read),
 * into one buffer of `limit` bytes (no second copy). Throws UploadTooSlow past `deadlineMs`.
 */
async function readAtMost(body: ReadableStream<Uint8Array> | null, limit: number, deadlineMs = Infinity): Promise<Uint8Array | null> {
  if (!body) return new Uint8Array(0);
  const reader = body.getReader();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    if (Number.isFinite(deadlineMs)) timer = setTimeout(() => reject(new UploadTooSlow()), deadlineMs);
  });
  late.catch(() => {});
  const out = new Uint8Array(limit);
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await Promise.race([reader.read(), late]);
      if (done) break;
      if (total + value.byteLength > limit) {
        await reader.cancel().catch(() => {});
        return null;
      }
      out.set(value, total);
      total += value.byteLength;
    }
  } catch (e) {
    await reader.cancel().catch(() => {});
    throw e;
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
  return out.subarray(0, total);
}

async function play(room: LiveRoom, request: Request, key: string, token: string | null): Promise<Response> {
  const verdict = room.core.playable(key, token);
  if (!verdict.ok) return fail(verdict.status, verdict.error);
  const size = verdict.bytes;
  const range = parseRange(request.headers.get("Range"), size);
  if (range.kind === "unsatisfiable") return fail(416, `the recording is ${size} bytes long`, { "Content-Range": `bytes */${size}` });
  const served = SERVED[verdict.type];
  const headers = new Headers({
    "Content-Type": served.contentType,
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; sandbox",
    "Content-Disposition": `inline; filename="voice-${key}.${served.ext}"`,
    // The URL carries a member's token: no shared cache may keep it.
    "Cache-Control": "private",
    // Safari plays media only from a server that answers ranges (206).
    "Accept-Ranges": "bytes",
  });
  return rangedResponse(request.method, headers, range, size, (part) => room.voice.get(key, part), () => fail(404, "this voice message is no longer stored"));
}
