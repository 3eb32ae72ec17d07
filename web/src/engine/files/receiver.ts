// The receiving end of one transfer on one channel. It takes the sender's offer (checking that
// the id is the hash of the block list), shows it (`offer` event), and receives nothing until
// the person accepts: accept(sink, from) is the only way bytes get in. Then it puts each block
// together in one buffer of the block's size (assembly.ts), verifies its SHA-256, writes it to
// the sink, and acks it; a block that fails is nacked and sent again, up to MAX_BLOCK_RETRIES
// times, after which the transfer fails and the sink is aborted, so a bad file is never offered
// as done. Memory: at most BLOCK_WINDOW blocks (one assembling, the rest waiting for their hash
// and write), enforced here whatever the sender does.
//
// Each block's hash starts as soon as it is whole; blocks go to the sink in arrival order
// (`work`), because writes to one file handle must not interleave. A sink that applies writes in
// the order they were called (the OPFS worker does) takes up to `writesAtOnce` at a time, so its
// round trip does not hold up the next block (measured: a 1 MiB write took 25 ms in the worker
// and 111–177 ms from the page's call to its reply during a transfer). A cut channel ends the
// transfer as "interrupted" once the writes on their way have settled, with a resume record: a
// new FileReceiver on the next channel calls resume(record, sameSink) (resume.ts).

import { Emitter } from "../emitter";
import { BlockAssembly } from "./assembly";
import { blockCount, bytesBefore, fileIdOf, verifyBlock } from "./blocks";
import type { ChannelEndpoint, FileChannel } from "./channel";
import { type FileError, type FileErrorCode, fileError } from "./errors";
import { ProgressMeter } from "./progress";
import { type ResumeRecord, VerifiedBlocks, resumeStart } from "./resume";
import type { FileSink } from "./sink";
import { type TransferEvents, tryClose, trySend } from "./transfer";
import { BLOCK_WINDOW, DEFAULT_LIMITS, type FileOffer, MAX_BLOCK_RETRIES, type SenderMessage, type WireLimits, checkBlockHeader, encode, parseSenderMessage } from "./wire";

/** waiting → checking (the offer's id) → offered → receiving (accept) → finishing (sink.close) → done; or ended. */
export type ReceiverPhase = "waiting" | "checking" | "offered" | "receiving" | "finishing" | "done" | "ended";

export interface ReceiverOptions {
  channel: FileChannel;
  limits?: WireLimits;
  now?: () => number;
  /** Tests only. */
  window?: number;
}

type ReceiverEvents = TransferEvents<ReceiverPhase> & {
  /** A valid offer, waiting for accept() or decline(). */
  offer: FileOffer;
};

type Handlers = { [K in SenderMessage["type"]]: (m: Extract<SenderMessage, { type: K }>) => void };

export class FileReceiver extends Emitter<ReceiverEvents> implements ChannelEndpoint {
  private state: ReceiverPhase = "waiting";
  private readonly channel: FileChannel;
  private readonly limits: WireLimits;
  private readonly window: number;
  private current: FileOffer | null = null;
  private sink: FileSink | null = null;
  private verified: VerifiedBlocks | null = null;
  private meter: ProgressMeter | null = null;
  private assembly: BlockAssembly | null = null;
  /** Blocks whose header came and that we have neither acked nor nacked: the sender's window as we see it. */
  private readonly outstanding = new Set<number>();
  private readonly failures = new Map<number, number>();
  /** Bytes of complete blocks waiting for their hash and write. */
  private queuedBytes = 0;
  /** Bytes verified and written, resume point included: what progress shows. */
  private doneBytes = 0;
  private work: Promise<void> = Promise.resolve();
  /** Writes handed to the sink and not settled yet (at most the sink's writesAtOnce). */
  private readonly writing = new Set<Promise<void>>();
  private readied = false;
  private readonly now: () => number;

  constructor(options: ReceiverOptions) {
    super();
    this.channel = options.channel;
    this.limits = options.limits ?? DEFAULT_LIMITS;
    this.window = options.window ?? BLOCK_WINDOW;
    this.now = options.now ?? (() => performance.now());
  }

  get phase(): ReceiverPhase {
    return this.state;
  }

  /** The validated offer, once there is one. */
  get offer(): FileOffer | null {
    return this.current;
  }

  /** File bytes held in memory now (the block assembling and those waiting): for tests and diagnostics. */
  get heldBytes(): number {
    return (this.assembly?.bytes ?? 0) + this.queuedBytes;
  }

  /** Where a new channel would resume: null before accept. */
  resumeRecord(): ResumeRecord | null {
    return this.current && this.verified ? { id: this.current.id, nextBlock: this.verified.nextBlock } : null;
  }

  /** Our end of the channel is open: tells the sender to offer (wire.ts). False once anything has happened. */
  ready(): boolean {
    if (this.state !== "waiting" || this.readied) return false;
    this.readied = true;
    if (!trySend(this.channel, encode({ type: "ready" }))) this.fail(fileError("interrupted", "the channel closed before ready went out"), "link");
    return true;
  }

  /**
   * Ends the transfer with `code`, told to the sender: "busy" (we take no more at once), "too-large"
   * (no room to store it), or our earlier answer again ("declined", "cancelled") to a sender that
   * missed it because the channel was cut.
   */
  refuse(code: FileErrorCode): boolean {
    if (this.final) return false;
    this.fail(fileError(code, `refused: ${code}`), "local");
    return true;
  }

  /**
   * Our person accepts: blocks from `from` on are asked for and written to `sink`, which this
   * receiver then owns (closed when done, aborted on a final failure, handed back in `end` on an
   * interruption). False if there is no offer waiting.
   */
  accept(sink: FileSink, from = 0): boolean {
    if (this.state !== "offered") return false;
    const offer = this.current!;
    const count = blockCount(offer.size, offer.blockSize);
    if (!Number.isSafeInteger(from) || from < 0 || from > count) throw new RangeError(`accept from block ${from} of ${count}`);
    this.sink = sink;
    this.verified = new VerifiedBlocks(from, count);
    this.doneBytes = bytesBefore(offer.size, from, offer.blockSize);
    this.meter = new ProgressMeter(offer.size, this.doneBytes, this.now);
    this.setPhase("receiving");
    if (!trySend(this.channel, encode({ type: "accept", id: offer.id, from }))) {
      this.fail(fileError("interrupted", "the channel closed before the accept went out"), "link");
      return true;
    }
    this.emit("progress", this.meter.update(this.doneBytes));
    // Nothing left to receive (an empty file, or a resume that had every block): finish now.
    if (this.verified.complete) this.enqueue(() => this.finish());
    return true;
  }

  /** Accepts where `record` left off, on the same sink; refuses (id-mismatch) an offer of another file. */
  resume(record: ResumeRecord, sink: FileSink): boolean {
    if (this.state !== "offered") return false;
    const start = resumeStart(record, this.current!);
    if (!start.ok) {
      this.fail(start.error, "local");
      return false;
    }
    return this.accept(sink, start.from);
  }

  decline(): boolean {
    if (this.state !== "offered") return false;
    trySend(this.channel, encode({ type: "decline" }));
    this.end(fileError("declined", "declined by the receiver"), "local");
    return true;
  }

  /** Our person cancels; false if the transfer had already ended. */
  cancel(): boolean {
    if (this.final) return false;
    this.fail(fileError("cancelled", "cancelled by the receiver"), "local");
    return true;
  }

  receive(data: string | ArrayBuffer): void {
    if (this.state === "done") return this.afterDone(data);
    // Messages that were on their way when we ended are expected; nothing to do with them.
    if (this.state === "ended") return;
    if (typeof data !== "string") return this.chunk(data);
    const parsed = parseSenderMessage(data, this.limits);
    if (!parsed.ok) return this.fail(parsed.error, "local");
    (this.handlers[parsed.value.type] as (m: SenderMessage) => void)(parsed.value);
  }

  channelClosed(): void {
    // While finishing, every block is verified and written: the file is whole, only our last
    // ack is lost, so the cut does not undo it.
    if (!this.final && this.state !== "finishing") this.fail(fileError("interrupted", "the channel closed"), "link");
  }

  private get final(): boolean {
    return this.state === "done" || this.state === "ended";
  }

  private readonly handlers: Handlers = {
    offer: (m) => {
      if (this.state !== "waiting") return this.fail(fileError("unexpected", `an offer while ${this.state}`), "local");
      const { type: _, ...offer } = m;
      this.current = offer;
      this.setPhase("checking");
      void fileIdOf(offer.blocks).then((id) => {
        if (this.state !== "checking") return;
        if (id !== offer.id) return this.fail(fileError("bad-blocks", "the file id is not the hash of its block list"), "local");
        this.setPhase("offered");
        this.emit("offer", offer);
      });
    },
    block: (m) => {
      if (this.state !== "receiving") return this.fail(fileError("unexpected", `block ${m.index} while ${this.state}`), "local");
      if (this.assembly) return this.fail(fileError("unexpected", `block ${m.index} before block ${this.assembly.index} was complete`), "local");
      const bad = checkBlockHeader(this.current!, m);
      if (bad) return this.fail(bad, "local");
      if (this.verified!.has(m.index) || this.outstanding.has(m.index)) return this.fail(fileError("unexpected", `block ${m.index} again, unasked`), "local");
      if (this.outstanding.size >= this.window) return this.fail(fileError("unexpected", `block ${m.index} past the ${this.window}-block window`), "local");
      this.outstanding.add(m.index);
      this.assembly = new BlockAssembly(m.index, m.bytes);
    },
    done: () => this.fail(fileError("unexpected", `done while ${this.state}, before every block was verified`), "local"),
    cancel: (m) => this.fail(fileError(m.reason, `the sender cancelled: ${m.reason}`), "remote"),
  };

  private chunk(data: ArrayBuffer) {
    const assembly = this.assembly;
    if (this.state !== "receiving" || !assembly) return this.fail(fileError("unexpected", `binary data while ${this.state}, outside a block`), "local");
    const overrun = assembly.add(data);
    if (overrun) return this.fail(overrun, "local");
    if (!assembly.complete) return;
    this.assembly = null;
    const bytes = assembly.take();
    this.queuedBytes += bytes.byteLength;
    // Hashed from now, while earlier blocks are still being written: WebCrypto digests off the
    // main thread and copies its input when called, so the write may take the buffer later.
    // Verifying only when a block's turn to be written came put the hash and the write of every
    // block in one line, and the sender's window waited on both.
    const verdict = verifyBlock(bytes, this.current!.blocks[assembly.index]!).catch(() => false);
    this.enqueue(() => this.process(assembly.index, bytes, verdict));
  }

  /**
   * Hands one block to the sink once its hash is in and a write slot is free, or nacks it. Never
   * rejects: `work` chains on it, and goes on to the next block once this one's write has started.
   */
  private async process(index: number, bytes: Uint8Array<ArrayBuffer>, verdict: Promise<boolean>): Promise<void> {
    // Read before the write: a sink may take the buffer (a worker's transfer detaches it).
    const length = bytes.byteLength;
    let handedOver = false;
    try {
      if (this.state !== "receiving") return;
      const offer = this.current!;
      if (!(await verdict)) {
        if (this.state !== "receiving") return;
        const failures = (this.failures.get(index) ?? 0) + 1;
        this.failures.set(index, failures);
        if (failures > MAX_BLOCK_RETRIES) return this.fail(fileError("corrupt", `block ${index} failed its hash ${failures} times`), "local");
        this.outstanding.delete(index);
        trySend(this.channel, encode({ type: "nack", block: index }));
        return;
      }
      const slots = Math.max(1, this.sink!.writesAtOnce ?? 1);
      while (this.writing.size >= slots) await Promise.race(this.writing);
      if (this.state !== "receiving") return;
      const write = this.write(index, offer.blockSize, bytes, length);
      handedOver = true;
      this.writing.add(write);
      void write.then(() => this.writing.delete(write));
    } finally {
      if (!handedOver) this.queuedBytes -= length;
    }
  }

  /** Writes one verified block, then counts it and acks it (or finishes the file). Never rejects. */
  private async write(index: number, blockSize: number, bytes: Uint8Array<ArrayBuffer>, length: number): Promise<void> {
    try {
      try {
        await this.sink!.write(index * blockSize, bytes);
      } catch (e) {
        return this.fail(fileError("write-failed", `writing block ${index}: ${e instanceof Error ? e.message : String(e)}`), "local");
      }
      // Written, so it counts for a resume even if the transfer ended during the write.
      this.verified!.mark(index);
      this.doneBytes += length;
      if (this.state !== "receiving") return;
      this.outstanding.delete(index);
      // Only the write that completes the file finishes it: every other one has settled by then.
      if (this.verified!.complete) return void this.finish(index);
      trySend(this.channel, encode({ type: "ack", block: index }));
      this.emit("progress", this.meter!.update(this.doneBytes));
    } catch {
      // A listener threw: the write itself is done; nothing here may reject (see process).
    } finally {
      this.queuedBytes -= length;
    }
  }

  /**
   * Runs `task` after every earlier one. A listener that throws from inside a task must not
   * leave `work` rejected, which would stop every later block.
   */
  private enqueue(task: () => Promise<void>) {
    this.work = this.work.then(task).catch(() => undefined);
  }

  /** Makes the file whole, then acks the last block: the sender hears "done" only about a whole file. */
  private async finish(lastBlock?: number): Promise<void> {
    if (this.state !== "receiving") return;
    this.setPhase("finishing");
    try {
      await this.sink!.close();
    } catch (e) {
      return this.fail(fileError("write-failed", `finishing the file: ${e instanceof Error ? e.message : String(e)}`), "local");
    }
    // Cancelled or cut while the sink closed: fail() has it aborted.
    if ((this.state as ReceiverPhase) !== "finishing") return;
    if (lastBlock !== undefined) trySend(this.channel, encode({ type: "ack", block: lastBlock }));
    this.setPhase("done");
    this.emit("progress", this.meter!.update(this.current!.size));
    this.emit("end", { ok: true });
  }

  /** After the whole file: the sender's `done` closes the channel; anything else is no longer our business. */
  private afterDone(data: string | ArrayBuffer) {
    if (typeof data !== "string") return;
    const parsed = parseSenderMessage(data, this.limits);
    if (parsed.ok && parsed.value.type === "done") tryClose(this.channel);
  }

  private fail(error: FileError, by: "local" | "remote" | "link") {
    if (this.final) return;
    // A local refusal tells the sender why, in the same code; a decline has its own message.
    if (by === "local") trySend(this.channel, encode({ type: "cancel", reason: error.code }));
    this.end(error, by);
  }

  private end(error: FileError, by: "local" | "remote" | "link") {
    this.setPhase("ended");
    this.assembly = null;
    tryClose(this.channel);
    // Only a cut link leaves something to resume; every other end (a cancel from either side, a
    // refusal) is final. Nothing to resume before accept either: the offer starts over.
    const resumable = by === "link" && this.verified !== null;
    const sink = this.sink;
    // After the blocks being written settle: the resume record must count them, and a new
    // receiver on the same sink must not write beside them.
    this.enqueue(async () => {
      await Promise.all(this.writing);
      if (!resumable && sink) await sink.abort().catch(() => undefined);
      this.emit("end", { ok: false, error, by, resume: resumable ? this.resumeRecord() : null });
    });
  }

  private setPhase(phase: ReceiverPhase) {
    this.state = phase;
    this.emit("phase", phase);
  }
}
