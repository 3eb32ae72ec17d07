// Resume: a transfer cut by an ICE restart or a signaling reconnect goes on from the last
// verified block on a new channel instead of starting over (FEATURES §6, FileSync PR#47).
//
// The receiver keeps which blocks are verified and written; what it resumes from is the first
// block that is not, so blocks 0..k verified means `accept {from: k+1}`. Blocks verified past a
// gap (after a block that was nacked) are sent again: a few MiB at most (BLOCK_WINDOW), for a
// record that stays two numbers. On the new channel the sender offers again; the receiver checks
// that the offer is the same file (its id) and the sender checks the accept's id in turn, so
// neither side splices two different files together.

import { blockCount } from "./blocks";
import { type FileError, fileError } from "./errors";
import type { FileOffer, ReceiverMessage } from "./wire";

/** What a receiver keeps to resume: the file and the first block it does not have. */
export interface ResumeRecord {
  id: string;
  nextBlock: number;
}

/** The receiver's verified blocks, from which the resume point follows. */
export class VerifiedBlocks {
  private readonly verified = new Set<number>();
  private next: number;

  constructor(
    from: number,
    readonly count: number,
  ) {
    this.next = from;
  }

  /** Verified now, or before the resume point. */
  has(index: number): boolean {
    return index < this.next || this.verified.has(index);
  }

  mark(index: number): void {
    this.verified.add(index);
    while (this.verified.delete(this.next)) this.next++;
  }

  /** The first block not verified: where a resume starts. */
  get nextBlock(): number {
    return this.next;
  }

  get complete(): boolean {
    return this.next >= this.count;
  }
}

/** The receiver's side: where to accept an offer from, given what it kept (if anything). */
export function resumeStart(record: ResumeRecord | null, offer: Pick<FileOffer, "id" | "size" | "blockSize">): { ok: true; from: number } | { ok: false; error: FileError } {
  if (!record) return { ok: true, from: 0 };
  if (record.id !== offer.id) return { ok: false, error: fileError("id-mismatch", "the offer is another file than the one being resumed") };
  const count = blockCount(offer.size, offer.blockSize);
  if (record.nextBlock > count) return { ok: false, error: fileError("bad-index", `resume at block ${record.nextBlock} of ${count}`) };
  return { ok: true, from: record.nextBlock };
}

/** The sender's side: where to start, given the receiver's accept. */
export function acceptedStart(accept: Extract<ReceiverMessage, { type: "accept" }>, offer: Pick<FileOffer, "id" | "size" | "blockSize">): { ok: true; from: number } | { ok: false; error: FileError } {
  if (accept.id !== offer.id) return { ok: false, error: fileError("id-mismatch", "the accept names another file") };
  const count = blockCount(offer.size, offer.blockSize);
  if (accept.from > count) return { ok: false, error: fileError("bad-index", `accept from block ${accept.from} of ${count}`) };
  return { ok: true, from: accept.from };
}
