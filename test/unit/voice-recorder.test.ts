// The voice recorder's logic with fake browser parts: which microphone it records, its clock and
// level, the 5-minute limit, the WebM duration fix, cancel, and what it says when it cannot record.

import { describe, expect, it } from "vitest";
import { VOICE_MAX_MS } from "../../protocol/protocol";
import { type RecorderDeps, type RecorderEvents, type RecorderState, TICK_MS, VOICE_BITRATE, VoiceRecorder } from "../../web/src/engine/voice/recorder";

class FakeTrack extends EventTarget {
  readyState: MediaStreamTrackState = "live";
  enabled = true;
  stopped = false;
  readonly clones: FakeTrack[] = [];
  constructor(readonly label: string) {
    super();
  }
  clone(): FakeTrack {
    const c = new FakeTrack(`${this.label} (clone)`);
    c.enabled = this.enabled;
    this.clones.push(c);
    return c;
  }
  stop() {
    this.stopped = true;
    this.readyState = "ended";
  }
  /** The device went away. */
  end() {
    this.stop();
    this.dispatchEvent(new Event("ended"));
  }
}

class FakeRecorder {
  state: "inactive" | "recording" = "inactive";
  /** What the browser has encoded so far (handed over on stop, as MediaRecorder does without a timeslice). */
  encoded: string[] = ["opus-bytes"];
  constructor(
    readonly track: FakeTrack,
    readonly options: MediaRecorderOptions,
    readonly events: RecorderEvents,
  ) {}
  start() {
    this.state = "recording";
  }
  stop() {
    if (this.state === "inactive") return;
    this.state = "inactive";
    // Like MediaRecorder: the last data, then `stop`, each in a task after stop() returns.
    queueMicrotask(() => {
      this.events.data(new Blob(this.encoded));
      this.events.stop();
    });
  }
}

/** A clock the test moves by hand. */
class FakeClock {
  now = 1_000;
  private timers: Array<{ at: number; every: number | null; run: () => void; live: boolean }> = [];
  private add(ms: number, every: number | null, run: () => void) {
    const t = { at: this.now + ms, every, run, live: true };
    this.timers.push(t);
    return () => (t.live = false);
  }
  readonly every = (ms: number, run: () => void) => this.add(ms, ms, run);
  readonly after = (ms: number, run: () => void) => this.add(ms, null, run);
  get live() {
    return this.timers.filter((t) => t.live).length;
  }
  advance(ms: number) {
    const until = this.now + ms;
    for (;;) {
      const due = this.timers.filter((t) => t.live && t.at <= until).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.now = due.at;
      if (due.every === null) due.live = false;
      else due.at += due.every;
      due.run();
    }
    this.now = until;
  }
}

const WEBM = ["audio/webm;codecs=opus", "audio/mp4"];

function setup(opts: { types?: string[] | null; call?: FakeTrack | null; getUserMedia?: () => Promise<FakeTrack> } = {}) {
  const clock = new FakeClock();
  const recorders: FakeRecorder[] = [];
  const asked: MediaStreamConstraints[] = [];
  const own: FakeTrack[] = [];
  const fixed: Array<{ bytes: number; durationMs: number }> = [];
  const meter = { level: 0.25, opened: 0, closed: 0 };
  const types = opts.types === undefined ? WEBM : opts.types;
  const deps: RecorderDeps = {
    callTrack: () => (opts.call ?? null) as MediaStreamTrack | null,
    getUserMedia: async (constraints) => {
      asked.push(constraints);
      const track = opts.getUserMedia ? await opts.getUserMedia() : new FakeTrack("own mic");
      own.push(track);
      return { getAudioTracks: () => [track] } as unknown as MediaStream;
    },
    isTypeSupported: types ? (m) => types.includes(m) : undefined,
    createRecorder: (track, options, events) => {
      const r = new FakeRecorder(track as unknown as FakeTrack, options, events);
      recorders.push(r);
      return r;
    },
    openLevelMeter: () => {
      meter.opened++;
      return { read: () => meter.level, close: () => void meter.closed++ };
    },
    now: () => clock.now,
    every: clock.every,
    after: clock.after,
    fixWebmDuration: async (blob, durationMs) => {
      fixed.push({ bytes: blob.size, durationMs });
      return new Blob([blob, "+Duration"], { type: blob.type });
    },
  };
  const recorder = new VoiceRecorder(deps);
  const states: RecorderState[] = [];
  recorder.on("change", (s) => states.push(s));
  return { recorder, clock, recorders, asked, own, fixed, meter, states };
}

describe("the voice recorder: its microphone", () => {
  it("records a clone of the call's microphone, on even when the call is muted, and leaves the call's track alone", async () => {
    const call = new FakeTrack("call mic");
    call.enabled = false; // the call is muted
    const { recorder, recorders, asked, clock } = setup({ call });
    expect(await recorder.start()).toBe(true);
    const clone = call.clones[0]!;
    expect(recorders[0]!.track).toBe(clone);
    expect(clone.enabled).toBe(true);
    expect(recorders[0]!.options).toEqual({ mimeType: "audio/webm;codecs=opus", audioBitsPerSecond: VOICE_BITRATE });
    expect(asked).toEqual([]);
    // Unmuting or muting the call changes its own track only.
    call.enabled = true;
    clock.advance(1500);
    const recording = await recorder.stop();
    expect(recording?.durationMs).toBe(1500);
    expect(clone.stopped).toBe(true);
    expect(call.stopped).toBe(false);
  });

  it("asks for a microphone when the call has none open, and releases it afterwards", async () => {
    const ended = new FakeTrack("call mic");
    ended.stop();
    for (const call of [null, ended]) {
      const { recorder, asked, own } = setup({ call });
      await recorder.start();
      expect(asked).toEqual([{ audio: { echoCancellation: true, noiseSuppression: true, autoGainControl: true } }]);
      await recorder.stop();
      expect(own[0]!.stopped).toBe(true);
    }
  });

  it("keeps what was recorded when the microphone goes away, and waits for Send or Cancel", async () => {
    const call = new FakeTrack("call mic");
    const { recorder, clock } = setup({ call });
    await recorder.start();
    clock.advance(3_000);
    call.clones[0]!.end();
    expect(recorder.state).toMatchObject({ phase: "stopped", atLimit: false, elapsedMs: 3_000 });
    clock.advance(10_000);
    expect((await recorder.stop())?.durationMs).toBe(3_000);
  });
});

describe("the voice recorder: clock, level and limit", () => {
  it("publishes the time and the level ten times a second", async () => {
    const { recorder, clock, meter, states } = setup();
    await recorder.start();
    states.length = 0;
    meter.level = 0.6;
    clock.advance(1_000);
    expect(states.map((s) => s.elapsedMs)).toEqual(Array.from({ length: 1_000 / TICK_MS }, (_, i) => (i + 1) * TICK_MS));
    expect(states.every((s) => s.level === 0.6 && s.phase === "recording")).toBe(true);
  });

  it("stops by itself at five minutes, says so, and hands over exactly five minutes", async () => {
    const { recorder, clock, recorders, meter } = setup();
    await recorder.start();
    clock.advance(VOICE_MAX_MS - 1);
    expect(recorder.state.phase).toBe("recording");
    clock.advance(1);
    expect(recorders[0]!.state).toBe("inactive");
    expect(recorder.state).toMatchObject({ phase: "stopped", atLimit: true, elapsedMs: VOICE_MAX_MS, level: 0 });
    expect(meter.closed).toBe(1);
    // Nothing ticks on while it waits for the person.
    expect(clock.live).toBe(0);
    clock.advance(60_000);
    const recording = await recorder.stop();
    expect(recording?.durationMs).toBe(VOICE_MAX_MS);
    expect(recorder.state.phase).toBe("idle");
  });
});

describe("the voice recorder: what it hands over", () => {
  it("fixes a WebM's duration before handing it over", async () => {
    const { recorder, clock, fixed } = setup();
    await recorder.start();
    clock.advance(2_345);
    const recording = (await recorder.stop())!;
    expect(fixed).toEqual([{ bytes: "opus-bytes".length, durationMs: 2_345 }]);
    expect(recording.type).toBe("audio/webm");
    expect(recording.blob.type).toBe("audio/webm");
    expect(await recording.blob.text()).toBe("opus-bytes+Duration");
  });

  it("hands over an MP4 as it is", async () => {
    const { recorder, clock, fixed, recorders } = setup({ types: ["audio/mp4"] });
    await recorder.start();
    expect(recorders[0]!.options.mimeType).toBe("audio/mp4");
    clock.advance(1_000);
    const recording = (await recorder.stop())!;
    expect(fixed).toEqual([]);
    expect(recording).toMatchObject({ type: "audio/mp4", durationMs: 1_000 });
    expect(recording.blob.type).toBe("audio/mp4");
  });

  it("hands a recording over once: a second stop (a double click on Send) gets nothing", async () => {
    const { recorder, clock } = setup();
    await recorder.start();
    clock.advance(1_000);
    const [first, second] = await Promise.all([recorder.stop(), recorder.stop()]);
    expect(first).not.toBeNull();
    expect(second).toBeNull();
  });
});

describe("the voice recorder: cancel and errors", () => {
  it("cancel drops the recording and releases the microphone and every timer", async () => {
    const { recorder, clock, own, meter } = setup();
    await recorder.start();
    clock.advance(1_000);
    recorder.cancel();
    expect(recorder.state).toMatchObject({ phase: "idle", elapsedMs: 0, error: null });
    expect(own[0]!.stopped).toBe(true);
    expect(meter.closed).toBe(1);
    expect(clock.live).toBe(0);
    expect(await recorder.stop()).toBeNull();
  });

  it("cancel while the microphone is still opening gives the microphone back when it comes", async () => {
    let grant!: (t: FakeTrack) => void;
    const track = new FakeTrack("own mic");
    const { recorder, recorders } = setup({ getUserMedia: () => new Promise((r) => (grant = r)) });
    const started = recorder.start();
    await Promise.resolve();
    expect(recorder.state.phase).toBe("starting");
    recorder.cancel();
    grant(track);
    expect(await started).toBe(false);
    expect(track.stopped).toBe(true);
    expect(recorders).toEqual([]);
    expect(recorder.state.phase).toBe("idle");
  });

  it("says why it cannot record: no MediaRecorder or container, a blocked microphone, a recorder error, nothing recorded", async () => {
    for (const types of [null, ["audio/wav"]]) {
      const { recorder } = setup({ types });
      expect(await recorder.start()).toBe(false);
      expect(recorder.state.error).toBe("not-supported");
    }

    const blocked = setup({ getUserMedia: () => Promise.reject(new DOMException("no", "NotAllowedError")) });
    expect(await blocked.recorder.start()).toBe(false);
    expect(blocked.recorder.state).toMatchObject({ phase: "idle", error: "permission-denied" });

    const broken = setup();
    await broken.recorder.start();
    broken.recorders[0]!.events.error();
    expect(broken.recorder.state).toMatchObject({ phase: "idle", error: "failed" });
    expect(broken.own[0]!.stopped).toBe(true);

    const silent = setup();
    await silent.recorder.start();
    silent.recorders[0]!.encoded = [];
    expect(await silent.recorder.stop()).toBeNull();
    expect(silent.recorder.state.error).toBe("failed");
    // The next start clears the error.
    await silent.recorder.start();
    expect(silent.recorder.state.error).toBeNull();
  });

  it("refuses to be used after destroy", async () => {
    const { recorder, own } = setup();
    await recorder.start();
    recorder.destroy();
    expect(own[0]!.stopped).toBe(true);
    await expect(recorder.start()).rejects.toThrow(/after destroy/);
  });
});
