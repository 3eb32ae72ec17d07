// What the room core asks of its adapter: a closed union of effects, executed in order by one
// exhaustive executor in the Durable Object (durable/room-do.ts). The core decides; the adapter
// only touches sockets, storage timers and the TURN provider.

import type { ClientMessage, CloseCode, ErrorCode, ServerMessage } from "../../protocol/protocol";

export type Outgoing = ServerMessage;

export type JoinMessage = Extract<ClientMessage, { type: "join" }>;

/**
 * Mint ICE credentials for `peerId` (asynchronous: the provider may be a remote API), then hand
 * them back to the core (RoomCore.minted), which says what follows: the welcome of a join that
 * was decided for this id, or an `ice` frame for a member that asked for fresh credentials.
 */
export type MintIce =
  | { kind: "mint-ice"; peerId: string; then: "welcome"; join: JoinMessage }
  | { kind: "mint-ice"; peerId: string; then: "ice" };

export type Effect =
  /** Deliver a frame: back to the socket being handled, or to these members' sockets. */
  | { kind: "send"; to: "self" | readonly string[]; msg: Outgoing }
  /** The socket being handled now carries this member. */
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
  | MintIce
  /** Deadlines (grace periods, chat retention) may have moved: set the alarm again. */
  | { kind: "schedule" }
  /**
   * The frame was refused (not joined, no such peer, already joined, not allowed): it counts
   * against the socket like an invalid one, so a client cannot keep the room busy answering
   * refusals forever.
   */
  | { kind: "strike" }
  /** The member is gone for good (left, expelled, grace period over): its TURN credentials end now where the provider allows. */
  | { kind: "release-ice"; peerId: string }
  /** The room stood empty past its retention: every socket is closed and all its storage deleted. */
  | { kind: "delete-room" };

export const UNBIND: Effect = { kind: "unbind" };
export const SCHEDULE: Effect = { kind: "schedule" };

export const sendSelf = (msg: Outgoing): Effect => ({ kind: "send", to: "self", msg });
export const sendTo = (to: readonly string[], msg: Outgoing): Effect => ({ kind: "send", to, msg });
export const error = (code: ErrorCode, message: string): Effect => sendSelf({ type: "error", code, message });
/** A refused frame: the error, and a strike against the socket. */
export const refuse = (code: ErrorCode, message: string): Effect[] => [error(code, message), { kind: "strike" }];
