// Who a file can go to. On the mesh: the people we have a peer connection with (the file never
// passes through the room, so someone we are not connected to, like a stage viewer who sees only
// the speakers, or a peer still connecting, is offered nothing). On the SFU the file goes through
// the room's bucket (features/files.ts filePath): anyone in the room, even away for a moment (the
// room keeps the offer for them, and their resume brings it: protocol/features/file-relay.ts).

import type { TransportKind } from "../../../../protocol/protocol";
import type { Participant } from "../../engine/session/room-session";

/** Mesh: connected, or reconnecting (a transfer resumes from its last verified block once the connection is back). SFU: in the room. */
export const canSendTo = (p: Participant, transport: TransportKind): boolean =>
  transport === "sfu" || p.connection === "connected" || p.connection === "reconnecting";

export const reachable = (participants: readonly Participant[], transport: TransportKind): Participant[] => participants.filter((p) => canSendTo(p, transport));
