// What the room core asks of its adapter: a closed union of effects, executed in order by one
// exhaustive executor in the Durable Object (durable/room-do.ts). The core decides; the adapter
// only touches sockets, storage timers, crypto and the TURN provider.

import { assertNever, type ClientMessage, CloseCode, type ErrorCode, type ServerMessage } from "../../protocol/protocol";
import type { Admission } from "../socket-guard";

export type Outgoing = ServerMessage;

export type JoinMessage = Extract<ClientMessage, { type: "join" }>;

/**
 * Whom a frame goes to: the socket being handled, these members' sockets, or the sockets of these
 * knocks (newcomers waiting in the lobby, who are not members).
 */
export type Target = "self" | readonly string[] | { readonly knocks: readonly string[] };

/**
 * Mint ICE credentials for `peerId` (asynchronous: the provider may be a remote API), then hand
 * them back to the core (RoomCore.minted), which says what follows: the welcome of a join that
 * was decided for this id, or an `ice` frame for a member that asked for fresh credentials.
 *
 * A welcome's mint says what the join was granted: `host` when it presented the host key, and
 * `knock` when a host admitted it from the lobby. Then the credentials are handed back on behalf
 * of that knock's socket, not the socket that sent the `admit`.
 */
export type MintIce =
  | { kind: "mint-ice"; peerId: string; then: "welcome"; join: JoinMessage; host?: boolean; knock?: string }
  | { kind: "mint-ice"; peerId: string; then: "ice" };

/**
 * Check what a join presents, asynchronously (SHA-256, PBKDF2: access/secrets.ts), then hand the
 * result back to the core (RoomCore.checked) on behalf of the same socket. `hostKey` is the stored
 * hash to compare `join.hostKey` against, `passcode` the stored record to check `join.passcode`
 * against; null means "not asked". The passcode is checked only if the host key did not match.
 */
export interface CheckJoin {
  kind: "check-join";
  join: JoinMessage;
  hostKey: string | null;
  passcode: string | null;
}

export interface JoinChecked {
  /** The join presented the room's host key. */
  host: boolean;
  /** The join presented the room's passcode (false when it was not checked). */
  passcode: boolean;
}

/** Hash a passcode a host set (PBKDF2, random salt), then hand the record back (RoomCore.passcodeHashed). */
export interface HashPasscode {
  kind: "hash-passcode";
  passcode: string;
  /** Which setting this is: a later one (another set, or a clear) wins over a hash still running. */
  seq: number;
}

export type Effect =
  /** Deliver a frame. */
  | { kind: "send"; to: Target; msg: Outgoing }
  /** The socket being handled now carries this member (and waits as no knock). */
  | { kind: "bind"; peerId: string }
  /**
   * Another socket still carries this member (a resume overtook a half-dead connection): detach
   * it, so that its closing does not make the member away, and close it with 4410.
   */
  | { kind: "replace"; peerId: string }
  /** The socket being handled carries no member any more (it left). */
  | { kind: "unbind" }
  /** Close the socket being handled, after the frames before this effect. */
  | { kind: "close"; code: CloseCode; reason: string }
  /**
   * Close the socket being handled for abuse, as a socket flooding past its rate limit is: its
   * member leaves at once (no grace period, no resume) and its address cools down. For a member
   * that floods the room through one of its rations (features/stage.ts: hands).
   */
  | { kind: "expel"; code: CloseCode; reason: string }
  /** The socket being handled now waits in the lobby as this knock. */
  | { kind: "bind-knock"; knock: string }
  /** This knock's socket waits as no knock any more (denied, expired, admitted elsewhere); closed with `close`. */
  | { kind: "end-knock"; knock: string; close: { code: CloseCode; reason: string } | null }
  /** Close this member's socket (a host removed it), detached first so that its closing does not make it away. */
  | { kind: "close-peer"; peerId: string; code: CloseCode; reason: string }
  /** Close every socket of the room: members, knocks and sockets that have not joined (the meeting ended). */
  | { kind: "close-all"; code: CloseCode; reason: string }
  | MintIce
  | CheckJoin
  | HashPasscode
  /** Deadlines (grace periods, knocks, the temporary host, chat retention) may have moved: set the alarm again. */
  | { kind: "schedule" }
  /**
   * The frame was refused (not joined, no such peer, already joined, not allowed): it counts
   * against the socket like an invalid one, so a client cannot keep the room busy answering
   * refusals forever.
   */
  | { kind: "strike" }
  /** The member is gone for good (left, expelled, removed, grace period over): its TURN credentials end now where the provider allows. */
  | { kind: "release-ice"; peerId: string }
  /**
   * These voice recordings are no longer the room's (their messages were dropped, or they were
   * never sent in time): delete them from the bucket. A failure leaves them to the bucket's
   * lifecycle rule.
   */
  | { kind: "delete-voice"; keys: readonly string[] }
  /** These relayed files' transfers ended (features/file-relay.ts): delete them from the bucket. */
  | { kind: "delete-files"; keys: readonly string[] }
  /** The room stood empty past its retention: every socket is closed and all its storage deleted, its recordings too. */
  | { kind: "delete-room" };

export const UNBIND: Effect = { kind: "unbind" };
export const SCHEDULE: Effect = { kind: "schedule" };

export const sendSelf = (msg: Outgoing): Effect => ({ kind: "send", to: "self", msg });
export const sendTo = (to: readonly string[], msg: Outgoing): Effect => ({ kind: "send", to, msg });
export const sendKnocks = (knocks: readonly string[], msg: Outgoing): Effect => ({ kind: "send", to: { knocks }, msg });
export const error = (code: ErrorCode, message: string, limit?: number): Effect =>
  sendSelf(limit === undefined ? { type: "error", code, message } : { type: "error", code, message, limit });
/** A refused frame: the error, and a strike against the socket. */
export const refuse = (code: ErrorCode, message: string): Effect[] => [error(code, message), { kind: "strike" }];

/**
 * What a member's frame comes to under one of its rations (hands, reactions: a SocketGuard per
 * member in RoomState): null when admitted; otherwise `rate-limited` the first time in an
 * episode, nothing for the next ones (answering a flood would amplify it), and the member
 * expelled with 4429 once it has used up its drop allowance. `what` names the frames, for people.
 */
export function overRation(admission: Admission, what: string): Effect[] | null {
  switch (admission) {
    case "ok":
      return null;
    case "throttled":
      return [error("rate-limited", `too many ${what}: slow down`)];
    case "drop":
      return [];
    case "close":
      return [{ kind: "expel", code: CloseCode.RateLimited, reason: `too many ${what}` }];
    default:
      return assertNever(admission);
  }
}
