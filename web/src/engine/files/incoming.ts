// One file offered to us by one person, across however many channels the sender opens for it.
// Each channel gets a new FileReceiver (receiver.ts). The first offer is shown to the person; a
// later one (after a cut) must be the same file (its id), and goes on where the verified blocks
// end, into the same stored file, without asking again. What the person decided outlives the
// channels: a yes given while the channel was down is acted on when the next one offers, and a
// no or a cancel is told again to a sender that missed it.
//
// Storage is opened on the person's yes, not before: nothing is written, or reserved, for a
// file nobody accepted.

import { listen } from "../listen";
import { TransferCard } from "./transfer-card";
import type { FileEnd, IncomingStatus } from "../features/files-view";
import { connect, type DataChannelLike, fileChannel } from "./data-channel";
import type { FileErrorCode } from "./errors";
import type { Progress } from "./progress";
import { FileReceiver } from "./receiver";
import { blockCount } from "./blocks";
import type { ResumeRecord } from "./resume";
import type { FileSink } from "./sink";
import { type FileStorage, NoSpaceError, type StoredFile } from "./storage";
import type { TransferEnd } from "./transfer";
import type { FileOffer, WireLimits } from "./wire";
import { realTimers, type Timers } from "./timers";

/** Cut, and no new channel from the sender this long: the transfer has failed. */
export const RESUME_WAIT_MS = 120_000;
/** A channel whose offer does not come this long after it was announced is given up (as cut). */
export const OFFER_WAIT_MS = 20_000;
/** No block verified this long while receiving: the channel is cut (the sender may resume). */
export const RECEIVE_STALL_MS = 60_000;
/** Channels in a row for this transfer without a new block verified before we give up on it. */
export const MAX_ATTACHES = 8;

export interface IncomingOptions {
  transfer: string;
  from: string;
  fromName: string;
  storage: FileStorage;
  limits?: WireLimits;
  timers?: Timers;
}

/** The sink of a channel that offers a file we already have whole: nothing is written to it. */
const ALREADY_WHOLE: FileSink = {
  write: () => Promise.reject(new Error("the file is whole already")),
  close: () => Promise.resolve(),
  abort: () => Promise.resolve(),
};
type Decision = "undecided" | "accepted" | "declined" | "cancelled";

export class IncomingTransfer extends TransferCard<IncomingStatus> {
  /** The first valid offer: what the person sees, and what every later channel must offer again. */
  private offerValue: FileOffer | null = null;
  private urlValue: string | null = null;
  private decision: Decision = "undecided";
  private stored: StoredFile | null = null;
  /** Settles when the receiver of the channel before this one has finished with the file (attach). */
  private previous: Promise<void> = Promise.resolve();
  /** Settles when the current channel's receiver has ended (kept for the next attach). */
  private settled: Promise<void> = Promise.resolve();
  /** Every block verified and the stored file made whole, by whichever receiver. */
  private whole = false;
  private saving = false;
  private fruitless = 0;
  private blockAtAttach = -1;
  private record: ResumeRecord | null = null;
  private receiver: FileReceiver | null = null;
  private dc: DataChannelLike | null = null;
  private cleanup: Array<() => void> = [];
  private timer: unknown = null;
  private readonly timers: Timers;

  constructor(private readonly options: IncomingOptions) {
    super("offered");
    this.timers = options.timers ?? realTimers;
  }

  get transfer(): string {
    return this.options.transfer;
  }
  get from(): string {
    return this.options.from;
  }
  get fromName(): string {
    return this.options.fromName;
  }
  /** Null until the first valid offer: until then the transfer is not shown. */
  get offer(): FileOffer | null {
    return this.offerValue;
  }
  get url(): string | null {
    return this.urlValue;
  }
  /** Counts against how many transfers we take at once: everything not ended (an unanswered offer too). */
  get open(): boolean {
    return !this.final;
  }

  /** The sender's new channel for this transfer: our end of it, opened by the feature. */
  attach(dc: DataChannelLike & Pick<RTCDataChannel, "readyState">): void {
    // A sender that keeps opening channels and gets nowhere is given up on, as it would give up itself.
    const at = this.record?.nextBlock ?? 0;
    this.fruitless = at === this.blockAtAttach ? this.fruitless + 1 : 1;
    this.blockAtAttach = at;
    if (this.fruitless > MAX_ATTACHES) this.finish({ problem: "interrupted", by: "link" });
    // The sender gave up on the last channel before we saw it close (its stall watchdog, or a
    // close still on its way): that receiver ends as cut, and the next one may write to the file
    // only once the block it was writing has settled and its resume point (or the whole file) is known.
    const old = this.receiver;
    if (old) {
      this.previous = this.settled;
      old.channelClosed();
    }
    this.detach();
    this.dc = dc;
    const receiver = new FileReceiver({ channel: fileChannel(dc), ...(this.options.limits ? { limits: this.options.limits } : {}) });
    this.receiver = receiver;
    // Kept past detach(): what a receiver leaves behind is ours whenever it ends.
    this.settled = new Promise((settled) =>
      receiver.on("end", (end) => {
        if (end.ok) {
          this.whole = true;
          void this.saved();
        } else if (end.resume) this.record = end.resume;
        settled();
      }),
    );
    this.cleanup.push(
      connect(dc, receiver),
      receiver.on("offer", (offer) => this.offered(receiver, offer)),
      receiver.on("phase", (phase) => {
        if (this.statusValue === "done") return;
        if (phase === "receiving" && this.decision === "accepted") {
          this.set("receiving");
          this.arm(RECEIVE_STALL_MS, () => dc.close());
        }
        if (phase === "finishing") this.set("saving");
      }),
      receiver.on("progress", (p) => {
        this.progressValue = p;
        // A sender that stops sending holds our file open: no block this long is a cut (it may resume).
        if (receiver.phase === "receiving") this.arm(RECEIVE_STALL_MS, () => dc.close());
        this.emit("change", undefined);
      }),
      receiver.on("end", (end) => this.ended(receiver, end)),
    );
    // Treated as a cut (the sender opens another), not as a refusal of a file we never saw.
    this.arm(OFFER_WAIT_MS, () => this.receiver === receiver && !receiver.offer && dc.close());
    const hello = () => {
      // Ended already (a no or a cancel the sender missed): say it again instead of `ready`.
      const again = this.refusal();
      if (again) receiver.refuse(again);
      else receiver.ready();
    };
    if (dc.readyState === "open") hello();
    else this.cleanup.push(listen(dc, { open: hello }));
  }

  /** Our person says yes: storage opens, and the blocks come (now, or on the sender's next channel). */
  accept(): boolean {
    if (this.decision !== "undecided" || !this.offerValue || this.final) return false;
    this.decision = "accepted";
    // With no channel now (cut while the person read the offer), the blocks come with the next one.
    this.set(this.receiver ? "receiving" : "resuming");
    const offer = this.offerValue;
    // Stored untyped: the sender's media type is a hint, and a download needs none.
    void this.options.storage.open(this.options.transfer, offer.size, offer.name, "application/octet-stream").then(
      (stored) => {
        if (this.decision !== "accepted") return void stored.discard();
        this.stored = stored;
        this.go();
      },
      (e: unknown) => {
        if (this.decision !== "accepted") return;
        // The sender hears "too-large": for it, this device cannot take a file that big.
        this.decision = "cancelled";
        this.receiver?.refuse("too-large");
        this.finish({ problem: e instanceof NoSpaceError ? "no-space" : "write-failed", by: "local" });
      },
    );
    return true;
  }

  decline(): boolean {
    if (this.decision !== "undecided" || this.final) return false;
    this.decision = "declined";
    if (!this.receiver?.decline()) this.receiver?.refuse("declined");
    this.finish({ problem: "declined", by: "local" });
    return true;
  }

  cancel(): boolean {
    if (this.final) return false;
    if (this.decision === "undecided") return this.decline();
    this.decision = "cancelled";
    this.receiver?.cancel();
    this.finish({ problem: "cancelled", by: "local" });
    return true;
  }

  /** Our connection to the sender closed for good: a closed peer connection fires no close on its channels. */
  linkClosed(): void {
    this.receiver?.channelClosed();
  }

  /** The sender left the room. */
  peerLeft(): void {
    if (this.final) return;
    this.finish({ problem: "left", by: "remote" });
  }

  /** We rejoined as someone new (our resume failed): the sender sees us leave, and the transfer ends. */
  lost(): void {
    if (this.final) return;
    this.finish({ problem: "interrupted", by: "link" });
  }

  /** Forgets the file: its URL and what is on disk. */
  async discard(): Promise<void> {
    this.detach();
    this.clearTimer();
    const stored = this.stored;
    this.stored = null;
    this.urlValue = null;
    await stored?.discard();
  }

  dispose(): void {
    // A storage open still on its way discards what it opens.
    if (this.decision === "accepted") this.decision = "cancelled";
    void this.discard();
    this.removeAllListeners();
  }

  private offered(receiver: FileReceiver, offer: FileOffer) {
    this.clearTimer();
    const first = this.offerValue;
    if (!first) {
      this.offerValue = offer;
      this.emit("change", undefined);
      return;
    }
    if (offer.id !== first.id) return void receiver.refuse("id-mismatch");
    this.go();
  }

  /** Accepted, stored, and a channel with the offer: start or go on. */
  private go() {
    void this.previous.then(() => {
      const receiver = this.receiver;
      if (!receiver || !this.stored || receiver.phase !== "offered") return;
      // We have it all; the sender missed our last ack. Accepting past the last block ends its side well.
      if (this.whole) return void receiver.accept(ALREADY_WHOLE, blockCount(this.offerValue!.size, this.offerValue!.blockSize));
      const record = this.record ?? { id: this.offerValue!.id, nextBlock: 0 };
      receiver.resume(record, this.stored);
    });
  }

  private ended(receiver: FileReceiver, end: TransferEnd) {
    if (this.receiver !== receiver) return;
    this.detach();
    // Done: the listener kept in attach() saves it.
    if (end.ok) return;
    if (end.by === "link") {
      if (end.resume) this.record = end.resume;
      if (this.final) return;
      // Not decided yet: the offer stays up, and the sender's next channel will offer again.
      if (this.decision === "accepted") this.set("resuming");
      this.arm(RESUME_WAIT_MS, () => this.finish({ problem: "interrupted", by: "link" }));
      return;
    }
    if (this.final) return;
    // The sender's `cancel` carries its reason; ours was set by the action that sent it.
    this.decision = "cancelled";
    this.finish({ problem: end.error.code, by: end.by });
  }

  private async saved() {
    if (this.saving) return;
    this.saving = true;
    try {
      this.urlValue = await this.stored!.url();
      this.endValue = null;
      this.set("done");
    } catch {
      this.finish({ problem: "write-failed", by: "local" });
    }
  }

  /** What to tell a sender that opens a channel for a transfer we ended, or null. */
  private refusal(): FileErrorCode | null {
    if (this.decision === "declined") return "declined";
    if (this.decision !== "cancelled" && this.statusValue !== "failed") return null;
    const problem = this.endValue?.problem;
    if (problem === "no-space") return "too-large";
    // We gave up waiting for it: not the person's cancel.
    if (problem === "interrupted") return "interrupted";
    return "cancelled";
  }

  private finish(end: FileEnd) {
    if (this.final) return;
    if (this.decision === "undecided" || this.decision === "accepted") this.decision = "cancelled";
    this.endValue = end;
    this.clearTimer();
    this.set("failed");
    // The receiver aborted its sink already if it had one; what is on disk goes too.
    void this.discard();
  }

  private detach() {
    for (const off of this.cleanup.splice(0)) off();
    this.receiver = null;
    this.dc?.close();
    this.dc = null;
  }

  private arm(ms: number, fn: () => void) {
    this.clearTimer();
    this.timer = this.timers.setTimeout(() => {
      this.timer = null;
      fn();
    }, ms);
  }

  private clearTimer() {
    if (this.timer !== null) this.timers.clearTimeout(this.timer);
    this.timer = null;
  }
}
