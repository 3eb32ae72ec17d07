// Client-side routes: / (landing), /r/<room id> (pre-join, then the room), /check.

import { HOST_KEY, isMode, type Mode, ROOM_ID_PATTERN } from "../../../protocol/protocol";
import { readStored, storeHostKey, writeStored } from "../stored";

export type Route = { page: "landing" } | { page: "room"; roomId: string } | { page: "check" };


export function parseRoute(pathname: string): Route {
  const m = /^\/r\/([^/]+)\/?$/.exec(pathname);
  if (m && ROOM_ID_PATTERN.test(m[1]!)) return { page: "room", roomId: m[1]! };
  if (pathname === "/check") return { page: "check" };
  return { page: "landing" };
}

/** A pasted link (any host: it may come from another deployment) or a bare room id. */
export function roomIdFromInput(input: string): string | null {
  const s = input.trim();
  if (ROOM_ID_PATTERN.test(s)) return s;
  try {
    const route = parseRoute(new URL(s).pathname);
    return route.page === "room" ? route.roomId : null;
  } catch {
    return null;
  }
}

export function navigate(path: string): void {
  history.pushState(null, "", path);
  dispatchEvent(new PopStateEvent("popstate"));
}

/** Where the API lives: the same origin, unless the web app is deployed on its own (Pages). */
export const API_ORIGIN: string = (import.meta.env.VITE_API_ORIGIN as string | undefined) || location.origin;

export const roomSocketUrl = (roomId: string) => `${API_ORIGIN.replace(/^http/, "ws")}/api/rooms/${roomId}/ws`;

/**
 * Creates a room and returns its id; throws if the server refused (rate limit) or could not be
 * reached. The room's host key is kept in this browser: its joins make it the host. `lobby`: the
 * room starts with "ask to join" on; `mode`: a meeting (the default) or a stage.
 */
export async function createRoom(opts: { lobby?: boolean; mode?: Mode } = {}): Promise<string> {
  const options = { ...(opts.lobby ? { lobby: true } : {}), ...(opts.mode && opts.mode !== "meeting" ? { mode: opts.mode } : {}) };
  const res = await fetch(`${API_ORIGIN}/api/rooms`, {
    method: "POST",
    ...(Object.keys(options).length > 0 ? { headers: { "content-type": "application/json" }, body: JSON.stringify(options) } : {}),
  });
  if (!res.ok) throw new Error(`creating a room: ${res.status}`);
  const body: unknown = await res.json();
  if (typeof body !== "object" || body === null || !("id" in body) || typeof body.id !== "string" || !ROOM_ID_PATTERN.test(body.id)) {
    throw new Error("creating a room: unexpected answer");
  }
  // A server from before host keys answers without one: the room works, with nobody as its host.
  if ("hostKey" in body && typeof body.hostKey === "string" && HOST_KEY.test(body.hostKey)) storeHostKey(body.id, body.hostKey);
  return body.id;
}

/** A link that makes whoever opens it a host of the room: the key rides in the fragment, which no request carries. */
export const hostLink = (roomId: string, key: string) => `${location.origin}/r/${roomId}#host=${key}`;

/**
 * A host link opened: keeps its key for the room and takes it out of the address bar at once, so
 * that it does not stay in the history, a bookmark, or a link copied from the address bar.
 */
export function takeHostKeyFromUrl(): void {
  const m = /^#host=([^&]*)/.exec(location.hash);
  if (!m) return;
  const route = parseRoute(location.pathname);
  if (route.page === "room" && HOST_KEY.test(m[1]!)) storeHostKey(route.roomId, m[1]!);
  history.replaceState(history.state, "", location.pathname + location.search);
}

/** What a room link leads to, as far as the page needs it before joining. */
export interface RoomInfo {
  /**
   * Meeting or stage: a stage's viewers are never asked for a camera or mic. Null when the
   * server could not be asked (offline, or an error): the room's welcome says it later.
   */
  mode: Mode | null;
}

/**
 * What a link leads to: null only when the server says there is no such room (404); a network
 * failure is not proof of anything, and the room socket's own retries take over. A server from
 * before stages answers without a mode: it has only meetings.
 */
async function fetchRoomInfo(roomId: string): Promise<RoomInfo | null> {
  try {
    const res = await fetch(`${API_ORIGIN}/api/rooms/${roomId}`);
    if (res.status === 404) return null;
    if (!res.ok) return { mode: null };
    const body: unknown = await res.json().catch(() => null);
    const mode = typeof body === "object" && body !== null && "mode" in body ? body.mode : "meeting";
    return { mode: isMode(mode) ? mode : null };
  } catch {
    return { mode: null };
  }
}

/** Asked once, as early as the page knows the room (alongside loading the room's code), and taken by the first `roomInfo`. */
let early: { roomId: string; info: Promise<RoomInfo | null> } | null = null;

/** Starts asking about the room before the room page has loaded: a meeting's camera then starts without waiting for a round trip. */
export function prefetchRoomInfo(roomId: string): void {
  early = { roomId, info: fetchRoomInfo(roomId) };
}

export function roomInfo(roomId: string): Promise<RoomInfo | null> {
  const prefetched = early?.roomId === roomId ? early.info : null;
  early = null;
  return prefetched ?? fetchRoomInfo(roomId);
}

const RECENT_KEY = "roomlink.recent";

export function recentRooms(): string[] {
  try {
    const v = JSON.parse(readStored(RECENT_KEY) ?? "[]") as unknown;
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string" && ROOM_ID_PATTERN.test(x)).slice(0, 5) : [];
  } catch {
    return []; // not JSON: start a new list
  }
}

export function rememberRoom(id: string): void {
  writeStored(RECENT_KEY, JSON.stringify([id, ...recentRooms().filter((r) => r !== id)].slice(0, 5)));
}
