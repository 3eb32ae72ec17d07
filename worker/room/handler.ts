// A handler per client message type, and who may send it. The table (handlers.ts) is typed over
// the client message union, so a message type without a handler does not compile; RoomCore
// checks the declared permission in one place before any handler runs.

import type { ClientMessage } from "../../protocol/protocol";
import type { Effect } from "./effects";
import type { StoredMember } from "./ports";
import type { RoomState } from "./state";

/** "any": any socket, joined or not (join); "member": a joined member; "host": a member whose role is host. */
export type Permission = "any" | "member" | "host";

export type MessageOf<K extends ClientMessage["type"]> = Extract<ClientMessage, { type: K }>;

/** `from` is the sending socket's member; a handler for members can rely on there being one. */
export type Handler<M extends ClientMessage> =
  | { who: "any"; run(room: RoomState, from: StoredMember | null, msg: M): Effect[] }
  | { who: "member" | "host"; run(room: RoomState, from: StoredMember, msg: M): Effect[] };

export type Handlers = { readonly [K in ClientMessage["type"]]: Handler<MessageOf<K>> };
