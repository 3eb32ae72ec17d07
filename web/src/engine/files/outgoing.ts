// One file on its way to one person, across however many channels it takes. Each channel gets a
// new FileSender (sender.ts) for the same file and manifest; the receiver's accept says where to
// go on from, so a cut costs the blocks in flight, never the blocks verified.
//
// A channel is cut when the peer connection or its SCTP goes (the receiver's side closes it),
// and also here: when the receiver's `ready` does not come (its end never opened: the
// announcement was lost with a signaling socket) or sending makes no progress for STALL_MS (an
// SCTP association that hangs instead of failing; FileSync PR#47 uses 15 s). Either way the
// transfer waits for the connection to be up (the feature calls start() again) and goes on.

import { listen } from "../listen";
import type { FileManifest } from "./blocks";
import { connect, type DataChannelLike, fileChannel } from "./data-channel";
import { FileSender } from "./sender";
import type { TransferEnd } from "./transfer";
import { TransferCard } from "./transfer-card";
import type { FileEnd, OutgoingStatus } from "../features/files-view";
import type { Progress } from "./progress";
import { realTimers, type Timers } from "./timers";

/** No `ready` from the receiver this long after the channel opened: announce again on a new one. */
export const READY_TIMEOUT_MS = 20_000;
/**
 * No block acked and nothing leaving our buffer this long while sending: the channel is cut and
 * the transfer resumed. A slow link (TURN with loss, a phone's uplink) may take longer than this
 * for a whole block, but its buffer drains meanwhile, which counts as progress.
 */
export const STALL_MS = 20_000;
/** A receiver that is busy (it takes no more at once) is asked again after this long, this many times. */
export const BUSY_RETRY_MS = 30_000;
export const MAX_BUSY_TRIES = 6;
/** Cut, and no new channel taken this long (no connection to the receiver): the transfer has failed. */
export const RESUME_GIVE_UP_MS = 120_000;
/** Channels in a row that end without a single new block acked before the transfer gives up. */
export const MAX_ATTEMPTS = 8;

/** A channel opened for one attempt: the data channel, its stream id, and how to tell the receiver. */
export interface OpenedChannel {
  dc: DataChannelLike & Pick<RTCDataChannel, "readyState">;
  maxMessageSize(): number | null;
  /** Sends the `file` signal naming this channel. */
  announce(): void;
  /** We are done with the channel: its stream id may be used again (round robin keeps it from coming back soon). Idempotent. */
  release(): void;
}

export interface OutgoingOptions {
  transfer: string;
  file: Blob;
  name: string;
  manifest: FileManifest;
  /** A new channel to the receiver, or null while there is no connection to them. */
  open(): OpenedChannel | null;
  timers?: Timers;
}

export class OutgoingTransfer extends TransferCard<OutgoingStatus> {
  private sender: FileSender | null = null;
  private channel: OpenedChannel | null = null;
  private cleanup: Array<() => void> = [];
  private timer: unknown = null;
  private bufferedAtWatch = 0;
  private busyTries = 0;
  /** Refused as busy: not started again before BUSY_RETRY_MS. */
  private held = false;
  /** Blocks acked over every attempt, to tell an attempt that got somewhere from one that did not. */
  private acked = 0;
  private ackedAtLastStart = -1;
  /** Starts in a row with no block acked since the one before. */
  private fruitless = 0;
  private readonly timers: Timers;

  constructor(private readonly options: OutgoingOptions) {
    super("queued");
    this.timers = options.timers ?? realTimers;
  }

  get transfer(): string {
    return this.options.transfer;
  }
  /** Waiting for a channel: queued behind others, or cut and waiting to go on. */
  get waiting(): boolean {
    return (this.statusValue === "queued" || this.statusValue === "resuming") && this.channel === null && !this.held;
  }
  /** Holding a channel (or about to): counts against how many run at once with one person. */
  get running(): boolean {
    return !this.final && this.statusValue !== "queued";
  }

  /** Opens a channel and offers (again, from where the receiver is); false if there is no connection now. */
  start(): boolean {
    if (!this.waiting) return false;
    const opened = this.options.open();
    if (!opened) return false;
    this.fruitless = this.acked === this.ackedAtLastStart ? this.fruitless + 1 : 1;
    this.ackedAtLastStart = this.acked;
    if (this.fruitless > MAX_ATTEMPTS) {
      opened.release();
      opened.dc.close();
      this.finish({ problem: "interrupted", by: "link" });
      return false;
    }
    this.channel = opened;
    // Replaces the give-up timer of a cut: the channel must open and the receiver say `ready` in time.
    this.watch(READY_TIMEOUT_MS);
    if (this.statusValue === "queued") this.set("offered");
    const { dc } = opened;
    // Closed before it opened, or before the receiver said `ready` (no sender yet to hear it).
    this.cleanup.push(listen(dc, { close: () => this.channel === opened && !this.sender && this.cut() }));
    if (dc.readyState === "open") this.begin(opened);
    else this.cleanup.push(listen(dc, { open: () => this.begin(opened) }));
    return true;
  }

  cancel(): boolean {
    if (this.final) return false;
    if (this.sender && this.sender.cancel()) return true;
    this.finish({ problem: "cancelled", by: "local" });
    return true;
  }

  /** The receiver left the room. */
  peerLeft(): void {
    if (this.final) return;
    this.finish({ problem: "left", by: "remote" });
  }

  /** We rejoined as someone new (our resume failed): to the receiver we left, and the transfer with us. */
  lost(): void {
    if (this.final) return;
    this.finish({ problem: "interrupted", by: "link" });
  }

  /**
   * Our connection to the receiver closed for good (a seat changed on a stage, the link was
   * made again): a closed peer connection fires no close on its channels, so this is the cut.
   */
  linkClosed(): void {
    if (this.channel) this.cut();
  }

  /** The room leaves us (the session ends): channels close without a word; the others see us leave. */
  dispose(): void {
    this.drop();
    this.removeAllListeners();
  }

  private begin(opened: OpenedChannel) {
    if (this.channel !== opened || this.sender) return;
    const sender = new FileSender({
      channel: fileChannel(opened.dc),
      file: this.options.file,
      manifest: this.options.manifest,
      name: this.options.name,
      // Read now: SCTP is up once a channel is open, and the chunk size and the offer's limit follow from it.
      maxMessageSize: opened.maxMessageSize(),
    });
    this.sender = sender;
    this.cleanup.push(
      connect(opened.dc, sender),
      sender.on("phase", (phase) => {
        if (phase === "offered") this.watch(null);
        if (phase === "sending") {
          this.set("sending");
          this.watch(STALL_MS);
        }
      }),
      sender.on("progress", (p) => {
        const blocks = Math.ceil(p.bytesDone / this.options.manifest.blockSize);
        if (blocks > this.acked) this.acked = blocks;
        this.progressValue = p;
        this.watch(STALL_MS);
        this.emit("change", undefined);
      }),
      sender.on("end", (end) => this.ended(end)),
    );
    opened.announce();
    this.watch(READY_TIMEOUT_MS);
  }

  private ended(end: TransferEnd) {
    this.sender = null;
    if (this.final) return;
    if (end.ok) return this.finish(null);
    if (end.by === "link") return this.cut();
    if (end.by === "remote" && end.error.code === "busy" && this.busyTries < MAX_BUSY_TRIES) return this.busy();
    this.drop();
    this.finish({ problem: end.error.code, by: end.by });
  }

  /** The receiver has as many of ours (or others') as it takes: back in the queue, and asked again later. */
  private busy() {
    this.busyTries++;
    this.drop();
    this.held = true;
    this.set("queued");
    this.timer = this.timers.setTimeout(() => {
      this.timer = null;
      this.held = false;
      this.emit("change", undefined);
    }, BUSY_RETRY_MS);
  }

  /** The channel is gone but the transfer is not: wait for the feature to start() it again, for a while. */
  private cut() {
    this.drop();
    this.set("resuming");
    this.timer = this.timers.setTimeout(() => {
      this.timer = null;
      if (this.waiting) this.finish({ problem: "interrupted", by: "link" });
    }, RESUME_GIVE_UP_MS);
  }

  /** (Re)arms the watchdog: no progress in `ms` cuts the channel. */
  private watch(ms: number | null) {
    if (this.timer !== null) this.timers.clearTimeout(this.timer);
    this.bufferedAtWatch = this.channel?.dc.bufferedAmount ?? 0;
    this.timer = ms === null ? null : this.timers.setTimeout(() => this.stalled(), ms);
  }

  private stalled() {
    this.timer = null;
    if (!this.channel) return;
    const buffered = this.channel.dc.bufferedAmount;
    if (this.statusValue === "sending" && buffered !== this.bufferedAtWatch) {
      // Still draining: a slow link, not a dead one.
      this.bufferedAtWatch = buffered;
      return this.watch(STALL_MS);
    }
    // Closing our end is what the receiver sees as a cut, and it resumes from its last verified block.
    this.channel.dc.close();
    this.cut();
  }

  /** Lets go of the current channel, its sender and its watchdog. */
  private drop() {
    this.watch(null);
    // Its send waiting for buffer room would otherwise hold a block until it was collected.
    this.sender?.abandon();
    this.sender = null;
    for (const off of this.cleanup.splice(0)) off();
    const channel = this.channel;
    this.channel = null;
    if (channel) {
      channel.dc.close();
      channel.release();
    }
  }

  private finish(end: FileEnd | null) {
    this.drop();
    this.endValue = end;
    this.set(end ? "failed" : "done");
  }
}
