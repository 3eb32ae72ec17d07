// The recording's slice writer with fake slices and a fake disk: slices reach the disk whole and
// in order; a disk that falls behind never makes it hold more than MAX_PENDING_BYTES (it stops
// with "disk-slow" and still writes what it holds); the quota rule stops it with "no-space"
// before the origin passes QUOTA_STOP_FRACTION; a failed write stops it with "write-failed".

import { describe, expect, it } from "vitest";
import { MAX_PENDING_BYTES, QUOTA_STOP_FRACTION, SLICE_MS } from "../../web/src/engine/recording/contract";
import { type Estimate, type SliceSink, SliceWriter, type WriterStop } from "../../web/src/engine/recording/slice-writer";

const MB = 1024 * 1024;

/** A disk that takes each append only when the test lets it (or at once when `fast`). */
class FakeDisk implements SliceSink {
  /** What reached the disk: each slice's size and first byte (its index), not its bytes. */
  readonly chunks: Array<{ length: number; first: number }> = [];
  private waiting: Array<() => void> = [];
  fast = false;
  failAfter = Infinity;
  /** Bytes in memory the writer has handed over but the disk has not taken. */
  inFlight = 0;

  async append(slice: Blob): Promise<void> {
    if (this.chunks.length >= this.failAfter) throw new DOMException("disk gone", "InvalidStateError");
    this.inFlight += slice.size;
    if (!this.fast) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.chunks.push({ length: slice.size, first: new Uint8Array(await slice.slice(0, 1).arrayBuffer())[0]! });
    this.inFlight -= slice.size;
  }

  async writeAt(): Promise<void> {}
  async close(): Promise<File> {
    return new File([], "x.webm");
  }
  async abort(): Promise<void> {}

  /** Lets the slowest disk take one slice. */
  async takeOne(): Promise<void> {
    const next = this.waiting.shift();
    next?.();
    // Let the writer's loop go round (arrayBuffer, push, next append).
    for (let i = 0; i < 10; i++) await Promise.resolve();
    await new Promise((r) => setTimeout(r, 0));
  }

  get queued(): number {
    return this.waiting.length;
  }

  get bytes(): number {
    return this.chunks.reduce((n, c) => n + c.length, 0);
  }
}

/** A slice of `size` bytes, filled with its index so order can be checked. */
const slice = (index: number, size: number) => new Blob([new Uint8Array(size).fill(index % 256)]);

function writer(disk: SliceSink, estimate: Estimate | null = null) {
  const stops: WriterStop[] = [];
  const w = new SliceWriter(disk, { maxPendingBytes: MAX_PENDING_BYTES, estimate, quotaFraction: QUOTA_STOP_FRACTION, onStop: (r) => stops.push(r) });
  return { w, stops };
}

// Tens of MB of real Blobs: generous timeouts for a loaded machine (nothing here is timed).
describe("slice writer", { timeout: 60_000 }, () => {
  it("writes every slice whole and in order", async () => {
    const disk = new FakeDisk();
    disk.fast = true;
    const { w, stops } = writer(disk);
    for (let i = 0; i < 20; i++) w.push(slice(i, 1000 + i));
    await w.finish();
    expect(stops).toEqual([]);
    expect(disk.chunks.map((c) => [c.length, c.first])).toEqual(Array.from({ length: 20 }, (_, i) => [1000 + i, i]));
    expect(w.written).toBe(disk.bytes);
    expect(w.pendingBytes).toBe(0);
  });

  it("never holds more than MAX_PENDING_BYTES for a slow disk: it stops with disk-slow and keeps the file whole", async () => {
    const disk = new FakeDisk();
    const { w, stops } = writer(disk);
    // 2 s slices of 1 MB (4 Mbps) into a disk that takes none: 50 fit, the 51st stops it.
    let pushed = 0;
    let maxHeld = 0;
    for (let i = 0; i < 80; i++) {
      w.push(slice(i, MB));
      pushed++;
      maxHeld = Math.max(maxHeld, w.pendingBytes);
      expect(w.pendingBytes).toBeLessThanOrEqual(MAX_PENDING_BYTES);
      await Promise.resolve();
    }
    expect(stops).toEqual(["disk-slow"]);
    expect(maxHeld).toBe(MAX_PENDING_BYTES);
    expect(w.maxPendingSeen).toBe(MAX_PENDING_BYTES);
    expect(pushed).toBe(80);
    // Refused once stopped, however much comes after (the encoder's last slice included).
    w.push(slice(99, 10));
    expect(w.pendingBytes).toBe(MAX_PENDING_BYTES);
    // The disk catches up: everything held is written, in order, and nothing after the stop.
    const done = w.finish();
    while (disk.queued > 0 || w.pendingBytes > 0) await disk.takeOne();
    await done;
    expect(disk.chunks.length).toBe(MAX_PENDING_BYTES / MB);
    expect(disk.chunks.every((c, i) => c.first === i % 256 && c.length === MB)).toBe(true);
    expect(w.written).toBe(MAX_PENDING_BYTES);
    expect(w.pendingBytes).toBe(0);
    expect(stops).toEqual(["disk-slow"]);
  });

  it("a disk that keeps up holds about one slice, for as long as it records", async () => {
    const disk = new FakeDisk();
    const { w, stops } = writer(disk);
    // 20 minutes of 2 s slices at 2.5 Mbps + 128 kbps (about 650 KB each), each taken before the next.
    const size = Math.round(((2_500_000 + 128_000) / 8) * (SLICE_MS / 1000));
    const slices = (20 * 60_000) / SLICE_MS;
    for (let i = 0; i < slices; i++) {
      w.push(slice(i, size));
      await disk.takeOne();
    }
    await w.finish();
    expect(stops).toEqual([]);
    expect(w.maxPendingSeen).toBe(size);
    expect(w.written).toBe(slices * size);
  });

  it("stops with no-space before the origin's usage would pass QUOTA_STOP_FRACTION of its quota", async () => {
    const disk = new FakeDisk();
    disk.fast = true;
    const quota = 100 * MB;
    const others = 60 * MB; // what the origin held before the recording
    let asked = 0;
    const estimate: Estimate = async () => {
      asked++;
      return { usage: others + disk.bytes, quota };
    };
    const { w, stops } = writer(disk, estimate);
    for (let i = 0; i < 40; i++) {
      w.push(slice(i, MB));
      await new Promise((r) => setTimeout(r, 0));
    }
    await w.finish();
    expect(stops).toEqual(["no-space"]);
    // 90 MB allowed: 30 slices of 1 MB fit after the 60 MB already there, the 31st would pass.
    expect(disk.chunks.length).toBe(30);
    expect(others + disk.bytes).toBeLessThanOrEqual(quota * QUOTA_STOP_FRACTION);
    expect(asked).toBe(31);
    expect(w.pendingBytes).toBe(0);
  });

  it("does not check the quota for a picked file (no estimate), however full the origin is", async () => {
    const disk = new FakeDisk();
    disk.fast = true;
    // The recorder passes null for a picked file; with a full origin's estimate the same slices stop at once.
    let asked = 0;
    const full: Estimate = async () => {
      asked++;
      return { usage: 100 * MB, quota: 100 * MB };
    };
    const picked = writer(disk, null);
    for (let i = 0; i < 5; i++) picked.w.push(slice(i, 100));
    await picked.w.finish();
    expect(picked.stops).toEqual([]);
    expect(disk.chunks.length).toBe(5);
    const opfs = writer(new FakeDisk(), full);
    opfs.w.push(slice(0, 100));
    await opfs.w.finish();
    expect(opfs.stops).toEqual(["no-space"]);
    expect(asked).toBe(1);
  });

  it("writes on when the estimate fails, asking again for each slice", async () => {
    const disk = new FakeDisk();
    disk.fast = true;
    let asked = 0;
    const { w, stops } = writer(disk, async () => {
      asked++;
      throw new Error("estimate() unavailable");
    });
    for (let i = 0; i < 5; i++) w.push(slice(i, 100));
    await w.finish();
    expect(stops).toEqual([]);
    expect(disk.chunks.length).toBe(5);
    expect(asked).toBe(5);
  });

  it("stops with write-failed on a failed write, dropping the rest and keeping what was written", async () => {
    const disk = new FakeDisk();
    disk.fast = true;
    disk.failAfter = 3;
    const { w, stops } = writer(disk);
    for (let i = 0; i < 10; i++) w.push(slice(i, 100));
    await w.finish();
    expect(stops).toEqual(["write-failed"]);
    expect(disk.chunks.length).toBe(3);
    expect(w.written).toBe(300);
    expect(w.pendingBytes).toBe(0);
    w.push(slice(11, 100));
    expect(w.pendingBytes).toBe(0);
  });

  it("refuses slices after finish()", async () => {
    const disk = new FakeDisk();
    disk.fast = true;
    const { w } = writer(disk);
    w.push(slice(0, 10));
    await w.finish();
    w.push(slice(1, 10));
    expect(w.pendingBytes).toBe(0);
    expect(disk.chunks.length).toBe(1);
  });
});
