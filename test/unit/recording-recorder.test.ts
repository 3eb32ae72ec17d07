// The recorder's states and stops with fake browser parts (a fake MediaRecorder, disk, clock and
// estimate): a recording that is stopped is saved with its duration written in; one that runs out
// of disk speed, quota or writes stops by itself and keeps its file; and what fails before the
// start says why.

import { describe, expect, it } from "vitest";
import { MAX_PENDING_BYTES, MIN_FREE_BYTES, SLICE_MS, type RecorderSources, type RecorderState } from "../../web/src/engine/recording/contract";
import { type CaptureHandle, type Encoder, type RecorderParts, startRecording } from "../../web/src/engine/recording/recorder";
import type { SliceSink } from "../../web/src/engine/recording/slice-writer";
import { CHROMIUM_HEAD } from "./recording-webm-head";

const MB = 1024 * 1024;
const tick = () => new Promise((r) => setTimeout(r, 0));

class FakeEncoder implements Encoder {
  state: "inactive" | "recording" | "paused" = "inactive";
  ondataavailable: ((event: BlobEvent) => void) | null = null;
  onerror: ((event: ErrorEvent) => void) | null = null;
  onstop: ((event: Event) => void) | null = null;
  timeslice = 0;
  /** The slice MediaRecorder hands over when it stops. */
  last: Blob = new Blob([new Uint8Array(100)]);
  constructor(readonly options: MediaRecorderOptions) {}
  start(timeslice: number) {
    this.timeslice = timeslice;
    this.state = "recording";
  }
  stop() {
    this.state = "inactive";
    setTimeout(() => {
      this.slice(this.last);
      this.onstop?.(new Event("stop"));
    }, 0);
  }
  slice(data: Blob) {
    this.ondataavailable?.({ data } as BlobEvent);
  }
  /** As MediaRecorder fails: inactive at once, `error`, then the last `dataavailable` and `stop`. */
  fail() {
    this.state = "inactive";
    this.onerror?.(new Event("error") as ErrorEvent);
    setTimeout(() => {
      this.slice(this.last);
      this.onstop?.(new Event("stop"));
    }, 0);
  }
}

/** A disk in memory: appends, positional writes, and a gate that holds appends back. */
class MemoryDisk implements SliceSink {
  private readonly chunks: Uint8Array[] = [];
  size = 0;
  closed = false;
  aborted = false;
  held = false;
  failing = false;
  closeFails = false;
  private gate: Array<() => void> = [];
  async append(slice: Blob) {
    if (this.failing) throw new DOMException("gone", "InvalidStateError");
    if (this.held) await new Promise<void>((r) => this.gate.push(r));
    this.chunks.push(new Uint8Array(await slice.arrayBuffer()));
    this.size += slice.size;
  }
  async writeAt(position: number, bytes: Uint8Array) {
    // At the file's offset, across slices: the head may span several.
    let start = 0;
    for (const chunk of this.chunks) {
      for (let i = Math.max(position, start); i < Math.min(position + bytes.length, start + chunk.length); i++) chunk[i - start] = bytes[i - position]!;
      start += chunk.length;
    }
  }
  get head(): Uint8Array {
    return this.chunks[0] ?? new Uint8Array(0);
  }
  get bytes(): Blob {
    return new Blob(this.chunks as BlobPart[]);
  }
  async close() {
    if (this.closeFails) throw new DOMException("gone", "InvalidStateError");
    this.closed = true;
    return new File([this.bytes], "x.webm");
  }
  async abort() {
    this.aborted = true;
  }
  release() {
    this.held = false;
    for (const go of this.gate.splice(0)) go();
  }
}

function setup(opts: { mimeType?: string | null; estimate?: () => { usage: number; quota: number }; picker?: RecorderParts["picker"]; readOpfs?: RecorderParts["readOpfs"] } = {}) {
  const disk = new MemoryDisk();
  const log = { opened: 0, removed: [] as string[], released: 0, captureStopped: false, estimates: 0 };
  let now = 1000;
  let encoder!: FakeEncoder;
  const seconds: Array<() => void> = [];
  const parts: RecorderParts = {
    mimeType: () => (opts.mimeType === undefined ? "video/webm;codecs=vp9,opus" : opts.mimeType),
    estimate: async () => {
      log.estimates++;
      return opts.estimate ? opts.estimate() : { usage: 0, quota: 10_000 * MB };
    },
    picker: opts.picker ?? null,
    openOpfs: async (suggested) => {
      log.opened++;
      return { name: suggested, sink: disk, release: () => void log.released++ };
    },
    openPicked: async () => disk,
    readOpfs: opts.readOpfs ?? (async () => new File([disk.bytes], "x.webm")),
    removeOpfs: async (name) => void log.removed.push(name),
    capture: (_sources, onSecond): CaptureHandle => {
      seconds.push(onSecond);
      return { stream: {} as MediaStream, counters: { drawn: 0, drawnHidden: 0 }, stop: () => void (log.captureStopped = true) };
    },
    encoder: (_stream, options) => (encoder = new FakeEncoder(options)),
    now: () => now,
  };
  const states: RecorderState[] = [];
  return {
    disk,
    log,
    parts,
    states,
    phases: () => states.map((s) => s.phase),
    encoder: () => encoder,
    advance: (ms: number) => (now += ms),
    second: () => seconds.forEach((f) => f()),
    onState: (s: RecorderState) => void states.push(s),
  };
}

const composite: RecorderSources = { kind: "composite", layout: () => [], audioTracks: () => [], ownTracks: () => ({ audio: null, video: null }) };

describe("recorder", () => {
  // A loaded machine (two recordings at once) starts its encoder late, and Chromium's MediaRecorder
  // then ends the first slice at the muxer's first write: one byte of the EBML header (seen in
  // test/browser/recording.test.ts as slices of 1, 24589, … bytes, and a file of duration Infinity).
  it.each([
    [[1]],
    [[1, 39]],
    [[60, 12]],
  ])("writes the duration when the head spans slices split at %j", async (cuts) => {
    const t = setup();
    const rec = await startRecording({ sources: composite, label: "abc", onState: t.onState }, t.parts);
    let from = 0;
    for (const n of [...cuts, CHROMIUM_HEAD.length]) {
      t.encoder().slice(new Blob([CHROMIUM_HEAD.slice(from, from + n)]));
      from += n;
    }
    t.advance(7_000);
    await tick();
    const final = await rec.stop();
    expect(final).toMatchObject({ phase: "saved", reason: null, recording: { durationMs: 7_000, bytes: CHROMIUM_HEAD.length + 100 } });
    const file = new Uint8Array(await t.disk.bytes.arrayBuffer());
    expect([...file.slice(69, 72)]).toEqual([0x44, 0x89, 0x84]);
    expect(new DataView(file.buffer, 72, 4).getFloat32(0)).toBe(7_000);
    expect([...file.slice(76, 78)]).toEqual([0xec, 0x80]);
    expect([...file.slice(0, 69)]).toEqual([...CHROMIUM_HEAD.slice(0, 69)]);
    expect([...file.slice(78, CHROMIUM_HEAD.length)]).toEqual([...CHROMIUM_HEAD.slice(78)]);
  });

  it("records slices to disk and saves the file with its duration written in", async () => {
    const t = setup();
    const rec = await startRecording({ sources: composite, label: "abc", onState: t.onState }, t.parts);
    expect(rec.state.phase).toBe("recording");
    const encoder = t.encoder();
    expect(encoder.timeslice).toBe(SLICE_MS);
    expect(encoder.options).toMatchObject({ mimeType: "video/webm;codecs=vp9,opus", videoBitsPerSecond: 2_500_000, audioBitsPerSecond: 128_000 });
    // Chromium may hand an empty slice first; the head comes with the first real one.
    encoder.slice(new Blob([]));
    encoder.slice(new Blob([CHROMIUM_HEAD]));
    t.advance(1000);
    await tick();
    t.second();
    expect(rec.state).toMatchObject({ phase: "recording", bytes: CHROMIUM_HEAD.length, elapsedMs: 1000 });
    t.advance(5_432);
    const final = await rec.stop();
    expect(t.phases()).toEqual(["starting", "recording", "recording", "stopping", "saved"]);
    expect(final.phase).toBe("saved");
    if (final.phase !== "saved") return;
    expect(final.reason).toBeNull();
    expect(final.recording).toMatchObject({ where: "opfs", mimeType: "video/webm", durationMs: 6_432, bytes: CHROMIUM_HEAD.length + 100 });
    expect(final.recording.name).toMatch(/^roomlink-abc-\d{4}-\d\d-\d\d-\d{4}\.webm$/);
    // Duration (0x4489, float32) where WritingApp was; the rest of the head unchanged.
    const head = t.disk.head;
    const at = 69; // WritingApp's offset in the captured head
    expect([...head.slice(at, at + 3)]).toEqual([0x44, 0x89, 0x84]);
    expect(new DataView(head.buffer, at + 3, 4).getFloat32(0)).toBe(6_432);
    expect([...head.slice(at + 7, at + 9)]).toEqual([0xec, 0x80]);
    expect([...head.slice(at + 9, CHROMIUM_HEAD.length)]).toEqual([...CHROMIUM_HEAD.slice(at + 9)]);
    expect(t.disk.closed).toBe(true);
    expect(t.log.captureStopped).toBe(true);
    // Stopping again changes nothing; discard frees the file and its claim.
    expect(await rec.stop()).toBe(final);
    await final.recording.discard();
    expect(t.log.removed).toEqual([final.recording.name]);
    expect(t.log.released).toBe(1);
  });

  it("stops by itself with disk-slow when the disk falls MAX_PENDING_BYTES behind, and keeps the file", async () => {
    const t = setup();
    const rec = await startRecording({ sources: composite, onState: t.onState }, t.parts);
    const encoder = t.encoder();
    encoder.slice(new Blob([CHROMIUM_HEAD]));
    await tick();
    t.disk.held = true;
    for (let i = 0; i < MAX_PENDING_BYTES / MB + 5 && rec.state.phase === "recording"; i++) encoder.slice(new Blob([new Uint8Array(MB)]));
    expect(rec.state.phase).toBe("stopping");
    expect(rec.counters.maxPendingBytes).toBeLessThanOrEqual(MAX_PENDING_BYTES);
    await tick();
    t.disk.release();
    const final = await rec.stop();
    expect(final).toMatchObject({ phase: "saved", reason: "disk-slow" });
    expect(t.disk.closed).toBe(true);
    // Everything held is written; the slice past the bound and the encoder's last one are not.
    expect(t.disk.size).toBe(CHROMIUM_HEAD.length + MAX_PENDING_BYTES);
  }, 30_000);

  it("ends the duration at the last slice written, not at the stop, after a disk-slow stop", async () => {
    const t = setup();
    const rec = await startRecording({ sources: composite, onState: t.onState }, t.parts);
    const encoder = t.encoder();
    t.advance(SLICE_MS);
    encoder.slice(new Blob([CHROMIUM_HEAD]));
    await tick();
    t.disk.held = true;
    // Each slice 2 s after the last; the one that passes the bound is dropped, and so is the last.
    for (let i = 0; i < MAX_PENDING_BYTES / MB + 5 && rec.state.phase === "recording"; i++) {
      t.advance(SLICE_MS);
      encoder.slice(new Blob([new Uint8Array(MB)]));
    }
    const slicesHeld = MAX_PENDING_BYTES / MB;
    t.advance(10_000); // the disk takes its time to catch up
    t.disk.release();
    const final = await rec.stop();
    expect(final).toMatchObject({ phase: "saved", reason: "disk-slow", recording: { durationMs: SLICE_MS * (1 + slicesHeld) } });
    const head = t.disk.head;
    expect(new DataView(head.buffer, 69 + 3, 4).getFloat32(0)).toBe(SLICE_MS * (1 + slicesHeld));
  }, 30_000);

  it("keeps the encoder's last slice after an encoder error, and still writes the duration", async () => {
    const t = setup();
    const rec = await startRecording({ sources: composite, onState: t.onState }, t.parts);
    const encoder = t.encoder();
    encoder.slice(new Blob([CHROMIUM_HEAD]));
    await tick();
    t.advance(3_000);
    encoder.fail();
    expect(rec.state.phase).toBe("stopping");
    const final = await rec.stop();
    expect(final).toMatchObject({ phase: "saved", reason: "write-failed", recording: { durationMs: 3_000, bytes: CHROMIUM_HEAD.length + 100 } });
    // The slice that came after the error reached the disk, and the head has its duration.
    expect(t.disk.size).toBe(CHROMIUM_HEAD.length + 100);
    expect([...t.disk.head.slice(69, 72)]).toEqual([0x44, 0x89, 0x84]);
    expect(new DataView(t.disk.head.buffer, 72, 4).getFloat32(0)).toBe(3_000);
    expect(t.disk.closed).toBe(true);
  });

  it("keeps what was written when closing the file fails, read back from OPFS", async () => {
    const t = setup();
    t.disk.closeFails = true;
    const rec = await startRecording({ sources: composite, onState: t.onState }, t.parts);
    t.encoder().slice(new Blob([CHROMIUM_HEAD]));
    const final = await rec.stop();
    expect(final).toMatchObject({ phase: "saved", reason: "write-failed", recording: { where: "opfs", bytes: CHROMIUM_HEAD.length + 100 } });
    expect(t.disk.aborted).toBe(true);
    // Still the recorder's file: removed and released only on discard.
    expect(t.log.removed).toEqual([]);
    expect(t.log.released).toBe(0);
  });

  it("removes the file and releases its lock when closing fails and nothing can be read back", async () => {
    const t = setup({ readOpfs: async () => new File([], "x.webm") });
    t.disk.closeFails = true;
    const rec = await startRecording({ sources: composite, onState: t.onState }, t.parts);
    t.encoder().slice(new Blob([CHROMIUM_HEAD]));
    expect(await rec.stop()).toEqual({ phase: "failed", reason: "write-failed" });
    expect(t.log.removed.length).toBe(1);
    expect(t.log.released).toBe(1);
  });

  it("stops by itself with no-space at the quota rule, and keeps what was written", async () => {
    let usage = 0;
    const t = setup({ estimate: () => ({ usage: usage, quota: 1000 * MB }) });
    const rec = await startRecording({ sources: composite, onState: t.onState }, t.parts);
    const encoder = t.encoder();
    encoder.slice(new Blob([CHROMIUM_HEAD]));
    await tick();
    usage = 900 * MB; // another tab filled the origin
    encoder.slice(new Blob([new Uint8Array(1000)]));
    await tick();
    await tick();
    const final = await rec.stop();
    expect(final).toMatchObject({ phase: "saved", reason: "no-space" });
    expect(t.disk.size).toBe(CHROMIUM_HEAD.length);
    expect(t.phases().at(-1)).toBe("saved");
  });

  it("fails with write-failed, and removes the empty file, when nothing could be written", async () => {
    const t = setup();
    t.disk.failing = true;
    const rec = await startRecording({ sources: composite, onState: t.onState }, t.parts);
    t.encoder().slice(new Blob([CHROMIUM_HEAD]));
    const final = await rec.stop();
    expect(final).toEqual({ phase: "failed", reason: "write-failed" });
    expect(t.log.removed.length).toBe(1);
    expect(t.log.released).toBe(1);
  });

  it("refuses to start with less than MIN_FREE_BYTES free", async () => {
    const t = setup({ estimate: () => ({ usage: 1000 * MB, quota: 1000 * MB + MIN_FREE_BYTES - 1 }) });
    const rec = await startRecording({ sources: composite, onState: t.onState }, t.parts);
    expect(rec.state).toEqual({ phase: "failed", reason: "no-space" });
    expect(t.log.opened).toBe(0);
    expect(t.phases()).toEqual(["starting", "failed"]);
  });

  it("refuses to start where the quota rule would stop it soon (usage + MIN_FREE_BYTES past QUOTA_STOP_FRACTION)", async () => {
    // 250 MB free, but the writer stops at 90 % of 1000 MB: only 150 MB of room, under MIN_FREE_BYTES.
    const t = setup({ estimate: () => ({ usage: 750 * MB, quota: 1000 * MB }) });
    const rec = await startRecording({ sources: composite, onState: t.onState }, t.parts);
    expect(rec.state).toEqual({ phase: "failed", reason: "no-space" });
    expect(t.log.opened).toBe(0);
    // Exactly at the rule it starts.
    const u = setup({ estimate: () => ({ usage: 900 * MB - MIN_FREE_BYTES, quota: 1000 * MB }) });
    expect((await startRecording({ sources: composite, onState: u.onState }, u.parts)).state.phase).toBe("recording");
  });

  it("says unsupported, or no-media for a self recording with neither camera nor mic", async () => {
    const a = setup({ mimeType: null });
    expect((await startRecording({ sources: composite, onState: a.onState }, a.parts)).state).toEqual({ phase: "failed", reason: "unsupported" });
    const b = setup();
    const self: RecorderSources = { ...composite, kind: "self" };
    expect((await startRecording({ sources: self, onState: b.onState }, b.parts)).state).toEqual({ phase: "failed", reason: "no-media" });
    expect(b.log.opened).toBe(0);
  });

  it("opens the file picker inside the click (before any await) and says cancelled when it is dismissed", async () => {
    let asked = 0;
    const t = setup({
      picker: async () => {
        asked++;
        throw new DOMException("The user aborted a request.", "AbortError");
      },
    });
    const started = startRecording({ sources: composite, pickFile: true, onState: t.onState }, t.parts);
    expect(asked).toBe(1);
    expect((await started).state).toEqual({ phase: "failed", reason: "cancelled" });
    expect(t.log.opened).toBe(0);
  });

  it("records to a picked file without asking the origin's quota", async () => {
    const t = setup({ picker: async () => ({ name: "mine.webm" }) as FileSystemFileHandle, estimate: () => ({ usage: 1000 * MB, quota: 1000 * MB }) });
    const rec = await startRecording({ sources: composite, pickFile: true, onState: t.onState }, t.parts);
    expect(rec.state.phase).toBe("recording");
    t.encoder().slice(new Blob([CHROMIUM_HEAD]));
    const final = await rec.stop();
    expect(final).toMatchObject({ phase: "saved", reason: null, recording: { where: "picked", name: "mine.webm" } });
    expect(t.log.estimates).toBe(0);
    expect(t.log.opened).toBe(0);
  });
});
