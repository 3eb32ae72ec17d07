// The sending end of one transfer on one channel: offer, wait for accept, then send blocks from
// the accepted block on, each as a header and its chunks, keep at most BLOCK_WINDOW blocks
// unacknowledged and at most HIGH_WATER_BYTES buffered, send a nacked block again, and finish
// when every block is acked. No DOM and no timers: the channel is injected (channel.ts), and a
// stall is the mesh's to notice (it sees progress stop).
//
// A resume is a new FileSender on the new channel with the same file and manifest: the receiver
// answers the offer with `accept {from}` and sending starts there (resume.ts).
//
// Each block is read from the file and hashed again before it is sent: a file edited since it was
// picked ends the transfer with "file-changed" here, instead of as a run of nacks at the receiver.
// The next READ_AHEAD blocks are read and hashed while this one goes out (memory: those blocks,
// plus what the channel buffers): done in line, the read and the hash took as long as sending
// the block on a loopback link, and the channel sat idle meanwhile (measured: 94–123 ms to read
// and hash 1 MiB against 33–50 ms to send it).

import { Emitter } from "../emitter";
import { type FileManifest, blockBytes, blockCount, bytesBefore, readBlock, verifyBlock } from "./blocks";
import { Backpressure, type ChannelEndpoint, type FileChannel, HIGH_WATER_BYTES, LOW_WATER_BYTES } from "./channel";
import { type FileError, fileError } from "./errors";
import { ProgressMeter } from "./progress";
import { acceptedStart } from "./resume";
import { type TransferEnd, type TransferEvents, tryClose, trySend } from "./transfer";
import {
  BLOCK_WINDOW,
  MAX_BLOCK_RETRIES,
  type FileOffer,
  type ReceiverMessage,
  checkBlockIndex,
  chunkSize,
  encode,
  maxMessageBytes,
  parseReceiverMessage,
  safeName,
  safeType,
} from "./wire";

/** idle → offered (start, or the receiver's `ready`) → sending (accept) → done; or ended from any of them. */
export type SenderPhase = "idle" | "offered" | "sending" | "done" | "ended";

export interface SenderOptions {
  channel: FileChannel;
  file: Blob;
  /** hashFile(file): kept by the caller across resumes, so a file is hashed once. */
  manifest: FileManifest;
  /** File.name; offered as safeName(name). */
  name: string;
  /** pc.sctp?.maxMessageSize: sets the chunk size, and an offer must fit in one message. */
  maxMessageSize?: number | null;
  now?: () => number;
  /** Tests only. */
  window?: number;
  highWater?: number;
  lowWater?: number;
}

type Handlers = { [K in ReceiverMessage["type"]]: (m: Extract<ReceiverMessage, { type: K }>) => void };

/** Blocks read and hashed ahead of the one being sent. */
export const READ_AHEAD = 2;

/** A block read from the file and hashed; `intact`: its hash is the one offered. Rejects if the read failed. */
type Prepared = Promise<{ bytes: ArrayBuffer; intact: boolean }>;

export class FileSender extends Emitter<TransferEvents<SenderPhase>> implements ChannelEndpoint {
  readonly offer: FileOffer;
  private state: SenderPhase = "idle";
  private readonly channel: FileChannel;
  private readonly gate: Backpressure;
  private readonly chunk: number;
  private readonly count: number;
  private readonly window: number;
  private meter: ProgressMeter | null = null;
  private ackedBytes = 0;
  /** Blocks from the accepted one on that are not acked yet. */
  private readonly unacked = new Set<number>();
  /** Blocks whose header went out and that are neither acked nor nacked. */
  private readonly inFlight = new Set<number>();
  /** The block whose chunks are going out now: the receiver cannot have judged it yet. */
  private sending: number | null = null;
  private nextNew = 0;
  private readonly resendQueue: number[] = [];
  private readonly resends = new Map<number, number>();
  private wakePump: (() => void) | null = null;
  /** The blocks expected next, being read and hashed while this one is sent, in the order expected. */
  private ahead: Array<{ index: number; prepared: Prepared }> = [];

  constructor(private readonly options: SenderOptions) {
    super();
    const { manifest, file } = options;
    this.channel = options.channel;
    this.offer = { id: manifest.id, name: safeName(options.name), size: manifest.size, mime: safeType(file.type), blockSize: manifest.blockSize, blocks: manifest.blocks };
    this.count = blockCount(manifest.size, manifest.blockSize);
    this.chunk = chunkSize(options.maxMessageSize);
    this.window = options.window ?? BLOCK_WINDOW;
    this.gate = new Backpressure(this.channel, options.highWater ?? HIGH_WATER_BYTES, options.lowWater ?? LOW_WATER_BYTES);
  }

  get phase(): SenderPhase {
    return this.state;
  }

  /** Sends the offer; false if already started or ended. */
  start(): boolean {
    if (this.state !== "idle") return false;
    if (this.options.file.size !== this.offer.size) {
      this.fail(fileError("file-changed", "the file's size is not the one that was hashed"), "local");
      return false;
    }
    const text = encode({ type: "offer", ...this.offer });
    // The whole hash list travels in the offer: ~137 KB for 2 GiB, inside Chrome's 256 KiB.
    const limit = maxMessageBytes(this.options.maxMessageSize);
    if (new TextEncoder().encode(text).byteLength > limit) {
      this.fail(fileError("too-large", `the offer does not fit this link's ${limit}-byte messages`), "local");
      return false;
    }
    this.setPhase("offered");
    if (!trySend(this.channel, text)) this.fail(fileError("interrupted", "the channel closed before the offer went out"), "link");
    return true;
  }

  /** Our person cancels; false if the transfer had already ended. */
  cancel(): boolean {
    if (this.final) return false;
    this.fail(fileError("cancelled", "cancelled by the sender"), "local");
    return true;
  }

  /** Its owner has let go of the channel: stops at once, with no message and no event. */
  abandon(): void {
    if (this.final) return;
    this.state = "ended";
    this.stop();
  }

  receive(data: string | ArrayBuffer): void {
    // Messages that were on their way when we ended are expected; nothing to do with them.
    if (this.final) return;
    if (typeof data !== "string") return this.fail(fileError("unexpected", "binary data from the receiver"), "local");
    const parsed = parseReceiverMessage(data);
    if (!parsed.ok) return this.fail(parsed.error, "local");
    (this.handlers[parsed.value.type] as (m: ReceiverMessage) => void)(parsed.value);
  }

  channelClosed(): void {
    if (!this.final) this.fail(fileError("interrupted", "the channel closed"), "link");
  }

  private get final(): boolean {
    return this.state === "done" || this.state === "ended";
  }

  private readonly handlers: Handlers = {
    ready: () => {
      if (this.state !== "idle") return this.fail(fileError("unexpected", `ready while ${this.state}`), "local");
      this.start();
    },
    accept: (m) => {
      if (this.state !== "offered") return this.fail(fileError("unexpected", `accept while ${this.state}`), "local");
      const start = acceptedStart(m, this.offer);
      if (!start.ok) return this.fail(start.error, "local");
      for (let i = start.from; i < this.count; i++) this.unacked.add(i);
      this.nextNew = start.from;
      this.ackedBytes = bytesBefore(this.offer.size, start.from, this.offer.blockSize);
      this.meter = new ProgressMeter(this.offer.size, this.ackedBytes, this.options.now ?? (() => performance.now()));
      this.setPhase("sending");
      this.emit("progress", this.meter.update(this.ackedBytes));
      if (this.unacked.size === 0) this.finish();
      else void this.pump();
    },
    decline: () => {
      if (this.state !== "offered") return this.fail(fileError("unexpected", `decline while ${this.state}`), "local");
      this.fail(fileError("declined", "the receiver declined"), "remote");
    },
    ack: (m) => {
      const bad = this.judged(m.block, "ack");
      if (bad) return this.fail(bad, "local");
      this.inFlight.delete(m.block);
      this.unacked.delete(m.block);
      this.ackedBytes += blockBytes(this.offer.size, m.block, this.offer.blockSize);
      this.emit("progress", this.meter!.update(this.ackedBytes));
      if (this.unacked.size === 0) this.finish();
      else this.wake();
    },
    nack: (m) => {
      const bad = this.judged(m.block, "nack");
      if (bad) return this.fail(bad, "local");
      const tries = (this.resends.get(m.block) ?? 0) + 1;
      // An honest receiver gives up first (receiver.ts); one that nacks forever would keep us busy.
      if (tries > MAX_BLOCK_RETRIES) return this.fail(fileError("corrupt", `block ${m.block} nacked ${tries} times`), "local");
      this.resends.set(m.block, tries);
      this.inFlight.delete(m.block);
      this.resendQueue.push(m.block);
      this.wake();
    },
    cancel: (m) => this.fail(fileError(m.reason, `the receiver cancelled: ${m.reason}`), "remote"),
  };

  /** Why an ack or nack for `block` is not one the receiver could send now, or null. */
  private judged(block: number, what: string): FileError | null {
    if (this.state !== "sending") return fileError("unexpected", `${what} while ${this.state}`);
    const outside = checkBlockIndex(block, this.count);
    if (outside) return outside;
    if (!this.inFlight.has(block) || this.sending === block) return fileError("unexpected", `${what} for block ${block}, which is not awaiting one`);
    return null;
  }

  /** Sends blocks while there is one to send and room for it; sleeps until an ack or nack otherwise. */
  private async pump(): Promise<void> {
    while (this.state === "sending") {
      const index = this.nextBlock();
      if (index === null) {
        await new Promise<void>((resolve) => (this.wakePump = resolve));
        continue;
      }
      this.inFlight.add(index);
      this.sending = index;
      let block: Awaited<Prepared>;
      try {
        block = await this.read(index);
      } catch (e) {
        // Chrome throws NotReadableError for a file changed or removed since it was picked.
        return this.fail(fileError("read-failed", `reading block ${index}: ${e instanceof Error ? e.name : String(e)}`), "local");
      }
      if (this.state !== "sending") return;
      if (!block.intact) return this.fail(fileError("file-changed", `block ${index} is not the block that was offered`), "local");
      if (!(await this.sendBlock(index, block.bytes))) return;
      this.sending = null;
    }
  }

  /**
   * Block `index`, read and hashed, from the blocks prepared ahead if it was one of them; then
   * starts preparing the blocks expected next (nacked blocks first, then new ones), so that reads
   * and hashes overlap this block's send. A guess that turns out wrong (a nack reorders the queue)
   * is dropped. Memory: READ_AHEAD blocks more.
   */
  private read(index: number): Prepared {
    const found = this.ahead.find((a) => a.index === index);
    const prepared = found?.prepared ?? this.prepare(index);
    const expected = [...this.resendQueue];
    for (let i = this.nextNew; i < this.count && expected.length < READ_AHEAD; i++) expected.push(i);
    const next = expected.filter((i) => i !== index).slice(0, READ_AHEAD);
    this.ahead = next.map((i) => this.ahead.find((a) => a.index === i) ?? { index: i, prepared: this.prepare(i) });
    return prepared;
  }

  private prepare(index: number): Prepared {
    const prepared = readBlock(this.options.file, index, this.offer.blockSize).then(async (bytes) => ({ bytes, intact: await verifyBlock(bytes, this.offer.blocks[index]!) }));
    // Its failure is met (and reported) when the block's turn comes, or never if it does not.
    prepared.catch(() => undefined);
    return prepared;
  }

  private nextBlock(): number | null {
    if (this.inFlight.size >= this.window) return null;
    if (this.resendQueue.length > 0) return this.resendQueue.shift()!;
    return this.nextNew < this.count ? this.nextNew++ : null;
  }

  /** The header, then the chunks; false if the transfer ended on the way. */
  private async sendBlock(index: number, bytes: ArrayBuffer): Promise<boolean> {
    if (!(await this.post(encode({ type: "block", index, bytes: bytes.byteLength })))) return false;
    // Views into the block, not copies: send() copies the bytes it is given, and on a machine
    // whose cores the browser's network threads need, a second copy per chunk is CPU taken from them.
    for (let offset = 0; offset < bytes.byteLength; offset += this.chunk) {
      if (!(await this.post(new Uint8Array(bytes, offset, Math.min(this.chunk, bytes.byteLength - offset))))) return false;
    }
    return true;
  }

  private async post(data: string | Uint8Array<ArrayBuffer>): Promise<boolean> {
    // Headers are ASCII, so their length is their byte count.
    const size = typeof data === "string" ? data.length : data.byteLength;
    if (!(await this.gate.room(size)) || this.state !== "sending") return false;
    if (trySend(this.channel, data)) return true;
    this.fail(fileError("interrupted", "the channel closed while sending"), "link");
    return false;
  }

  private finish() {
    this.setPhase("done");
    this.stop();
    trySend(this.channel, encode({ type: "done" }));
    // Every block is acked, so nothing the receiver needs is still queued; `done` is a courtesy.
    tryClose(this.channel);
    this.emit("end", { ok: true });
  }

  private fail(error: FileError, by: "local" | "remote" | "link") {
    if (this.final) return;
    const wasOffering = this.state !== "idle";
    this.setPhase("ended");
    this.stop();
    if (by === "local" && wasOffering) trySend(this.channel, encode({ type: "cancel", reason: error.code }));
    tryClose(this.channel);
    const end: TransferEnd = { ok: false, error, by, resume: null };
    this.emit("end", end);
  }

  private stop() {
    this.ahead = [];
    this.gate.stop();
    this.wake();
  }

  private wake() {
    const wake = this.wakePump;
    this.wakePump = null;
    wake?.();
  }

  private setPhase(phase: SenderPhase) {
    this.state = phase;
    this.emit("phase", phase);
  }
}
