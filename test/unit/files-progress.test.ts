// The small parts the transfers lean on: the progress meter (speed over a sliding window, time
// left), the backpressure gate on its own, and the memory sink.

import { describe, expect, it } from "vitest";
import { Backpressure } from "../../web/src/engine/files/channel";
import { ProgressMeter } from "../../web/src/engine/files/progress";
import { MemorySink } from "../../web/src/engine/files/sink";
import { FakeLink, settle } from "./files-fakes";

describe("ProgressMeter", () => {
  it("gives speed and time left, and follows a slowdown within its window", () => {
    let now = 0;
    const meter = new ProgressMeter(100_000, 0, () => now, 3000);
    expect(meter.update(0)).toEqual({ bytesDone: 0, bytesTotal: 100_000, bytesPerSecond: 0, secondsLeft: null });
    now = 1000;
    expect(meter.update(10_000)).toMatchObject({ bytesPerSecond: 10_000, secondsLeft: 9 });
    now = 2000;
    expect(meter.update(20_000)).toMatchObject({ bytesPerSecond: 10_000, secondsLeft: 8 });
    // The link slows to 1 kB/s; after a window's worth the old speed is forgotten.
    for (let s = 3; s <= 8; s++) {
      now = s * 1000;
      meter.update(20_000 + (s - 2) * 1000);
    }
    expect(meter.update(26_000).bytesPerSecond).toBeCloseTo(1000, 0);
    expect(meter.update(100_000).secondsLeft).toBe(0);
  });

  it("measures a resumed transfer from its resume point, not from zero", () => {
    let now = 0;
    const meter = new ProgressMeter(10_000, 6_000, () => now);
    now = 1000;
    expect(meter.update(7_000)).toMatchObject({ bytesPerSecond: 1000, secondsLeft: 3 });
  });
});

describe("Backpressure", () => {
  it("holds a send that would pass the high-water mark until bufferedamountlow, and lets go on stop", async () => {
    const link = new FakeLink({ bytesPerTick: 0 });
    const gate = new Backpressure(link.a, 1000, 200);
    expect(link.a.bufferedAmountLowThreshold).toBe(200);
    expect(await gate.room(1000)).toBe(true); // nothing queued: even a large message goes
    link.a.send(new ArrayBuffer(450));
    link.a.send(new ArrayBuffer(450));
    let released: boolean | null = null;
    void gate.room(200).then((r) => (released = r));
    await settle();
    expect(released).toBeNull();
    // Under the high-water mark again, but not yet down to the threshold: still held.
    link.a.deliverDownTo(500);
    expect(link.a.bufferedAmount).toBe(450);
    await settle();
    expect(released).toBeNull();
    link.a.deliverDownTo(0);
    await settle();
    expect(released).toBe(true);

    link.a.send(new ArrayBuffer(900));
    void gate.room(200).then((r) => (released = r));
    gate.stop();
    await settle();
    expect(released).toBe(false);
    expect(link.a.lowListenerCount).toBe(0);
  });
});

describe("MemorySink", () => {
  it("assembles blocks written out of order into the file", async () => {
    const sink = new MemorySink(6, "text/plain");
    await sink.write(3, new Uint8Array([4, 5, 6]));
    await sink.write(0, new Uint8Array([9, 9, 9]));
    await sink.write(0, new Uint8Array([1, 2, 3])); // the same block again, after a resume
    await sink.close();
    const blob = sink.blob()!;
    expect(blob.type).toBe("text/plain");
    expect([...new Uint8Array(await blob.arrayBuffer())]).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it("refuses a file over its cap, a write past the end, a missing block, and writes after abort", async () => {
    expect(() => new MemorySink(11, "", 10)).toThrow(RangeError);
    const sink = new MemorySink(6);
    await expect(sink.write(4, new Uint8Array(3))).rejects.toThrow(RangeError);
    await sink.write(0, new Uint8Array(3));
    await expect(sink.close()).rejects.toThrow();
    const aborted = new MemorySink(3);
    await aborted.abort();
    await expect(aborted.write(0, new Uint8Array(3))).rejects.toThrow();
    expect(aborted.blob()).toBeNull();
  });
});
