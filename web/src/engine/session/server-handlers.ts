// A table from server message type to handler, instead of a switch that grows with every
// feature: the mapped type makes a missing (or misspelt) entry a compile error, and adding a
// message type means adding one entry.

import type { ServerMessage } from "../../../../protocol/protocol";

export type ServerHandlers = { [K in ServerMessage["type"]]: (msg: Extract<ServerMessage, { type: K }>) => void };

export function dispatch(handlers: ServerHandlers, msg: ServerMessage): void {
  // TypeScript cannot correlate `handlers[msg.type]` with `msg` (microsoft/TypeScript#30581);
  // the mapped type above guarantees each entry takes exactly its own message.
  (handlers[msg.type] as (m: ServerMessage) => void)(msg);
}
