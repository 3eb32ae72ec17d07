// The work a room's effects send off its thread and back: minting ICE credentials (crypto, or
// the TURN provider's API), checking a join's host key or passcode, hashing a new passcode. Other
// frames run meanwhile, so what comes back finds the room as it is by then: the socket may be
// gone, or the room deleted. Each returns a promise that never rejects, handed to the runtime so
// that the event lasts until the work is done.

import { hashPasscode, verifyJoin } from "../access/secrets";
import type { CheckJoin, Effect, HashPasscode, MintIce } from "../room/effects";
import type { LiveRoom } from "./live-room";
import { tryClose } from "./sockets";

/** RFC 6455 §7.4.1: the server met a condition it did not expect. The client reconnects (and resumes). */
const INTERNAL_ERROR = 1011;

/** What the work needs of the room object. */
export interface WorkHost {
  /** The live room now (null once deleted). */
  room(): LiveRoom | null;
  /** The room has closed this socket (or is closing it). */
  isClosing(ws: WebSocket): boolean;
  /** A join on this socket is no longer waiting for its credentials or check. */
  settled(ws: WebSocket): void;
  /** Carries out the core's effects on behalf of `ws`. */
  execute(ws: WebSocket | null, effects: readonly Effect[]): Promise<void> | undefined;
}

const gone = (host: WorkHost, ws: WebSocket) => host.isClosing(ws) || ws.readyState !== WebSocket.OPEN;

/**
 * Mints credentials for the member the core named, then hands them back to the core for the
 * socket that asked. If that socket is gone by then, it gets nothing, and a join's credentials
 * end at once. An unexpected failure closes the socket with 1011, and the client's reconnect
 * recovers (nothing was stored for a join not yet admitted).
 */
export function mint(host: WorkHost, ws: WebSocket, effect: MintIce): Promise<void> {
  const room = host.room();
  if (!room) return Promise.resolve();
  // The socket is free to join again before what follows runs, which may be another mint.
  const settle = () => {
    if (effect.then === "welcome") host.settled(ws);
  };
  return room.issuer
    .issue(effect.peerId)
    .then((ice) => {
      settle();
      const now = host.room();
      if (!now) return;
      if (gone(host, ws)) {
        // Nobody will use them: a join's credentials end now (a member's refresh stays its own).
        if (effect.then === "welcome" && !now.core.has(effect.peerId)) return now.issuer.release(effect.peerId);
        return;
      }
      return host.execute(ws, now.core.minted(now.sockets.memberOf(ws), effect, ice, now.sockets.viaOf(ws)));
    })
    .catch(() => {
      settle();
      tryClose(ws, INTERNAL_ERROR, "internal error");
    });
}

/** Checks a join's host key or passcode (SHA-256, PBKDF2), then hands the result back to the core for the same socket. */
export function check(host: WorkHost, ws: WebSocket, effect: CheckJoin): Promise<void> {
  return verifyJoin(effect)
    .then((result) => {
      host.settled(ws);
      const room = host.room();
      if (!room || gone(host, ws)) return;
      return host.execute(ws, room.core.checked(room.sockets.memberOf(ws), room.sockets.viaOf(ws), effect, result));
    })
    .catch(() => {
      host.settled(ws);
      tryClose(ws, INTERNAL_ERROR, "internal error");
    });
}

/** Hashes a passcode a host set, then hands the record back to the core. */
export function hash(host: WorkHost, effect: HashPasscode): Promise<void> {
  return hashPasscode(effect.passcode)
    .then((record) => {
      const room = host.room();
      if (room) return host.execute(null, room.core.passcodeHashed(effect.seq, record));
    })
    .catch(() => {
      // WebCrypto failing on valid input is not expected; the passcode simply stays as it was.
    });
}
