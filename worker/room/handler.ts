// A handler per client message type, and who may send it. The table (handlers.ts) is typed over
// the client message union, so a message type without a handler does not compile; RoomCore
// checks the declared permission in one place (dispatch) before any handler runs.

import { holds, type ClientMessage, type PowerLevel, type Role } from "../../protocol/protocol";
import type { Effect } from "./effects";
import type { StoredMember, Via } from "./ports";
import type { RoomState } from "./state";

/**
 * Who may send a message: "any" socket, joined or not (join; leave, which also cancels a knock),
 * or a member holding a power level (protocol/features/access.ts GRANTS: member, admit, manage,
 * owner), the table the web app reads too.
 */
export type Permission = "any" | PowerLevel;

/** Whether a member with `role` may send what needs `who`. */
export const may = (role: Role, who: Exclude<Permission, "any">): boolean => holds(role, who);

/** The `forbidden` error's text for a frame that needs `who`. */
export function forbiddenText(who: Exclude<Permission, "any">, type: string): string {
  switch (who) {
    case "member":
      return `only a member may send "${type}"`;
    case "admit":
      return `only a host, co-host or temporary host may send "${type}"`;
    case "manage":
      return `only a host or co-host may send "${type}"`;
    case "owner":
      return `only the host may send "${type}"`;
  }
}

export type MessageOf<K extends ClientMessage["type"]> = Extract<ClientMessage, { type: K }>;

/**
 * `from` is the sending socket's member; a handler for members can rely on there being one. A
 * handler for any socket also learns what else the room knows about the socket (`via`).
 */
export type Handler<M extends ClientMessage> = AnyHandler<M> | MemberHandler<M>;
export type AnyHandler<M extends ClientMessage> = { who: "any"; run(room: RoomState, from: StoredMember | null, msg: M, via: Via): Effect[] };
export type MemberHandler<M extends ClientMessage> = { who: Exclude<Permission, "any">; run(room: RoomState, from: StoredMember, msg: M): Effect[] };

export type Handlers = { readonly [K in ClientMessage["type"]]: Handler<MessageOf<K>> };
