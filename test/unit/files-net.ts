// Negotiated data channels between fake members, for the files feature's tests: each member's
// transport opens channels by stream id; a channel opens on the next tick whether or not the
// other side has opened the same stream (as a negotiated channel does once SCTP is up), and a
// message sent on a stream the other side has not opened yet is dropped (as Chrome drops data for
// an unknown stream). Messages arrive in order, a task later. cut() closes every channel of a
// pair, losing what was in flight, as a dead SCTP association does.

import { Emitter } from "../../web/src/engine/emitter";
import type { PeerChannel, TransportEvents } from "../../web/src/engine/session/transport";

export class FakeRtcChannel extends EventTarget {
  binaryType: BinaryType = "blob";
  bufferedAmount = 0;
  bufferedAmountLowThreshold = 0;
  readyState: RTCDataChannelState = "connecting";
  /** Every message sent, as sent. */
  readonly sent: Array<string | ArrayBuffer> = [];
  /** Tampers with or drops (null) what this end sends. */
  filter: ((data: string | ArrayBuffer) => string | ArrayBuffer | null) | null = null;

  constructor(
    private readonly net: FakeNet,
    readonly from: string,
    readonly to: string,
    readonly id: number,
  ) {
    super();
  }

  send(given: string | ArrayBuffer | Uint8Array<ArrayBuffer>): void {
    if (this.readyState !== "open") throw new DOMException("not open", "InvalidStateError");
    // As RTCDataChannel: a view's bytes are copied, and the other end gets an ArrayBuffer.
    const data = typeof given === "string" || given instanceof ArrayBuffer ? given : given.slice().buffer;
    this.sent.push(data);
    const passed = this.filter ? this.filter(data) : data;
    if (passed !== null) this.net.deliver(this, passed);
  }

  close(): void {
    if (this.readyState === "closed" || this.readyState === "closing") return;
    this.readyState = "closing";
    // The closing procedure: what was sent still arrives, then both ends close.
    setImmediate(() => this.net.closePair(this));
  }

  /** The text messages sent, parsed. */
  get controls(): Array<Record<string, unknown>> {
    return this.sent.filter((d): d is string => typeof d === "string").map((d) => JSON.parse(d) as Record<string, unknown>);
  }

  fire(type: string, init?: { data: unknown }) {
    this.dispatchEvent(Object.assign(new Event(type), init ?? {}));
  }
}

const key = (from: string, to: string, id: number) => `${from}>${to}#${id}`;

export class FakeNet {
  readonly channels = new Map<string, FakeRtcChannel>();
  /** Every channel ever opened, in order. */
  readonly opened: FakeRtcChannel[] = [];

  transport(self: string): FakeMemberTransport {
    return new FakeMemberTransport(this, self);
  }

  open(from: string, to: string, id: number): FakeRtcChannel | null {
    const k = key(from, to, id);
    const existing = this.channels.get(k);
    if (existing && existing.readyState !== "closed") return null;
    const dc = new FakeRtcChannel(this, from, to, id);
    this.channels.set(k, dc);
    this.opened.push(dc);
    setImmediate(() => {
      if (dc.readyState !== "connecting") return;
      dc.readyState = "open";
      dc.fire("open");
    });
    return dc;
  }

  deliver(end: FakeRtcChannel, data: string | ArrayBuffer): void {
    setImmediate(() => {
      const other = this.channels.get(key(end.to, end.from, end.id));
      // Dropped: the other side has no such stream (yet), or it closed.
      if (!other || other.readyState !== "open") return;
      other.fire("message", { data: typeof data === "string" ? data : data.slice(0) });
    });
  }

  closePair(end: FakeRtcChannel): void {
    for (const dc of [end, this.channels.get(key(end.to, end.from, end.id))]) {
      if (!dc || dc.readyState === "closed") continue;
      dc.readyState = "closed";
      dc.fire("close");
    }
  }

  /** Every channel between a and b closes at once (what was in flight is lost). */
  cut(a: string, b: string): void {
    for (const dc of this.channels.values()) {
      if (!((dc.from === a && dc.to === b) || (dc.from === b && dc.to === a)) || dc.readyState === "closed") continue;
      dc.readyState = "closed";
      setImmediate(() => dc.fire("close"));
    }
  }
}

/** One member's side: its data channels, and the connection events the feature listens to. */
export class FakeMemberTransport extends Emitter<TransportEvents> {
  /** Peers we have no connection to: dataChannel() gives null. */
  readonly unreachable = new Set<string>();

  constructor(
    private readonly net: FakeNet,
    readonly self: string,
  ) {
    super();
  }

  dataChannel(peerId: string, id: number): PeerChannel | null {
    if (this.unreachable.has(peerId)) return null;
    const dc = this.net.open(this.self, peerId, id);
    return dc ? { channel: dc as unknown as RTCDataChannel, maxMessageSize: () => 262_144 } : null;
  }

  connection(peerId: string, state: TransportEvents["connection"]["state"]) {
    this.emit("connection", { peerId, state });
  }
}
