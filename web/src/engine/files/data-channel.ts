// The one place a transfer meets a real RTCDataChannel: fileChannel() gives a sender or receiver
// the FileChannel it sends through, and connect() hands it what the channel delivers. Two steps
// because the unit needs the channel to be built and the channel's events need the unit.

import { listen } from "../listen";
import type { ChannelEndpoint, FileChannel } from "./channel";

/** The part of RTCDataChannel used here (unit tests pass a fake). */
export type DataChannelLike = Pick<
  RTCDataChannel,
  "send" | "close" | "bufferedAmount" | "bufferedAmountLowThreshold" | "binaryType" | "addEventListener" | "removeEventListener"
>;

export function fileChannel(dc: DataChannelLike): FileChannel {
  // Binary messages as ArrayBuffer, not Blob (Firefox's default): the receiver copies them into
  // a block buffer at once, and a Blob would need an async read per chunk.
  dc.binaryType = "arraybuffer";
  return {
    send: (data) => (typeof data === "string" ? dc.send(data) : data instanceof ArrayBuffer ? dc.send(data) : dc.send(data)),
    get bufferedAmount() {
      return dc.bufferedAmount;
    },
    get bufferedAmountLowThreshold() {
      return dc.bufferedAmountLowThreshold;
    },
    set bufferedAmountLowThreshold(bytes: number) {
      dc.bufferedAmountLowThreshold = bytes;
    },
    onBufferedAmountLow: (fn) => listen(dc, { bufferedamountlow: fn }),
    close: () => dc.close(),
  };
}

/** Routes the channel's messages and its closing to `endpoint`; returns what removes those listeners. */
export function connect(dc: DataChannelLike, endpoint: ChannelEndpoint): () => void {
  return listen(dc, {
    message: (e: MessageEvent) => {
      // Anything else (a Blob, if binaryType was changed behind our back) is not ours to read.
      if (typeof e.data === "string" || e.data instanceof ArrayBuffer) endpoint.receive(e.data);
    },
    // An `error` event (a failed SCTP transport) is followed by `close`: one path for both.
    close: () => endpoint.channelClosed(),
  });
}
