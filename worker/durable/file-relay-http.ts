// Relayed files over HTTP, in the room's Durable Object (the Worker forwards PUT/GET/HEAD
// /api/rooms/<id>/files/<key> here). The room decides (room/features/file-relay.ts: whose
// capability, whose token, which file); this file moves the bytes between the request and the
// bucket, and checks what only the bytes can tell: that exactly the accepted size arrives.
//
// Unlike a voice recording, a file is never held in memory: the body streams through a
// FixedLengthStream into R2 (which must know an object's length before it starts), so a 90 MiB
// upload costs the object no more memory than a small one. A body longer or shorter than the
// accepted size fails the stream, and nothing is stored.
//
// Every answer but a file is JSON, `{ error, status }` as everywhere in the API. A file is served
// so that it can only ever be a download: application/octet-stream with nosniff, a CSP that
// forbids everything, `Content-Disposition: attachment`, and never stored by a cache.

import { FILE_KEY } from "../../protocol/protocol";
import type { Effect } from "../room/effects";
import { parseRange, rangedResponse } from "../voice/range";
import type { LiveRoom } from "./live-room";
import { noRoom } from "./no-room";
import { unread } from "./voice-http";

/** What the file routes need of the room object: the live room now (null once deleted), and its effect executor. */
export interface FileRelayHost {
  room(): LiveRoom | null;
  execute(effects: readonly Effect[]): void;
}

/** Relayed files are only ever saved, whatever the sender called their type. */
const OCTETS = "application/octet-stream";
const FILE_PATH = /^\/api\/rooms\/[^/]+\/files\/([A-Za-z0-9_-]{22})$/;

/** The file's key if this is a file route's path, else null. */
export const fileKeyOf = (pathname: string): string | null => {
  const key = FILE_PATH.exec(pathname)?.[1] ?? null;
  return key !== null && FILE_KEY.test(key) ? key : null;
};

/**
 * Uploads a room takes at once. They stream, so this bounds connections and bucket writes, not
 * memory: a room's members rarely send more than this many files in the same minute.
 */
export const MAX_FILE_UPLOADS_IN_FLIGHT = 4;
/**
 * How long one upload may take: 90 MiB at 1 Mbit/s is 13 minutes. A client trickling bytes must
 * not hold a slot for ever. Kept under the room's UPLOAD_MS, so the room never forgets an
 * upload that is still running.
 */
export const FILE_UPLOAD_DEADLINE_MS = 15 * 60_000;
const inFlight = new WeakMap<LiveRoom, number>();

const fail = (status: number, error: string, headers?: HeadersInit) => Response.json({ error, status }, { status, ...(headers ? { headers } : {}) });

export function serveRelayedFile(host: FileRelayHost, request: Request, key: string, deadlineMs = FILE_UPLOAD_DEADLINE_MS): Promise<Response> {
  const room = host.room();
  if (!room) return unread(request, noRoom());
  const url = new URL(request.url);
  switch (request.method) {
    case "PUT":
      return upload(host, room, request, key, url.searchParams.get("cap"), deadlineMs);
    case "GET":
    case "HEAD":
      return download(room, request, key, url.searchParams.get("m"));
    default:
      return unread(request, fail(405, "a file is PUT once, then read with GET or HEAD", { Allow: "PUT, GET, HEAD" }));
  }
}

async function upload(host: FileRelayHost, room: LiveRoom, request: Request, key: string, cap: string | null, deadlineMs: number): Promise<Response> {
  // Claimed before anything is read: the capability is spent now, so a second PUT racing this
  // one is refused whatever becomes of this one.
  const claim = room.core.claimRelayUpload(key, cap);
  if (!claim.ok) return unread(request, fail(claim.status, claim.error));
  const size = claim.relay.size;
  const refuse = (status: number, error: string) => {
    if (host.room() === room) host.execute(room.core.relayUploadFailed(key));
    return fail(status, error);
  };
  const length = request.headers.get("Content-Length");
  if (length === null) return unread(request, refuse(411, `send the file with its Content-Length (${size} bytes)`));
  if (Number(length) !== size) return unread(request, refuse(413, `the file accepted is ${size} bytes, not ${length.slice(0, 20)}`));
  const busy = inFlight.get(room) ?? 0;
  if (busy >= MAX_FILE_UPLOADS_IN_FLIGHT) return unread(request, refuse(503, "too many files are arriving in this room at once: try again in a moment"));
  inFlight.set(room, busy + 1);
  try {
    if (size === 0 || !request.body) {
      if (size !== 0) return refuse(400, "the file was cut off");
      await room.files.put(key, new Uint8Array(0), OCTETS);
    } else {
      const fixed = new FixedLengthStream(size);
      const deadline = AbortSignal.timeout(deadlineMs);
      const piping = request.body.pipeTo(fixed.writable, { signal: deadline });
      const storing = room.files.put(key, fixed.readable, OCTETS);
      const [piped, stored] = await Promise.allSettled([piping, storing]);
      if (piped.status === "rejected") return refuse(deadline.aborted ? 408 : 400, deadline.aborted ? `the file took longer than ${deadlineMs / 60_000} minutes to arrive` : "the file was cut off, or longer than accepted");
      if (stored.status === "rejected") return refuse(500, "the file could not be stored");
    }
  } finally {
    inFlight.set(room, (inFlight.get(room) ?? 1) - 1);
  }
  // The room may have been deleted, or the transfer ended, while the bytes travelled: then what
  // was stored is nobody's.
  const ready = host.room() === room ? room.core.relayStored(key) : null;
  if (!ready) {
    await room.files.delete([key]).catch(() => {});
    return fail(403, "this transfer ended while the file was uploading");
  }
  host.execute(ready);
  return Response.json({ key, bytes: size }, { status: 201 });
}

async function download(room: LiveRoom, request: Request, key: string, token: string | null): Promise<Response> {
  const verdict = room.core.relayFetchable(key, token);
  if (!verdict.ok) return fail(verdict.status, verdict.error);
  const size = verdict.relay.size;
  const range = parseRange(request.headers.get("Range"), size);
  if (range.kind === "unsatisfiable") return fail(416, `the file is ${size} bytes long`, { "Content-Range": `bytes */${size}` });
  const headers = new Headers({
    // Never the sender's type: whatever the bytes are, a browser only ever saves them.
    "Content-Type": OCTETS,
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; sandbox",
    "Content-Disposition": `attachment; filename="file"; filename*=UTF-8''${encodeURIComponent(verdict.relay.name)}`,
    // The URL carries the recipient's token, and the file is theirs alone.
    "Cache-Control": "private, no-store",
    // A cut download goes on from where it stopped.
    "Accept-Ranges": "bytes",
  });
  return rangedResponse(request.method, headers, range, size, (part) => room.files.get(key, part), () => fail(404, "this file is no longer stored"));
}
