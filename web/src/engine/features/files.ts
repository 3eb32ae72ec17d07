// Peer-to-peer files (protocol/features/files.ts; the sub-protocol is files/wire.ts). The bytes
// go over a negotiated data channel per transfer on the peer connection we already have; the
// room only carries the `file` signal that names the channel.
//
// Sending: a file is hashed once (1 MiB blocks, files/blocks.ts), then offered to each recipient
// as its own transfer (files/outgoing.ts), at most MAX_RUNNING_TO_ONE at a time per person (the
// rest wait, queued), each going on after a cut once the connection is up again.
// Receiving: each announced transfer gets a channel of ours and a card; nothing is stored before
// the person accepts (files/incoming.ts); we take at most MAX_OPEN_FROM_ONE from one person and
// MAX_OPEN in all, refusing more as "busy", so another member cannot make us hold channels or
// cards without end.
//
// In a room on the SFU there is no peer connection to carry a file: the same cards then go through
// the room's bucket (protocol/features/file-relay.ts; files/relay-outgoing.ts, relay-incoming.ts).
// The path is chosen per file when it is sent, from the transport in force (filePath): a transfer
// keeps its path to the end, whatever the room switches to meanwhile.
//
// The view is rebuilt at most every VIEW_EVERY_MS: progress comes per MiB, which on a fast link
// is a hundred times a second, far more often than a person can read.

import {
  type ClientMessage,
  FILE_RELAY_MAX_BYTES,
  FILE_RELAY_OPEN_FROM_ONE,
  type FileSignal,
  type RelaySnapshot,
  type ServerOf,
  TRANSFER_ID,
  type TransportKind,
} from "../../../../protocol/protocol";
import { hashFile as hashBlocks, type FileManifest } from "../files/blocks";
import { ChannelIds, parityWith } from "../files/channel-ids";
import { connect, fileChannel } from "../files/data-channel";
import { IncomingTransfer } from "../files/incoming";
import { type OpenedChannel, OutgoingTransfer } from "../files/outgoing";
import { FileReceiver } from "../files/receiver";
import type { RelayHttp } from "../files/relay-http";
import { RelayIncoming } from "../files/relay-incoming";
import { RelayOutgoing } from "../files/relay-outgoing";
import type { FileStorage } from "../files/storage";
import { DEFAULT_LIMITS, safeName, type WireLimits } from "../files/wire";
import { listen } from "../listen";
import { log } from "../log";
import type { StateUpdate } from "../session/session-state";
import type { Transport } from "../session/transport";
import type { FileEnd, FilesView, IncomingFile, OutgoingFile, OutgoingRecipient } from "./files-view";
import type { Roster } from "./roster";
import { realTimers, type Timers } from "../files/timers";

/** Transfers to one person that hold a channel at once (offered or sending); the rest wait. */
export const MAX_RUNNING_TO_ONE = 3;
/** Transfers from one person we keep open (offered, receiving, resuming) before refusing more as busy. */
export const MAX_OPEN_FROM_ONE = 6;
export const MAX_OPEN = 16;
/** Ended cards kept for the person to read (done ones stay until dismissed: they hold a file). */
export const MAX_FAILED_KEPT = 20;
export const VIEW_EVERY_MS = 200;
/** After a cut with the connection still up, wait this long before the next channel (no hot loop). */
export const RESTART_DELAY_MS = 1000;

/** How a file travels: over a data channel of the mesh, or through the room's bucket on the SFU. */
export type FilePath = "p2p" | "relay";

/** The path for a file sent now: peer to peer wherever the mesh is, else through the room. */
export const filePath = (transport: TransportKind): FilePath => (transport === "sfu" ? "relay" : "p2p");

/** What relayed files need: the HTTP calls, where the Worker is, and our media token. */
export interface RelayDeps {
  http: RelayHttp;
  apiOrigin: string;
  token: () => string | null;
}

type Outgoing = OutgoingTransfer | RelayOutgoing;
type Incoming = IncomingTransfer | RelayIncoming;

export interface FilesDeps {
  send: (msg: ClientMessage) => boolean;
  transport: Pick<Transport, "dataChannel" | "on">;
  roster: Pick<Roster, "participants">;
  selfId: () => string | null;
  update: StateUpdate<"files">;
  storage: FileStorage;
  /** Mesh or SFU now: where a file sent now goes (filePath). */
  transportKind: () => TransportKind;
  relay: RelayDeps;
  /** The screen stays on while bytes move (files/wake-lock.ts). */
  wakeLock?: { hold(active: boolean): void; dispose(): void };
  /** What we take: the largest file (2 GiB by default). */
  limits?: WireLimits;
  hashFile?: typeof hashBlocks;
  randomId?: () => string;
  timers?: Timers;
  now?: () => number;
}

/** One file we send: hashed once, then one transfer per recipient. */
interface Sending {
  id: string;
  file: Blob;
  name: string;
  hashed: number;
  /** Null while hashing. */
  manifest: FileManifest | null;
  abort: AbortController;
  path: FilePath;
  recipients: Array<{ peerId: string; name: string; transfer: Outgoing | null; end: FileEnd | null }>;
}

const randomId = (): string => {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
};

export class FilesFeature {
  private readonly sending = new Map<string, Sending>();
  private readonly incoming = new Map<string, Incoming>();
  private readonly ids = new Map<string, ChannelIds>();
  private hashing: Promise<void> = Promise.resolve();
  private readonly unsubscribe: () => void;
  private viewTimer: unknown = null;
  private lastView = 0;
  private disposed = false;
  private readonly limits: WireLimits;
  private readonly timers: Timers;
  private readonly now: () => number;

  constructor(private readonly deps: FilesDeps) {
    this.limits = deps.limits ?? DEFAULT_LIMITS;
    this.timers = deps.timers ?? realTimers;
    this.now = deps.now ?? (() => performance.now());
    // A connection that comes (back) up lets waiting transfers to that person go; one that closes
    // for good (a stage seat changed, the link was made again) cuts their channels.
    this.unsubscribe = deps.transport.on("connection", ({ peerId, state }) => {
      if (state === "connected") this.pump(peerId);
      if (state === "closed") this.linkClosed(peerId);
    });
  }

  /** Offers `files` to one person, or (null) to everyone we have a connection with; false if nobody can get them. */
  sendFiles(files: readonly File[], to: string | null): boolean {
    if (this.disposed || files.length === 0) return false;
    const path = filePath(this.deps.transportKind());
    // Through the room, everyone in it can be reached (one away for a moment gets the offer when it
    // is back); peer to peer, those we have a connection with.
    const reachable = this.deps.roster.participants.filter((p) => (path === "relay" || p.connection !== "closed") && (to === null || p.id === to));
    if (reachable.length === 0) return false;
    const maxBytes = path === "relay" ? Math.min(FILE_RELAY_MAX_BYTES, this.limits.maxFileBytes) : this.limits.maxFileBytes;
    for (const file of files) {
      const sending: Sending = {
        id: (this.deps.randomId ?? randomId)(),
        file,
        name: safeName(file.name),
        hashed: 0,
        manifest: null,
        abort: new AbortController(),
        path,
        recipients: reachable.map((p) => ({ peerId: p.id, name: p.name, transfer: null, end: null })),
      };
      this.sending.set(sending.id, sending);
      // Refused here, not by each receiver after a hash: none of them takes more (by default).
      if (file.size > maxBytes) this.endAll(sending, { problem: maxBytes < this.limits.maxFileBytes ? "relay-too-large" : "too-large", by: "local" });
      // One file hashed at a time: several at once would only share the disk and the CPU.
      else this.hashing = this.hashing.then(() => this.hash(sending));
    }
    this.changed();
    return true;
  }

  accept(transfer: string): boolean {
    return this.incoming.get(transfer)?.accept() ?? false;
  }

  decline(transfer: string): boolean {
    return this.incoming.get(transfer)?.decline() ?? false;
  }

  /** An outgoing file (to everyone, or to `peerId` only) or an incoming transfer. */
  cancel(id: string, peerId?: string): boolean {
    const sending = this.sending.get(id);
    if (sending) {
      let any = false;
      for (const r of sending.recipients) {
        if (peerId !== undefined && r.peerId !== peerId) continue;
        if (r.transfer) any = r.transfer.cancel() || any;
        else if (!r.end) {
          r.end = { problem: "cancelled", by: "local" };
          any = true;
        }
      }
      if (sending.recipients.every((r) => r.end || r.transfer)) sending.abort.abort();
      this.changed();
      return any;
    }
    return this.incoming.get(id)?.cancel() ?? false;
  }

  /** Removes an ended card (and the file it stored). */
  dismiss(id: string): boolean {
    const sending = this.sending.get(id);
    if (sending) {
      if (!sending.recipients.every((r) => this.recipientEnded(r))) return false;
      for (const r of sending.recipients) r.transfer?.dispose();
      this.sending.delete(id);
    } else {
      const t = this.incoming.get(id);
      if (!t?.final) return false;
      t.dispose();
      this.incoming.delete(id);
    }
    this.changed();
    return true;
  }

  /** The room's `file-offer`: someone sends us a file through the room (we are on the SFU). */
  relayOffer(msg: ServerOf<"file-offer">): void {
    if (this.disposed || this.incoming.has(msg.transfer)) return;
    const sender = this.deps.roster.participants.find((p) => p.id === msg.from);
    const open = [...this.incoming.values()].filter((t) => t.open);
    // The peer-to-peer bounds hold here too: more than that is declined unseen.
    if (!sender || open.length >= MAX_OPEN || open.filter((t) => t.from === msg.from).length >= MAX_OPEN_FROM_ONE) {
      this.deps.send({ type: "file-answer", transfer: msg.transfer, accept: false });
      return;
    }
    const { transfer, name, size, mime, id } = msg;
    const t = new RelayIncoming({
      offer: { transfer, name, size, mime, id },
      from: msg.from,
      fromName: sender.name,
      storage: this.deps.storage,
      send: this.deps.send,
      http: this.deps.relay.http,
      apiOrigin: this.deps.relay.apiOrigin,
      token: this.deps.relay.token,
      timers: this.timers,
    });
    this.incoming.set(transfer, t);
    t.on("change", () => this.incomingChanged(t));
    this.changed();
  }

  /** The room's `file-upload`: the recipient said yes to one of ours. */
  relayUpload(msg: ServerOf<"file-upload">): void {
    const t = this.relayOutgoing(msg.transfer);
    if (t) void t.uploadTo(msg.url);
  }

  /** The room's `file-ready`: a file for us is stored. */
  relayReady(msg: ServerOf<"file-ready">): void {
    const t = this.incoming.get(msg.transfer);
    if (t instanceof RelayIncoming) t.ready(msg.url);
  }

  /** The room's `file-end`, for a transfer of ours either way. */
  relayEnded(msg: ServerOf<"file-end">): void {
    const t = this.incoming.get(msg.transfer);
    if (t instanceof RelayIncoming) return t.ended(msg.reason);
    this.relayOutgoing(msg.transfer)?.ended(msg.reason);
  }

  private relayOutgoing(transfer: string): RelayOutgoing | null {
    return this.relayOutgoings().find((t) => t.transfer === transfer) ?? null;
  }

  private relayOutgoings(): RelayOutgoing[] {
    return [...this.sending.values()].flatMap((s) => s.recipients.flatMap((r) => (r.transfer instanceof RelayOutgoing ? [r.transfer] : [])));
  }

  /**
   * We resumed our seat (`welcome.files`): the frames of our relayed files the room sent while our
   * socket was down went nowhere, and ours may not have reached it. Each card is squared with the
   * room's word (its step, or its end), no card is made twice, and what waited for the socket
   * (offers queued, words unsaid) goes now.
   */
  relayResumed(snapshot: RelaySnapshot): void {
    if (this.disposed) return;
    const held = new Map(snapshot.open.map((h) => [h.transfer, h]));
    const ended = new Map(snapshot.ended.map((e) => [e.transfer, e.reason]));
    for (const t of this.relayOutgoings()) {
      const h = held.get(t.transfer);
      const reason = ended.get(t.transfer);
      if (h?.side === "from-you") t.resync(h);
      else if (reason !== undefined) t.ended(reason);
      else t.unknown();
    }
    for (const t of this.incoming.values()) {
      if (!(t instanceof RelayIncoming)) continue;
      const h = held.get(t.transfer);
      const reason = ended.get(t.transfer);
      if (h?.side === "to-you" && h.from === t.from) t.resync(h);
      else if (reason !== undefined) t.ended(reason);
      // The room forgot it without a word we kept: it is over.
      else t.lost();
    }
    for (const h of snapshot.open) {
      if (h.side === "to-you" && !this.incoming.has(h.transfer)) {
        // An offer we never saw: its card now. One further on was never ours here: the room can let it go.
        if (h.step === "offered") this.relayOffer({ type: "file-offer", transfer: h.transfer, from: h.from, name: h.name, size: h.size, mime: h.mime, id: h.id });
        else this.deps.send({ type: "file-end", transfer: h.transfer, reason: "failed" });
      } else if (h.side === "from-you" && !this.relayOutgoing(h.transfer)) this.deps.send({ type: "file-end", transfer: h.transfer, reason: "cancelled" });
    }
    this.pumpRelay();
    this.changed();
  }

  /** The room's `file` signal: the sender opened a channel for a transfer to us. */
  signal(from: string, data: FileSignal): void {
    const self = this.deps.selfId();
    if (this.disposed || !self || !TRANSFER_ID.test(data.transfer) || !this.deps.roster.participants.some((p) => p.id === from)) return;
    // The sender's parity (channel-ids.ts): any other could be one of our own streams.
    if (data.channel % 2 === parityWith(self, from)) return log({ event: "files", peer: from, step: "refused: a channel of our parity" });
    const known = this.incoming.get(data.transfer);
    if (known && (known.from !== from || !(known instanceof IncomingTransfer))) return log({ event: "files", peer: from, step: "refused: another member's transfer id" });
    // Null if the stream is in use (the connection refuses a second channel on it) or there is no connection.
    const opened = this.deps.transport.dataChannel(from, data.channel);
    if (!opened) return log({ event: "files", peer: from, step: `no channel ${data.channel}` });
    if (known) return known.attach(opened.channel);
    const open = [...this.incoming.values()].filter((t) => t.open);
    if (open.length >= MAX_OPEN || open.filter((t) => t.from === from).length >= MAX_OPEN_FROM_ONE) return refuseBusy(opened.channel);
    const transfer = new IncomingTransfer({
      transfer: data.transfer,
      from,
      fromName: this.deps.roster.participants.find((p) => p.id === from)?.name ?? "",
      storage: this.deps.storage,
      limits: this.limits,
      timers: this.timers,
    });
    this.incoming.set(data.transfer, transfer);
    transfer.on("change", () => this.incomingChanged(transfer));
    transfer.attach(opened.channel);
  }

  private linkClosed(peerId: string): void {
    for (const s of this.sending.values()) for (const r of s.recipients) if (r.peerId === peerId) r.transfer?.linkClosed();
    for (const t of this.incoming.values()) if (t.from === peerId) t.linkClosed();
  }

  /** Someone left the room: their transfers end, and their stream ids mean nothing any more. */
  peerLeft(id: string): void {
    for (const s of this.sending.values()) for (const r of s.recipients) if (r.peerId === id) this.recipientLeft(r);
    for (const t of this.incoming.values()) if (t.from === id) t.peerLeft();
    this.ids.delete(id);
    this.changed();
  }

  /**
   * We came back under a new identity (our resume failed): to the others we left, so every
   * transfer that had not ended is over.
   */
  reset(): void {
    for (const s of this.sending.values()) for (const r of s.recipients) this.recipientLeft(r, { problem: "interrupted", by: "link" });
    for (const t of this.incoming.values()) t.lost();
    this.ids.clear();
    this.changed();
  }

  /** The session ends: channels close, received files are deleted (their links die with the page's room). */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.unsubscribe();
    for (const s of this.sending.values()) {
      s.abort.abort();
      for (const r of s.recipients) r.transfer?.dispose();
    }
    for (const t of this.incoming.values()) t.dispose();
    this.sending.clear();
    this.incoming.clear();
    if (this.viewTimer !== null) this.timers.clearTimeout(this.viewTimer);
    this.deps.wakeLock?.dispose();
  }

  private async hash(sending: Sending): Promise<void> {
    if (this.disposed || sending.abort.signal.aborted) return;
    try {
      sending.manifest = await (this.deps.hashFile ?? hashBlocks)(sending.file, {
        signal: sending.abort.signal,
        onProgress: (bytes) => {
          sending.hashed = bytes;
          this.changed();
        },
      });
    } catch (e) {
      if (!sending.abort.signal.aborted) this.endAll(sending, { problem: "read-failed", by: "local" });
      log({ event: "files", peer: "", step: "hash failed", detail: String(e) });
      return;
    }
    if (this.disposed) return;
    sending.hashed = sending.file.size;
    if (sending.path === "relay") return this.startRelay(sending, sending.manifest);
    for (const r of sending.recipients) {
      if (r.end) continue;
      const transfer = new OutgoingTransfer({
        transfer: (this.deps.randomId ?? randomId)(),
        file: sending.file,
        name: sending.name,
        manifest: sending.manifest,
        open: () => this.openChannel(r.peerId, transfer.transfer),
        timers: this.timers,
      });
      r.transfer = transfer;
      let was = transfer.status;
      transfer.on("change", () => {
        const now = transfer.status;
        const cut = now === "resuming" && was !== "resuming";
        const freed = transfer.final && !(was === "done" || was === "failed");
        was = now;
        // A cut with the connection still up goes on after a pause; a finished one makes room for
        // the next; one the busy receiver may be asked for again goes now.
        if (cut) this.timers.setTimeout(() => this.pump(r.peerId), RESTART_DELAY_MS);
        else if (freed || (now === "queued" && transfer.waiting)) this.pump(r.peerId);
        this.changed();
      });
    }
    for (const peerId of new Set(sending.recipients.map((r) => r.peerId))) this.pump(peerId);
    this.changed();
  }

  /** One relayed transfer per recipient; they go as the room takes them (pumpRelay). */
  private startRelay(sending: Sending, manifest: FileManifest): void {
    for (const r of sending.recipients) {
      if (r.end) continue;
      const transfer = new RelayOutgoing({
        transfer: (this.deps.randomId ?? randomId)(),
        to: r.peerId,
        file: sending.file,
        name: sending.name,
        manifest,
        send: this.deps.send,
        http: this.deps.relay.http,
        apiOrigin: this.deps.relay.apiOrigin,
        now: this.now,
      });
      r.transfer = transfer;
      let wasFinal = false;
      transfer.on("change", () => {
        if (transfer.final && !wasFinal) {
          wasFinal = true;
          this.pumpRelay();
        }
        this.changed();
      });
    }
    this.pumpRelay();
    this.changed();
  }

  /** Offers queued relayed files while fewer than the room takes from one sender are open. */
  private pumpRelay(): void {
    if (this.disposed) return;
    const mine = this.relayOutgoings();
    let running = mine.filter((t) => t.running).length;
    for (const t of mine) {
      if (running >= FILE_RELAY_OPEN_FROM_ONE) break;
      if (t.waiting && t.start()) running++;
    }
  }

  /** Starts waiting transfers to `peerId` while fewer than MAX_RUNNING_TO_ONE run and the connection is up. */
  private pump(peerId: string): void {
    if (this.disposed) return;
    const connected = this.deps.roster.participants.some((p) => p.id === peerId && p.connection === "connected");
    if (!connected) return;
    const mine = [...this.sending.values()].flatMap((s) => s.recipients.flatMap((r) => (r.peerId === peerId && r.transfer instanceof OutgoingTransfer ? [r.transfer] : [])));
    let running = mine.filter((t) => t.running && !t.waiting).length;
    // Those that were cut first: their receivers are waiting for them.
    const waiting = [...mine.filter((t) => t.waiting && t.status === "resuming"), ...mine.filter((t) => t.waiting && t.status === "queued")];
    for (const t of waiting) {
      if (running >= MAX_RUNNING_TO_ONE) break;
      if (t.start()) running++;
      else if (!t.final) break;
    }
  }

  /** A new channel to `peerId` for one attempt of `transfer`. */
  private openChannel(peerId: string, transfer: string): OpenedChannel | null {
    const self = this.deps.selfId();
    if (!self) return null;
    let ids = this.ids.get(peerId);
    if (!ids) this.ids.set(peerId, (ids = new ChannelIds(parityWith(self, peerId))));
    const id = ids.take();
    if (id === null) return null;
    const opened = this.deps.transport.dataChannel(peerId, id);
    if (!opened) {
      ids.release(id);
      return null;
    }
    let released = false;
    return {
      dc: opened.channel,
      maxMessageSize: opened.maxMessageSize,
      announce: () => void this.deps.send({ type: "signal", to: peerId, data: { kind: "file", transfer, channel: id } }),
      release: () => {
        if (released) return;
        released = true;
        ids.release(id);
      },
    };
  }

  private recipientLeft(r: Sending["recipients"][number], end: FileEnd = { problem: "left", by: "remote" }) {
    if (r.transfer) {
      if (end.problem === "left") r.transfer.peerLeft();
      else r.transfer.lost();
    } else if (!r.end) r.end = end;
  }

  private recipientEnded(r: Sending["recipients"][number]): boolean {
    return r.transfer ? r.transfer.final : r.end !== null;
  }

  private endAll(sending: Sending, end: FileEnd) {
    for (const r of sending.recipients) if (!r.transfer && !r.end) r.end = end;
    this.changed();
  }

  private incomingChanged(t: Incoming) {
    // One that ended before its offer came was never shown: nothing to keep.
    if (t.final && !t.offer) {
      t.dispose();
      this.incoming.delete(t.transfer);
    }
    this.trimFailed();
    this.changed();
  }

  /** Keeps the newest MAX_FAILED_KEPT failed incoming cards; they hold nothing but words. */
  private trimFailed() {
    const failed = [...this.incoming.values()].filter((t) => t.status === "failed");
    for (const t of failed.slice(0, Math.max(0, failed.length - MAX_FAILED_KEPT))) {
      t.dispose();
      this.incoming.delete(t.transfer);
    }
  }

  /** Schedules the view (at most every VIEW_EVERY_MS). */
  private changed() {
    if (this.disposed || this.viewTimer !== null) return;
    const wait = this.lastView + VIEW_EVERY_MS - this.now();
    if (wait <= 0) return this.publish();
    this.viewTimer = this.timers.setTimeout(() => {
      this.viewTimer = null;
      this.publish();
    }, wait);
  }

  private publish() {
    if (this.disposed) return;
    this.lastView = this.now();
    const outgoing: OutgoingFile[] = [...this.sending.values()].map((s) => ({
      id: s.id,
      name: s.name,
      size: s.file.size,
      hashed: s.hashed,
      recipients: s.recipients.map(
        (r): OutgoingRecipient => ({
          peerId: r.peerId,
          name: r.name,
          status: r.transfer ? r.transfer.status : r.end ? "failed" : "queued",
          progress: r.transfer?.progress ?? null,
          end: r.transfer ? r.transfer.end : r.end,
        }),
      ),
    }));
    const incoming: IncomingFile[] = [...this.incoming.values()]
      .filter((t) => t.offer)
      .map((t) => ({
        transfer: t.transfer,
        from: t.from,
        fromName: t.fromName,
        name: t.offer!.name,
        size: t.offer!.size,
        mime: t.offer!.mime,
        status: t.status,
        progress: t.progress,
        end: t.end,
        url: t.url,
      }));
    // Not while a transfer waits for a connection ("resuming"): that may take minutes, with nothing moving.
    const moving =
      outgoing.some((o) => o.hashed < o.size && o.recipients.some((r) => !r.end)) ||
      outgoing.some((o) => o.recipients.some((r) => r.status === "sending")) ||
      incoming.some((i) => i.status === "receiving" || i.status === "saving");
    this.deps.wakeLock?.hold(moving);
    this.deps.update({ files: { outgoing, incoming } });
  }
}

/** A transfer we take no more of: its channel hears "busy" in place of `ready`, then closes. */
function refuseBusy(dc: RTCDataChannel): void {
  const receiver = new FileReceiver({ channel: fileChannel(dc) });
  const off = connect(dc, receiver);
  const refuse = () => receiver.refuse("busy");
  receiver.on("end", off);
  if (dc.readyState === "open") refuse();
  else listen(dc, { open: refuse });
}
