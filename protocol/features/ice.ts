// ICE servers: STUN and TURN with short-lived credentials, handed to members only: in the
// welcome, and again on request before they expire or when a connection is restarted.

import { type ClientValidators, isObj, isOneOf, isString, isTime, listOf, ok, type ServerValidators } from "../wire";

export interface IceServer {
  urls: string[];
  username?: string;
  credential?: string;
}

export const RELAY_STATES = [
  /** TURN credentials are included. */
  "available",
  /** This deployment has no TURN (STUN only). */
  "none",
  /** TURN is configured but could not be reached, so STUN only for now. */
  "unavailable",
] as const;

/** How to reach the other members: STUN/TURN servers with short-lived credentials. */
export interface IceConfig {
  iceServers: IceServer[];
  /** When the TURN credentials stop working (ms since the epoch), or null when there are none. */
  expiresAt: number | null;
  relay: (typeof RELAY_STATES)[number];
}

/** Fresh ICE credentials (before the current ones expire). Members only, rationed. */
export type IceClientMessage = { type: "ice" };
export type IceServerMessage = { type: "ice"; ice: IceConfig };

export const ICE_ERRORS = [
  /** An `ice` request was refused: fresh credentials are rationed. The current ones still work. */
  "ice-throttled",
] as const;

const isStringList = (v: unknown): v is string[] => Array.isArray(v) && v.every(isString);

/**
 * One STUN/TURN server in RTCIceServer's shape, where `urls` may be one string or a list (as
 * TURN providers' APIs return it); normalised to a list. Null if malformed.
 */
export function parseIceServer(s: unknown): IceServer | null {
  if (!isObj(s)) return null;
  const urls = isString(s.urls) ? [s.urls] : isStringList(s.urls) ? s.urls : null;
  if (!urls) return null;
  const { username, credential } = s;
  if ((username !== undefined && !isString(username)) || (credential !== undefined && !isString(credential))) return null;
  return { urls, ...(username !== undefined ? { username } : {}), ...(credential !== undefined ? { credential } : {}) };
}

/** On the wire the room always sends `urls` as a list. */
const wireIceServer = (s: unknown): IceServer | null => (isObj(s) && isStringList(s.urls) ? parseIceServer(s) : null);

export function iceConfig(v: unknown): IceConfig | null {
  if (!isObj(v) || !isOneOf(RELAY_STATES, v.relay)) return null;
  if (v.expiresAt !== null && !isTime(v.expiresAt)) return null;
  const iceServers = listOf(v.iceServers, wireIceServer);
  return iceServers ? { iceServers, expiresAt: v.expiresAt, relay: v.relay } : null;
}

export const iceClient: ClientValidators<IceClientMessage, never> = {
  ice: () => ok({ type: "ice" }),
};

export const iceServer: ServerValidators<IceServerMessage> = {
  ice: (v) => {
    const ice = iceConfig(v.ice);
    return ice ? { type: "ice", ice } : null;
  },
};
