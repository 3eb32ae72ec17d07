// Who a file can go to: the people we have a peer connection with. A file never passes through
// the room, so someone we are not connected to (a stage viewer sees only the speakers; a peer
// still connecting, or whose connection failed) is offered nothing.

import type { Participant } from "../../engine/session/room-session";

/** Connected, or reconnecting (a transfer resumes from its last verified block once the connection is back). */
export const canSendTo = (p: Participant): boolean => p.connection === "connected" || p.connection === "reconnecting";

export const reachable = (participants: readonly Participant[]): Participant[] => participants.filter(canSendTo);
