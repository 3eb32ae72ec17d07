// Mesh or SFU: the room's choice, as a pure function of what it knows (protocol/features/transport.ts
// states the rule; transport.ts next to this applies it). Without an SFU the answer is always the
// mesh. With one, a meeting goes to the SFU past `meshMax` members and a stage past `meshViewers`
// viewers, and comes back only well below the line (MESH_BACK_MEMBERS, MESH_BACK_VIEWERS): one
// person coming and going at the line must not move everyone's media each time.

import { MESH_BACK_MEMBERS, MESH_BACK_VIEWERS, type Mode, type TransportKind } from "../../../protocol/protocol";

export interface TransportInputs {
  /** In force now. */
  current: TransportKind;
  /** The deployment has an SFU. */
  sfu: boolean;
  mode: Mode;
  /** Members present or away (an away member keeps its seat, and comes back to it). */
  members: number;
  /** On a stage, its viewers, present or away. */
  viewers: number;
  meshMax: number;
  meshViewers: number;
}

/** The transport the room needs, ignoring how recently it last switched. */
export function neededTransport(i: TransportInputs): TransportKind {
  if (!i.sfu) return "mesh";
  const [count, line, back] = i.mode === "meeting" ? [i.members, i.meshMax, MESH_BACK_MEMBERS] : [i.viewers, i.meshViewers, MESH_BACK_VIEWERS];
  if (count > line) return "sfu";
  // Between the two lines the room stays where it is. The lower line is never below zero: a room
  // whose line is lower than the gap (STAGE_VIEWERS under 5) goes back when nobody is left.
  if (i.current === "sfu" && count > Math.max(0, line - back)) return "sfu";
  return "mesh";
}

/**
 * When a switch to what the room needs may happen: now, or when the last one is old enough
 * (at most one per `minMs`). `since` is when the room last switched (null: never).
 */
export function switchAt(since: number | null, now: number, minMs: number): number {
  return since === null ? now : Math.max(now, since + minMs);
}
