// An in-memory data channel pair for the file-transfer units: ordered delivery, a simulated
// bufferedAmount that drains at a set rate per tick (or only when the test says), the
// bufferedamountlow event as webrtc-pc §6.2 fires it (falling to the threshold from above),
// close() that still delivers what was queued (the closing procedure finishes sending pending
// messages), a cut that loses everything in flight, and a hook to tamper with binary data.

import { type FileManifest, hashFile } from "../../web/src/engine/files/blocks";
import type { ChannelEndpoint, FileChannel } from "../../web/src/engine/files/channel";
import type { Progress } from "../../web/src/engine/files/progress";
import { FileReceiver, type ReceiverOptions } from "../../web/src/engine/files/receiver";
import { FileSender, type SenderOptions } from "../../web/src/engine/files/sender";
import { type FileSink, MemorySink } from "../../web/src/engine/files/sink";
import type { TransferEnd } from "../../web/src/engine/files/transfer";

export type Direction = "a→b" | "b→a";

export interface LinkOptions {
  /** Bytes delivered per tick in each direction; 0 = only when the test calls deliver(). */
  bytesPerTick?: number;
  /** Rewrites binary data on its way (a corrupting link). */
  tamper?: (data: ArrayBuffer, direction: Direction) => ArrayBuffer;
}

const sizeOf = (data: string | ArrayBuffer) => (typeof data === "string" ? new TextEncoder().encode(data).byteLength : data.byteLength);

export class FakeChannel implements FileChannel {
  bufferedAmount = 0;
  bufferedAmountLowThreshold = 0;
  closed = false;
  /** close() was called: no more sends, the queue still drains. */
  closing = false;
  /** The highest bufferedAmount ever reached. */
  maxBuffered = 0;
  lowEvents = 0;
  /** Every control message sent, parsed. */
  readonly controls: Array<Record<string, unknown>> = [];
  /** bufferedAmount just before each send. */
  readonly sendLog: Array<{ kind: "text" | "binary"; bufferedBefore: number }> = [];
  readonly queue: Array<string | ArrayBuffer> = [];
  endpoint: ChannelEndpoint | null = null;
  peer!: FakeChannel;
  private readonly lowListeners = new Set<() => void>();

  constructor(
    readonly direction: Direction,
    private readonly link: FakeLink,
  ) {}

  send(sent: string | ArrayBuffer | Uint8Array<ArrayBuffer>): void {
    if (this.closed || this.closing) throw new DOMException("channel closed", "InvalidStateError");
    // A real channel copies what it is given and delivers an ArrayBuffer of its own.
    const data = typeof sent === "string" || sent instanceof ArrayBuffer ? sent : sent.slice().buffer;
    this.sendLog.push({ kind: typeof data === "string" ? "text" : "binary", bufferedBefore: this.bufferedAmount });
    if (typeof data === "string") this.controls.push(JSON.parse(data));
    this.bufferedAmount += sizeOf(data);
    this.maxBuffered = Math.max(this.maxBuffered, this.bufferedAmount);
    this.queue.push(data);
    this.link.schedule();
  }

  onBufferedAmountLow(fn: () => void): () => void {
    this.lowListeners.add(fn);
    return () => this.lowListeners.delete(fn);
  }

  get lowListenerCount(): number {
    return this.lowListeners.size;
  }

  close(): void {
    if (this.closed || this.closing) return;
    this.closing = true;
    this.link.closeWhenDrained(this);
  }

  /** Hands up to `budget` bytes (at least one message) to the other end. */
  deliver(budget: number): void {
    let sent = 0;
    while (this.queue.length > 0 && !this.closed && (sent === 0 || sent < budget)) {
      const data = this.queue.shift()!;
      const before = this.bufferedAmount;
      this.bufferedAmount -= sizeOf(data);
      sent += sizeOf(data);
      if (before > this.bufferedAmountLowThreshold && this.bufferedAmount <= this.bufferedAmountLowThreshold) {
        this.lowEvents++;
        for (const fn of [...this.lowListeners]) fn();
      }
      const arrived = typeof data === "string" || !this.link.options.tamper ? data : this.link.options.tamper(data, this.direction);
      this.peer.endpoint?.receive(arrived);
    }
    if (this.closing && this.queue.length === 0) this.link.cut();
  }

  /** Delivers until bufferedAmount is at most `bytes`. */
  deliverDownTo(bytes: number): void {
    while (this.bufferedAmount > bytes && this.queue.length > 0) this.deliver(1);
  }
}

export class FakeLink {
  readonly a: FakeChannel;
  readonly b: FakeChannel;
  private scheduled = false;
  private isCut = false;

  constructor(readonly options: LinkOptions = {}) {
    this.a = new FakeChannel("a→b", this);
    this.b = new FakeChannel("b→a", this);
    this.a.peer = this.b;
    this.b.peer = this.a;
  }

  /** Wires each end's incoming messages and closing to a sender or receiver. */
  attach(a: ChannelEndpoint, b: ChannelEndpoint): void {
    this.a.endpoint = a;
    this.b.endpoint = b;
  }

  /** Switches delivery to `bytesPerTick` per tick (from a manual start, say). */
  run(bytesPerTick: number): void {
    this.options.bytesPerTick = bytesPerTick;
    this.schedule();
  }

  schedule(): void {
    const perTick = this.options.bytesPerTick ?? 256 * 1024;
    if (this.scheduled || perTick === 0 || this.isCut) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (this.isCut) return;
      this.a.deliver(perTick);
      this.b.deliver(perTick);
      if (this.a.queue.length > 0 || this.b.queue.length > 0) this.schedule();
    });
  }

  closeWhenDrained(end: FakeChannel): void {
    if (end.queue.length === 0) this.cut();
    else this.schedule();
  }

  /** Both ends close, with whatever was in flight lost, and both endpoints hear of it. */
  cut(): void {
    if (this.isCut) return;
    this.isCut = true;
    for (const end of [this.a, this.b]) {
      end.closed = true;
      end.queue.length = 0;
      end.bufferedAmount = 0;
    }
    // Like the browser: `close` arrives as an event, after the current task.
    setImmediate(() => {
      this.a.endpoint?.channelClosed();
      this.b.endpoint?.channelClosed();
    });
  }
}

/** Deterministic bytes (xorshift), so a test file differs in every block and is the same on every run. */
export function generatedBytes(size: number, seed = 1): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(size);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

export const MiB = 1024 * 1024;

/** Lets queued immediates and microtasks run. */
export const settle = (ms = 5) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves when `predicate` holds, checking every tick; fails after `ms`. */
export async function until(predicate: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** The memory sink, counting what the receiver did with it; writes can be made slow. */
export class TestSink implements FileSink {
  readonly memory: MemorySink;
  readonly writes: number[] = [];
  aborts = 0;
  closes = 0;

  constructor(
    size: number,
    private readonly writeDelayMs = 0,
  ) {
    this.memory = new MemorySink(size);
  }

  async write(offset: number, bytes: Uint8Array<ArrayBuffer>): Promise<void> {
    if (this.writeDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.writeDelayMs));
    this.writes.push(offset);
    return this.memory.write(offset, bytes);
  }

  close(): Promise<void> {
    this.closes++;
    return this.memory.close();
  }

  abort(): Promise<void> {
    this.aborts++;
    return this.memory.abort();
  }

  async bytes(): Promise<Uint8Array | null> {
    const blob = this.memory.blob();
    return blob ? new Uint8Array(await blob.arrayBuffer()) : null;
  }
}

const nextEnd = (unit: { on(event: "end", fn: (end: TransferEnd) => void): () => void }) => new Promise<TransferEnd>((resolve) => unit.on("end", resolve));

export interface PairOptions {
  link?: LinkOptions;
  manifest?: FileManifest;
  sink?: TestSink;
  /** What the receiver does with the offer; accept(sink) from 0 by default. */
  onOffer?: (receiver: FileReceiver, sink: TestSink) => void;
  sender?: Partial<SenderOptions>;
  receiver?: Partial<ReceiverOptions>;
}

/** A sender and a receiver over one FakeLink, with their ends and progress recorded. */
export async function transferPair(bytes: Uint8Array<ArrayBuffer>, options: PairOptions = {}) {
  const file = new Blob([bytes], { type: "application/octet-stream" });
  const manifest = options.manifest ?? (await hashFile(file));
  const link = new FakeLink(options.link);
  const sink = options.sink ?? new TestSink(bytes.byteLength);
  const sender = new FileSender({ channel: link.a, file, manifest, name: "data.bin", maxMessageSize: 262_144, ...options.sender });
  const receiver = new FileReceiver({ channel: link.b, ...options.receiver });
  const stats = { maxHeld: 0, senderProgress: [] as Progress[], receiverProgress: [] as Progress[] };
  link.attach(sender, {
    receive: (data) => {
      receiver.receive(data);
      stats.maxHeld = Math.max(stats.maxHeld, receiver.heldBytes);
    },
    channelClosed: () => receiver.channelClosed(),
  });
  sender.on("progress", (p) => stats.senderProgress.push(p));
  receiver.on("progress", (p) => stats.receiverProgress.push(p));
  const onOffer = options.onOffer ?? ((r, s) => r.accept(s));
  receiver.on("offer", () => onOffer(receiver, sink));
  return { file, manifest, link, sink, sender, receiver, stats, senderEnd: nextEnd(sender), receiverEnd: nextEnd(receiver) };
}

/** The block headers a channel sent, in order. */
export const headers = (channel: FakeChannel): number[] => channel.controls.filter((m) => m.type === "block").map((m) => m.index as number);

/** Byte equality without vitest's element-by-element deep equal (slow, and huge diffs on MiB arrays). */
export const sameBytes = (a: Uint8Array | null, b: Uint8Array): boolean => a !== null && Buffer.compare(a, b) === 0;
