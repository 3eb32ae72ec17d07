// One file offered to us through the room's bucket, for a room on the SFU
// (protocol/features/file-relay.ts). Nothing is stored, here or in the bucket, before the person's
// yes: the yes opens our storage, then tells the room, which only then lets the sender upload.
// Once the room says the file is ready, it is downloaded as a stream, hashed and written in 1 MiB
// blocks as they come (memory stays at a block whatever the size), and checked against the file
// id the sender offered (the SHA-256 of its block hashes, blocks.ts); a file that does not match
// is discarded, never offered as done. A download cut midway goes on from the last whole block
// with an HTTP Range, a few times, before it gives up.

import type { ClientMessage, RelayEnd, RelayHeld, RelayOffer } from "../../../../protocol/protocol";
import { TransferCard } from "./transfer-card";
import type { FileEnd, IncomingStatus } from "../features/files-view";
import { BLOCK_SIZE, fileIdOf, sha256Hex } from "./blocks";
import { type Progress, ProgressMeter } from "./progress";
import { relayEnd } from "./relay-ends";
import type { RelayHttp } from "./relay-http";
import { type FileStorage, NoSpaceError, type StoredFile } from "./storage";
import { realTimers, type Timers } from "./timers";
import type { FileOffer } from "./wire";

/** Tries of one download in a row that bring no new block before we give up. */
export const MAX_FETCHES = 4;
/** The wait before the next try of a cut download. */
export const REFETCH_DELAY_MS = 2000;

export interface RelayIncomingOptions {
  offer: RelayOffer;
  from: string;
  fromName: string;
  storage: FileStorage;
  send: (msg: ClientMessage) => boolean;
  http: RelayHttp;
  apiOrigin: string;
  /** Our media token (`welcome.mediaToken`): only the recipient's opens the file. */
  token: () => string | null;
  blockSize?: number;
  timers?: Timers;
  now?: () => number;
}

export class RelayIncoming extends TransferCard<IncomingStatus> {
  private urlValue: string | null = null;
  private stored: StoredFile | null = null;
  private readyUrl: string | null = null;
  private abort = new AbortController();
  /** Hashes of the blocks written so far, in order: the download goes on after the last. */
  private readonly hashes: string[] = [];
  private fetching = false;
  private fruitless = 0;
  private readonly blockSize: number;
  private readonly timers: Timers;
  private meter: ProgressMeter | null = null;

  constructor(private readonly options: RelayIncomingOptions) {
    super("offered");
    this.blockSize = options.blockSize ?? BLOCK_SIZE;
    this.timers = options.timers ?? realTimers;
  }

  get transfer(): string {
    return this.options.offer.transfer;
  }
  get from(): string {
    return this.options.from;
  }
  get fromName(): string {
    return this.options.fromName;
  }
  /** What the card shows (the relay's offer carries no block list: the id alone is checked). */
  get offer(): Pick<FileOffer, "name" | "size" | "mime"> {
    return this.options.offer;
  }
  get url(): string | null {
    return this.urlValue;
  }
  /** Counts against how many transfers we keep open from one person. */
  get open(): boolean {
    return !this.final;
  }

  /** Yes: storage first (a "no space" ends it here, as a no), then the room lets the sender upload. */
  accept(): boolean {
    if (this.statusValue !== "offered" || this.stored !== null) return false;
    const { offer } = this.options;
    void this.options.storage.open(this.transfer, offer.size, offer.name, "application/octet-stream").then(
      (stored) => {
        if (this.final) return void stored.discard();
        this.stored = stored;
        this.options.send({ type: "file-answer", transfer: this.transfer, accept: true });
        this.meter = new ProgressMeter(offer.size, 0, this.options.now ?? (() => performance.now()));
        this.progressValue = this.meter.update(0);
        this.set("receiving");
        if (this.readyUrl !== null) this.fetch();
      },
      (e: unknown) => {
        if (this.final) return;
        this.options.send({ type: "file-answer", transfer: this.transfer, accept: false });
        this.fail({ problem: e instanceof NoSpaceError ? "no-space" : "write-failed", by: "local" });
      },
    );
    return true;
  }

  decline(): boolean {
    if (this.statusValue !== "offered") return false;
    this.options.send({ type: "file-answer", transfer: this.transfer, accept: false });
    this.fail({ problem: "declined", by: "local" });
    return true;
  }

  cancel(): boolean {
    if (this.final) return false;
    this.options.send({ type: "file-end", transfer: this.transfer, reason: "cancelled" });
    this.fail({ problem: "cancelled", by: "local" });
    return true;
  }

  /** The room's `file-ready`: the sender's upload is stored. */
  ready(url: string): void {
    if (this.final || this.readyUrl !== null) return;
    this.readyUrl = url;
    if (this.statusValue === "receiving") this.fetch();
  }

  /** The room's `file-end`: the sender cancelled, left, or time ran out. */
  ended(reason: RelayEnd): void {
    if (this.final || reason === "done") return;
    this.fail(relayEnd(reason));
  }

  /**
   * We resumed, and the room still holds this transfer at `held.step`: whatever it missed of ours
   * while the socket was down (our answer, our end) is said again; what we missed of its (the
   * ready) is taken from its word. Changes nothing when both already agree.
   */
  resync(held: Extract<RelayHeld, { side: "to-you" }>): void {
    if (this.final) {
      // Ended here, and the room never heard: our cancel; a no (or a yes our storage could not keep)
      // before the answer; our done, or a failure, after it.
      const cancelled = this.endValue?.problem === "cancelled" && this.endValue.by === "local";
      if (cancelled) this.options.send({ type: "file-end", transfer: this.transfer, reason: "cancelled" });
      else if (held.step === "offered") this.options.send({ type: "file-answer", transfer: this.transfer, accept: false });
      else this.options.send({ type: "file-end", transfer: this.transfer, reason: this.statusValue === "done" && held.step === "stored" ? "done" : "failed" });
      return;
    }
    // Our yes was sent (storage is open) but did not arrive.
    if (held.step === "offered" && this.stored !== null) this.options.send({ type: "file-answer", transfer: this.transfer, accept: true });
    if (held.step === "stored" && held.url !== null) this.ready(held.url);
  }

  peerLeft(): void {
    if (!this.final) this.fail({ problem: "left", by: "remote" });
  }

  lost(): void {
    if (!this.final) this.fail({ problem: "interrupted", by: "link" });
  }

  /** No peer connection carries it: nothing to cut. */
  linkClosed(): void {}

  /** Forgets the file (the card is dismissed, or the session ends). */
  async discard(): Promise<void> {
    const stored = this.stored;
    this.stored = null;
    this.urlValue = null;
    await stored?.discard();
  }

  dispose(): void {
    this.abort.abort();
    this.removeAllListeners();
    void this.discard();
  }

  /** Downloads from the last whole block on, hashing and writing each block as it completes. */
  private fetch(): void {
    if (this.fetching || this.final || !this.readyUrl || !this.stored) return;
    const token = this.options.token();
    if (!token) return this.fail({ problem: "interrupted", by: "link" });
    this.fetching = true;
    const from = this.hashes.length * this.blockSize;
    const url = `${this.options.apiOrigin}${this.readyUrl}?m=${encodeURIComponent(token)}`;
    const before = this.hashes.length;
    void this.receive(url, from).then(
      (finished) => {
        this.fetching = false;
        if (finished || this.final) return;
        this.retry(before);
      },
      () => {
        this.fetching = false;
        if (!this.final) this.retry(before);
      },
    );
  }

  private retry(before: number): void {
    this.fruitless = this.hashes.length > before ? 1 : this.fruitless + 1;
    if (this.fruitless >= MAX_FETCHES) return this.fail({ problem: "interrupted", by: "link" }, true);
    this.timers.setTimeout(() => this.fetch(), REFETCH_DELAY_MS);
  }

  /** One GET; true once the whole file is verified and stored (or the transfer has ended otherwise). */
  private async receive(url: string, from: number): Promise<boolean> {
    const { size } = this.options.offer;
    const res = await this.options.http.download(url, from, this.abort.signal);
    if (this.final) return true;
    // 403/404: the room no longer holds it for us (its file-end says why, or is on its way).
    if (res.status === 403 || res.status === 404) {
      this.fail({ problem: "interrupted", by: "link" }, true);
      return true;
    }
    if (!(res.status === 200 && from === 0) && !(res.status === 206 && from > 0)) return false;
    const block = new Uint8Array(this.blockSize);
    let filled = 0;
    let offset = from;
    const flush = async () => {
      const bytes = block.slice(0, filled);
      this.hashes.push(await sha256Hex(bytes));
      await this.stored!.write(offset, bytes);
      offset += filled;
      filled = 0;
      this.progressValue = this.meter!.update(offset);
      this.emit("change", undefined);
    };
    if (res.body) {
      const reader = res.body.getReader();
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          if (this.final || !this.stored) return true;
          if (offset + filled + value.byteLength > size) {
            this.fail({ problem: "block-overrun", by: "local" }, true);
            return true;
          }
          let at = 0;
          while (at < value.byteLength) {
            const n = Math.min(value.byteLength - at, this.blockSize - filled);
            block.set(value.subarray(at, at + n), filled);
            filled += n;
            at += n;
            if (filled === this.blockSize) await flush();
          }
        }
      } finally {
        reader.releaseLock();
      }
    }
    if (this.final || !this.stored) return true;
    if (offset + filled < size) return false;
    if (filled > 0) await flush();
    return this.verify();
  }

  private async verify(): Promise<boolean> {
    this.set("saving");
    if ((await fileIdOf(this.hashes)) !== this.options.offer.id) {
      this.fail({ problem: "corrupt", by: "local" }, true);
      return true;
    }
    try {
      await this.stored!.close();
      this.urlValue = await this.stored!.url();
    } catch {
      if (!this.final) this.fail({ problem: "write-failed", by: "local" }, true);
      return true;
    }
    if (this.final) return true;
    this.options.send({ type: "file-end", transfer: this.transfer, reason: "done" });
    this.set("done");
    return true;
  }

  /** Ends without the file; `tell`: the room hears it failed on our side. */
  private fail(end: FileEnd, tell = false): void {
    if (tell) this.options.send({ type: "file-end", transfer: this.transfer, reason: "failed" });
    this.abort.abort();
    this.endValue = end;
    this.progressValue = null;
    const stored = this.stored;
    if (stored) void stored.abort().catch(() => {});
    void this.discard();
    this.set("failed");
  }
}
