// What the UI sees of peer-to-peer files (features/files.ts owns it): the files we send, each to
// one or more people, and the files offered to us. The UI turns the statuses and problems into
// words (it knows which side it is on, and `by` says who ended a transfer).

import type { FileErrorCode } from "../files/errors";
import type { Progress } from "../files/progress";

export type { Progress };

/**
 * Why a transfer ended without the file: a code of the sub-protocol (files/errors.ts), or
 * "left" (the other person left the room), "no-space" (this browser has no room to store it: not
 * enough disk quota, or no disk storage and too big for memory), "unreachable" (no connection to
 * that person: a stage viewer can reach speakers only). Relayed through the room's bucket (on the
 * SFU): "expired" (not accepted, uploaded or fetched in time, and deleted), "relay-too-large"
 * (over what the room relays, FILE_RELAY_MAX_BYTES).
 */
export type FileProblem = FileErrorCode | "left" | "no-space" | "unreachable" | "expired" | "relay-too-large";

export interface FileEnd {
  problem: FileProblem;
  /** "local": we ended it (or our side refused what came); "remote": the other person; "link": the connection. */
  by: "local" | "remote" | "link";
}

/**
 * One recipient of a file we send: "queued" behind our other transfers to them, "offered"
 * (waiting for their yes), "sending", "resuming" (the channel was cut; going on from the last
 * verified block once the connection is back), "done" (every block verified by them), "failed".
 */
export type OutgoingStatus = "queued" | "offered" | "sending" | "resuming" | "done" | "failed";

export interface OutgoingRecipient {
  peerId: string;
  /** Their name when we sent it (they may have left since). */
  name: string;
  status: OutgoingStatus;
  progress: Progress | null;
  end: FileEnd | null;
}

export interface OutgoingFile {
  /** Local id of this send (one file, one or more recipients). */
  id: string;
  name: string;
  size: number;
  /** Bytes hashed so far: a file is hashed once, before it is offered; equals `size` when ready. */
  hashed: number;
  recipients: OutgoingRecipient[];
}

/**
 * A file offered to us: "offered" (waiting for our yes or no), "receiving", "resuming" (cut;
 * waiting for the sender to go on), "saving" (every block verified, the file being made whole),
 * "done" (`url` downloads it), "failed".
 */
export type IncomingStatus = "offered" | "receiving" | "resuming" | "saving" | "done" | "failed";

export interface IncomingFile {
  /** The sender's transfer id (protocol/features/files.ts). */
  transfer: string;
  from: string;
  /** The sender's name when the offer came. */
  fromName: string;
  /** Checked by the sub-protocol: no path, no control or bidi characters, at most 255 characters. */
  name: string;
  size: number;
  /** The sender's media type for it, or "" (a hint for the download only). */
  mime: string;
  status: IncomingStatus;
  progress: Progress | null;
  end: FileEnd | null;
  /** Once done: an object URL of the verified file (disk-backed where the browser has OPFS). */
  url: string | null;
}

export interface FilesView {
  /** Newest last. */
  outgoing: readonly OutgoingFile[];
  /** Newest last. */
  incoming: readonly IncomingFile[];
}

export const NO_FILES: FilesView = { outgoing: [], incoming: [] };
