// The Worker: a small JSON API under /api/ and the room sockets. Everything else is the static
// web app, which Workers static assets serve before this code runs (wrangler.toml [assets]).

import { AutoRouter, StatusError, json, type IRequest } from "itty-router";
import { FILE_KEY, FILE_RELAY_MAX_BYTES, isMode, PROTOCOL_VERSION, VOICE_KEY, type Mode } from "../protocol/protocol";
import { SFU_BODY_MAX_BYTES } from "../protocol/sfu";
import { isObj } from "../protocol/wire";
import { hashHostKey, newHostKey } from "./access/secrets";
import type { Env } from "./env";
import { isRoomId, newRoomId } from "./ids";
import { isOriginAllowed, parseAllowedOrigins } from "./origin";
import { realtimeSettings } from "./realtime/realtime-settings";

export { RoomDO } from "./durable/room-do";

const router = AutoRouter({
  base: "/api",
  // One error shape for the whole API: { error, status }.
  catch: (err: unknown) => {
    const status = err instanceof StatusError ? err.status : 500;
    // Unexpected failures are logged (Workers Logs); expected ones are the client's to read.
    if (status === 500) console.error("unhandled error", err);
    const message = err instanceof Error && status !== 500 ? err.message : "internal error";
    return json({ error: message, status }, { status });
  },
  missing: () => json({ error: "no such route", status: 404 }, { status: 404 }),
});

router.get("/health", () => ({ ok: true, protocol: PROTOCOL_VERSION }));

/** Cloudflare puts the client's address in CF-Connecting-IP; without it (a local tool) all share one bucket. */
const clientKey = (request: Request) => request.headers.get("CF-Connecting-IP") ?? "unknown";

async function allow(limiter: RateLimit, request: Request): Promise<void> {
  const { success } = await limiter.limit({ key: clientKey(request) });
  if (!success) throw new StatusError(429, "too many requests from this address; try again in a minute");
}

const roomOf = (env: Env, id: string) => env.ROOMS.get(env.ROOMS.idFromName(id));

function roomIdOf(request: IRequest): string {
  const { id } = request.params;
  if (!id || !isRoomId(id)) throw new StatusError(400, "malformed room id");
  return id;
}

/** A create body is a few bytes; anything much longer is not one. */
const CREATE_BODY_MAX = 1024;

/** What a room is created with. */
interface CreateOptions {
  /** "Ask to join" checked: newcomers knock. */
  lobby: boolean;
  /** A meeting (everyone on camera) or a stage (a few speakers, an audience). */
  mode: Mode;
}

const CREATE_FIELDS = ["lobby", "mode"];
const CREATE_SHAPE = '{"lobby": true|false, "mode": "meeting"|"stage"} (both optional), or nothing';

/** Reads a create body: nothing (defaults), or an object with `lobby` and `mode`, each optional. */
async function createOptions(request: Request): Promise<CreateOptions> {
  const text = await request.text();
  if (text.length > CREATE_BODY_MAX) throw new StatusError(400, `the body must be at most ${CREATE_BODY_MAX} characters`);
  if (text.trim() === "") return { lobby: false, mode: "meeting" };
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new StatusError(400, `the body must be JSON: ${CREATE_SHAPE}`);
  }
  if (!isObj(body)) throw new StatusError(400, `the body must be a JSON object: ${CREATE_SHAPE}`);
  const unknown = Object.keys(body).filter((k) => !CREATE_FIELDS.includes(k));
  if (unknown.length > 0) throw new StatusError(400, `unknown field "${unknown[0]!.slice(0, 40)}": only "lobby" and "mode" may be given`);
  if (body.lobby !== undefined && typeof body.lobby !== "boolean") throw new StatusError(400, '"lobby" must be true or false');
  if (body.mode !== undefined && !isMode(body.mode)) throw new StatusError(400, '"mode" must be "meeting" or "stage"');
  return { lobby: body.lobby === true, mode: body.mode ?? "meeting" };
}

// A room exists once created here: its object writes its tables now, and answers 404 for any id
// that was never created (or was deleted after standing empty), so made-up ids cost no storage.
// The creator gets the room's host key, once: the room keeps only its SHA-256, so the key cannot
// be read back from storage, and a lost key is lost (a temporary host stands in, see hosts.ts).
router.post("/rooms", async (request: IRequest, env: Env) => {
  const options = await createOptions(request);
  await allow(env.CREATE_LIMITER, request);
  const id = newRoomId();
  const hostKey = newHostKey();
  await roomOf(env, id).create({ hostKeyHash: await hashHostKey(hostKey), lobby: options.lobby, mode: options.mode });
  return json({ id, hostKey }, { status: 201 });
});

// Whether a link still leads to a room, and what kind: the app asks before its socket could only
// fail, and before it asks for a camera (a stage's viewers are never asked); and whether an SFU is there.
router.get("/rooms/:id", async (request: IRequest, env: Env) => {
  const id = roomIdOf(request);
  const mode = await roomOf(env, id).mode();
  if (mode === null) throw new StatusError(404, "no such room: it was never created, or it was deleted after standing empty");
  // `sfu`: whether this deployment has Cloudflare Realtime, so a page knows before asking for a session.
  return { id, mode, sfu: realtimeSettings(env) !== null };
});

router.get("/rooms/:id/ws", async (request: IRequest, env: Env) => {
  const id = roomIdOf(request);
  if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket") {
    throw new StatusError(426, "expected a WebSocket upgrade");
  }
  const url = new URL(request.url);
  if (!isOriginAllowed(request.headers.get("Origin"), url, parseAllowedOrigins(env.ALLOWED_ORIGINS))) {
    throw new StatusError(403, "origin not allowed");
  }
  await allow(env.JOIN_LIMITER, request);
  // itty-router hands us a Proxy around the Request, which a stub's fetch() cannot take; the
  // room only needs the URL and headers.
  const upgrade = new Request(url, { headers: request.headers });
  return roomOf(env, id).fetch(upgrade);
});

// Voice recordings (protocol/features/voice.ts): PUT once with the upload capability the room
// issued (`?cap=`), then GET or HEAD with a member's media token (`?m=`). The room's object
// decides and moves the bytes (durable/voice-http.ts), reading at most a few uploads at once.
async function voice(request: IRequest, env: Env): Promise<Response> {
  const id = roomIdOf(request);
  const { key } = request.params;
  if (!key || !VOICE_KEY.test(key)) throw new StatusError(404, "no such voice message: malformed key");
  // As for the socket: a new Request from the Proxy's parts, which a stub's fetch() can take.
  const forwarded = new Request(request.url, { method: request.method, headers: request.headers, body: request.method === "PUT" ? request.body : null });
  return roomOf(env, id).fetch(forwarded);
}

router.put("/rooms/:id/voice/:key", voice);
router.get("/rooms/:id/voice/:key", voice);
router.head("/rooms/:id/voice/:key", voice);

// Relayed files (protocol/features/file-relay.ts): PUT once with the upload capability the room
// issued to the sender after the recipient's yes (`?cap=`), then GET or HEAD with the recipient's
// media token (`?m=`). The room's object decides and streams the bytes (durable/file-relay-http.ts).
async function relayedFile(request: IRequest, env: Env): Promise<Response> {
  try {
    roomIdOf(request);
    const { key } = request.params;
    if (!key || !FILE_KEY.test(key)) throw new StatusError(404, "no such file: malformed key");
    // Refused here when it says so, before the room object is woken for it.
    if (Number(request.headers.get("Content-Length") ?? 0) > FILE_RELAY_MAX_BYTES) throw new StatusError(413, `a relayed file is at most ${FILE_RELAY_MAX_BYTES} bytes`);
  } catch (e) {
    // The body is let go of before the answer: one left unread fails workerd's pipe after it.
    await bodyOf(request)?.cancel().catch(() => {});
    throw e;
  }
  const forwarded = new Request(request.url, { method: request.method, headers: request.headers, body: request.method === "PUT" ? bodyOf(request) : null });
  return roomOf(env, request.params.id!).fetch(forwarded);
}

router.put("/rooms/:id/files/:key", relayedFile);
router.get("/rooms/:id/files/:key", relayedFile);
router.head("/rooms/:id/files/:key", relayedFile);

// The SFU proxy (protocol/sfu.ts): a member's page calls Cloudflare Realtime through these, with
// its media token; the room's object checks who calls and which session, and calls the API with
// the app's secret (realtime/sfu-proxy.ts). Without Realtime configured they all answer 501, and
// nothing else about the deployment changes.
/** The request's body, or null: itty-router's Proxy throws on reading a null `body` (it binds what it hands out). */
function bodyOf(request: IRequest): ReadableStream | null {
  try {
    return request.body;
  } catch {
    return null;
  }
}

async function sfu(request: IRequest, env: Env): Promise<Response> {
  let id: string;
  try {
    id = roomIdOf(request);
    if (!realtimeSettings(env)) throw new StatusError(501, "this deployment has no SFU: Cloudflare Realtime is not configured (REALTIME_APP_ID and REALTIME_APP_SECRET)");
    // Refused here when it says so: a body the room object stops reading midway leaves workerd's
    // pipe to it failing after the answer.
    if (Number(request.headers.get("Content-Length") ?? 0) > SFU_BODY_MAX_BYTES) throw new StatusError(413, `an SFU request body is at most ${SFU_BODY_MAX_BYTES} bytes`);
  } catch (e) {
    // The body is let go of before the answer: one left unread fails workerd's pipe after it.
    await bodyOf(request)?.cancel().catch(() => {});
    throw e;
  }
  const forwarded = new Request(request.url, { method: request.method, headers: request.headers, body: bodyOf(request) });
  return roomOf(env, id).fetch(forwarded);
}

router.all("/rooms/:id/sfu/*", sfu);

// How often a room's code has run: for the idle-cost benchmark only, off unless STATS_ROUTE=on.
router.get("/rooms/:id/stats", async (request: IRequest, env: Env) => {
  const { id } = request.params;
  if (env.STATS_ROUTE !== "on" || !id || !isRoomId(id)) throw new StatusError(404, "no such route");
  const counts = await roomOf(env, id).counters();
  if (!counts) throw new StatusError(404, "no such route");
  return counts;
});

export default {
  fetch(request, env, ctx) {
    const { pathname } = new URL(request.url);
    if (pathname === "/api" || pathname.startsWith("/api/")) return router.fetch(request, env, ctx);
    // Only reached when assets did not answer first (e.g. a test calling the Worker directly).
    return env.ASSETS.fetch(request);
  },
} satisfies ExportedHandler<Env>;
