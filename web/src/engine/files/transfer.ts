// What both ends of a transfer report: how it ended, and the events the UI and the mesh listen to.

import type { FileChannel } from "./channel";
import type { FileError } from "./errors";
import type { Progress } from "./progress";
import type { ResumeRecord } from "./resume";

/**
 * How a transfer ended. `by` says who ended it: "local" (our person cancelled or declined, or
 * our side refused what it got: the code says why, and the other end was sent the same code in
 * `cancel`), "remote" (the other end's cancel or decline, with its code), or "link" (the channel
 * closed: code "interrupted"). `resume` is set only on a receiver that can go on from there.
 */
export type TransferEnd = { ok: true } | { ok: false; error: FileError; by: "local" | "remote" | "link"; resume: ResumeRecord | null };

export type TransferEvents<Phase extends string> = {
  phase: Phase;
  progress: Progress;
  /** Once, last. */
  end: TransferEnd;
};

/** Sends on a channel that may have closed under us (send() throws InvalidStateError then). */
export function trySend(channel: Pick<FileChannel, "send">, data: string | ArrayBuffer | Uint8Array<ArrayBuffer>): boolean {
  try {
    channel.send(data);
    return true;
  } catch {
    return false;
  }
}

/** Closes a channel that may be closed already (close() is idempotent in browsers; a fake may not be). */
export function tryClose(channel: { close(): void }): void {
  try {
    channel.close();
  } catch {
    // Already closed or never opened: nothing left to release.
  }
}
