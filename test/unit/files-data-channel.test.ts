// The RTCDataChannel adapter: what a transfer sends reaches the channel, what the channel
// delivers and its closing reach the transfer, and every listener added is removed.

import { describe, expect, it } from "vitest";
import { connect, type DataChannelLike, fileChannel } from "../../web/src/engine/files/data-channel";

class FakeDataChannel extends EventTarget {
  binaryType: BinaryType = "blob";
  bufferedAmount = 0;
  bufferedAmountLowThreshold = 0;
  readonly sent: unknown[] = [];
  closed = false;
  listeners = 0;
  send(data: unknown) {
    this.sent.push(data);
  }
  close() {
    this.closed = true;
  }
  override addEventListener(type: string, fn: EventListenerOrEventListenerObject | null) {
    this.listeners++;
    super.addEventListener(type, fn);
  }
  override removeEventListener(type: string, fn: EventListenerOrEventListenerObject | null) {
    this.listeners--;
    super.removeEventListener(type, fn);
  }
}

const message = (data: unknown) => Object.assign(new Event("message"), { data });

describe("fileChannel and connect", () => {
  it("adapts an RTCDataChannel both ways", () => {
    const dc = new FakeDataChannel();
    const channel = fileChannel(dc as unknown as DataChannelLike);
    expect(dc.binaryType).toBe("arraybuffer");

    const buffer = new ArrayBuffer(3);
    channel.send("{}");
    channel.send(buffer);
    expect(dc.sent).toEqual(["{}", buffer]);
    dc.bufferedAmount = 42;
    expect(channel.bufferedAmount).toBe(42);
    channel.bufferedAmountLowThreshold = 1024;
    expect(dc.bufferedAmountLowThreshold).toBe(1024);

    let lows = 0;
    const unlisten = channel.onBufferedAmountLow(() => lows++);
    dc.dispatchEvent(new Event("bufferedamountlow"));
    unlisten();
    dc.dispatchEvent(new Event("bufferedamountlow"));
    expect(lows).toBe(1);

    const got: unknown[] = [];
    let closes = 0;
    const detach = connect(dc as unknown as DataChannelLike, { receive: (d) => got.push(d), channelClosed: () => closes++ });
    dc.dispatchEvent(message("text"));
    dc.dispatchEvent(message(buffer));
    dc.dispatchEvent(message(new Blob(["x"])));
    dc.dispatchEvent(new Event("close"));
    expect(got).toEqual(["text", buffer]);
    expect(closes).toBe(1);
    detach();
    expect(dc.listeners).toBe(0);

    channel.close();
    expect(dc.closed).toBe(true);
  });
});
