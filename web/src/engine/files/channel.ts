// What a transfer needs from its data channel, and the sender's backpressure on it.
//
// The transfer units never touch an RTCDataChannel: they send through this interface, and the
// adapter hands them what arrives (receive(data), channelClosed()). Unit tests pass an in-memory
// pair with a simulated bufferedAmount.
//
// Backpressure: send() never blocks; it queues in the browser, and Chrome *closes* a channel
// holding more than 16 MiB (datachannel-wasm#5, saltyrtc-task-webrtc-js#9). So the sender stops
// before a message would take bufferedAmount over HIGH_WATER_BYTES and goes on when the browser
// fires bufferedamountlow, which it does when bufferedAmount falls to the threshold from above
// (webrtc-pc §6.2; w3c/webrtc-pc#1979 on the event's quirks).

/** The part of RTCDataChannel a transfer uses. The adapter sets binaryType to "arraybuffer". */
export interface FileChannel {
  /** A binary message may be a view into a larger buffer: the channel copies its bytes when called. */
  send(data: string | ArrayBuffer | Uint8Array<ArrayBuffer>): void;
  readonly bufferedAmount: number;
  bufferedAmountLowThreshold: number;
  /** Calls `fn` on each bufferedamountlow; returns the remover. */
  onBufferedAmountLow(fn: () => void): () => void;
  close(): void;
}

/** What the adapter calls on a sender or receiver: the channel's messages and its closing. */
export interface ChannelEndpoint {
  receive(data: string | ArrayBuffer): void;
  channelClosed(): void;
}

/** Stop sending above this (FEATURES §6: well under Chrome's 16 MiB). */
export const HIGH_WATER_BYTES = 4 * 1024 * 1024;
/** Go on when bufferedAmount falls to this. */
export const LOW_WATER_BYTES = 1024 * 1024;

export class Backpressure {
  private wake: (() => void) | null = null;
  private readonly unlisten: () => void;
  private stopped = false;

  constructor(
    private readonly channel: FileChannel,
    private readonly high = HIGH_WATER_BYTES,
    low = LOW_WATER_BYTES,
  ) {
    channel.bufferedAmountLowThreshold = low;
    this.unlisten = channel.onBufferedAmountLow(() => this.release());
  }

  /**
   * Resolves when `bytes` more fit under the high-water mark, so bufferedAmount never exceeds it.
   * Resolves false if stopped meanwhile (the transfer ended): the caller must not send then.
   */
  async room(bytes: number): Promise<boolean> {
    // A message larger than the mark on its own still goes once nothing else is queued.
    while (!this.stopped && this.channel.bufferedAmount > 0 && this.channel.bufferedAmount + bytes > this.high) {
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
    return !this.stopped;
  }

  /** Wakes a waiting room() for good and removes the listener it added. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.unlisten();
    this.release();
  }

  private release() {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }
}
