// One file we send to one person through the room's bucket, for a room on the SFU
// (protocol/features/file-relay.ts). It offers; the room answers with an upload URL only after the
// person's yes, so nothing leaves this device before it; then the file is PUT once, and the
// transfer is done when the person has downloaded it and checked its id. The same statuses as a
// peer-to-peer transfer (outgoing.ts), so the card is the same: "offered" waiting for the yes,
// "sending" while the upload runs and the person downloads, "done", "failed".

import type { ClientMessage, RelayEnd, RelayHeld } from "../../../../protocol/protocol";
import { TransferCard } from "./transfer-card";
import type { FileEnd, OutgoingStatus } from "../features/files-view";
import type { FileManifest } from "./blocks";
import { type Progress, ProgressMeter } from "./progress";
import { relayEnd } from "./relay-ends";
import type { RelayHttp } from "./relay-http";
import { safeType } from "./wire";

export interface RelayOutgoingOptions {
  transfer: string;
  to: string;
  file: Blob;
  name: string;
  manifest: FileManifest;
  send: (msg: ClientMessage) => boolean;
  http: RelayHttp;
  /** Where the Worker is: "" for this page's origin. */
  apiOrigin: string;
  now?: () => number;
}

export class RelayOutgoing extends TransferCard<OutgoingStatus> {
  private readonly abort = new AbortController();
  private uploaded = false;

  constructor(private readonly options: RelayOutgoingOptions) {
    super("queued");
  }

  get transfer(): string {
    return this.options.transfer;
  }
  /** Queued behind our other relayed files (the room takes FILE_RELAY_OPEN_FROM_ONE at once). */
  get waiting(): boolean {
    return this.statusValue === "queued";
  }
  get running(): boolean {
    return !this.final && this.statusValue !== "queued";
  }

  /** Offers the file; the room forwards it. False unless queued, or if the socket is down (tried again later). */
  start(): boolean {
    if (this.statusValue !== "queued") return false;
    const { transfer, to, name, file, manifest } = this.options;
    if (!this.options.send({ type: "file-offer", transfer, to, name, size: file.size, mime: safeType(file.type), id: manifest.id })) return false;
    this.set("offered");
    return true;
  }

  /** The person said yes: the room's one-time upload URL. */
  async uploadTo(url: string): Promise<void> {
    if (this.statusValue !== "offered") return;
    const { file, http, apiOrigin } = this.options;
    const meter = new ProgressMeter(file.size, 0, this.options.now ?? (() => performance.now()));
    this.progressValue = meter.update(0);
    this.set("sending");
    const status = await http.upload(`${apiOrigin}${url}`, file, (sent) => {
      if (this.final) return;
      this.progressValue = meter.update(Math.min(sent, file.size));
      this.emit("change", undefined);
    }, this.abort.signal);
    if (this.final) return;
    // The room ends the transfer for both sides when an upload fails; this is in case its word is lost.
    if (status !== 201) return this.finish({ problem: "interrupted", by: "link" });
    this.uploaded = true;
    this.progressValue = meter.update(file.size);
    this.emit("change", undefined);
  }

  /** The room's `file-end`: "done" once the person has the file, verified; anything else ends it. */
  ended(reason: RelayEnd): void {
    if (this.final) return;
    if (reason === "done" && this.uploaded) {
      this.set("done");
      return;
    }
    this.finish(reason === "done" ? { problem: "interrupted", by: "link" } : relayEnd(reason));
  }

  /**
   * We resumed, and the room holds this transfer at `held.step`: a cancel of ours it did not get is
   * said again; the upload URL we missed is used now. Nothing changes when both agree.
   */
  resync(held: Extract<RelayHeld, { side: "from-you" }>): void {
    if (this.final) {
      if (this.statusValue !== "done") this.options.send({ type: "file-end", transfer: this.transfer, reason: this.endValue?.problem === "cancelled" && this.endValue.by === "local" ? "cancelled" : "failed" });
      return;
    }
    // Our offer did arrive, though the send looked failed (it cannot, but the room's word wins).
    if (this.statusValue === "queued") this.set("offered");
    if (held.step === "accepted" && held.url !== null) void this.uploadTo(held.url);
  }

  /**
   * We resumed, and the room has no word of this transfer, neither open nor ended: an offer we
   * sent never reached it, and goes again (back in the queue); anything further is lost.
   */
  unknown(): void {
    if (this.final || this.statusValue === "queued") return;
    if (this.statusValue === "offered") this.set("queued");
    else this.finish({ problem: "interrupted", by: "link" });
  }

  cancel(): boolean {
    if (this.final) return false;
    if (this.statusValue !== "queued") this.options.send({ type: "file-end", transfer: this.transfer, reason: "cancelled" });
    this.finish({ problem: "cancelled", by: "local" });
    return true;
  }

  peerLeft(): void {
    if (!this.final) this.finish({ problem: "left", by: "remote" });
  }

  /** We came back as someone new: the room ended our transfers with our old identity. */
  lost(): void {
    if (!this.final) this.finish({ problem: "interrupted", by: "link" });
  }

  /** No peer connection carries it: nothing to cut. */
  linkClosed(): void {}

  dispose(): void {
    this.abort.abort();
    this.removeAllListeners();
  }

  private finish(end: FileEnd): void {
    this.abort.abort();
    this.endValue = end;
    this.set("failed");
  }
}
