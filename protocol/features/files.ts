// Peer-to-peer files: the bytes never pass through the room. A sender opens a negotiated data
// channel for each transfer on its existing peer connection and tells the receiver which one with
// this signal; the receiver opens the same stream id on its side, and the two speak the
// data-channel sub-protocol (web/src/engine/files/wire.ts, docs/protocol.md) on it.
//
// Negotiated rather than announced in-band (DCEP): nothing opens at the receiver unless its own
// code chose to open that stream, so a peer cannot make it hold channels it never wanted, and
// the receiver bounds how many it opens (web/src/engine/features/files.ts). A transfer that is
// resumed after its channel was cut is announced again with the same `transfer` on a new stream.
//
// Stream ids: 0..FILE_CHANNEL_MAX (Chrome negotiates 1024 SCTP streams), even for the member
// whose id sorts first and odd for the other, so two members opening channels at the same time
// never pick the same one.

import { isIntIn, isString, type Obj } from "../wire";

/** Highest data-channel stream id a transfer may use. */
export const FILE_CHANNEL_MAX = 1023;
/** A transfer id: 16 random bytes in base64url, chosen by the sender; the same across resumes. */
export const TRANSFER_ID = /^[A-Za-z0-9_-]{22}$/;

export interface FileSignal {
  kind: "file";
  transfer: string;
  /** The negotiated stream id the sender opened for it. */
  channel: number;
}

export function fileSignal(v: Obj): FileSignal | null {
  if (!isString(v.transfer) || !TRANSFER_ID.test(v.transfer) || !isIntIn(v.channel, 0, FILE_CHANNEL_MAX)) return null;
  return { kind: "file", transfer: v.transfer, channel: v.channel };
}
