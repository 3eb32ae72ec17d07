import { describe, expect, it } from "vitest";
import { LEVEL_INTERVAL_MS } from "../../web/src/engine/features/presence-view";
import { fromMeter, fromReceiver, toDisplay } from "../../web/src/engine/presence/level-scale";
import { HANGOVER_MS, SpeakingDetector, Speakers, SPEECH_START, SPEECH_STOP } from "../../web/src/engine/presence/speaking";

/**
 * Feeds one level per LEVEL_INTERVAL_MS, from t = 0; returns when speaking started and ended
 * (the times of the samples that changed it).
 */
function run(levels: readonly number[], detector = new SpeakingDetector()) {
  const changes: Array<{ at: number; speaking: boolean }> = [];
  levels.forEach((level, i) => {
    const at = i * LEVEL_INTERVAL_MS;
    if (detector.sample(level, at)) changes.push({ at, speaking: detector.speaking });
  });
  return { changes, detector };
}

const repeat = (level: number, samples: number) => Array<number>(samples).fill(level);

// Receiver levels (0..1, 1 = 0 dBov) as getSynchronizationSources gives them every 100 ms.
/** A sentence: loud syllables, a dip between words (one sample), a breath. */
const sentence = [0.11, 0.16, 0.09, 0.012, 0.13, 0.2, 0.07, 0.03, 0.1, 0.14, 0.06, 0.015, 0.09, 0.12];
/** A quiet room after the noise suppressor: −50 to −40 dBov. */
const roomNoise = [0.003, 0.004, 0.002, 0.006, 0.009, 0.003, 0.004, 0.008, 0.005, 0.003, 0.002, 0.007];

describe("SpeakingDetector", () => {
  it("starts on speech held 200 ms, bridges the dips between words, and ends 1 s after the last sound", () => {
    const { changes } = run([...roomNoise.slice(0, 3), ...sentence, ...repeat(0.004, 15)]);
    // The first loud sample is at 300 ms; 200 ms later (500 ms) it is speech.
    expect(changes[0]).toEqual({ at: 500, speaking: true });
    // The sentence's last sound above SPEECH_STOP is its last sample (1600 ms); 1 s of room after it, it ends.
    expect(changes[1]).toEqual({ at: 1600 + HANGOVER_MS, speaking: false });
    expect(changes).toHaveLength(2);
  });

  it("never starts on room noise below the threshold", () => {
    expect(run([...roomNoise, ...roomNoise, ...roomNoise]).changes).toEqual([]);
  });

  it("does not start on a single spike (a cough, a door) or two spikes too close together", () => {
    expect(run([...repeat(0.004, 5), 0.4, ...repeat(0.004, 20)]).changes).toEqual([]);
    // Two loud samples 100 ms apart are 100 ms of sound, not 200.
    expect(run([...repeat(0.004, 5), 0.3, 0.25, ...repeat(0.004, 20)]).changes).toEqual([]);
    // Spikes further apart than the onset gap (600 ms) do not add up.
    expect(run([0.3, ...repeat(0.004, 6), 0.3, ...repeat(0.004, 6), 0.3, ...repeat(0.004, 10)]).changes).toEqual([]);
  });

  it("counts Chromium's fake mic (a beep every 500 ms, silence between) as speech as long as it beeps", () => {
    // Our own mic through a meter whose window spans the interval: every beep is in one sample,
    // at the meter's scale (RMS × 4): a half-scale square wave for 20 ms of an 85 ms window.
    const beepEvery500 = (seconds: number) => Array.from({ length: seconds * 10 }, (_, i) => (i % 5 === 0 ? fromMeter(0.95) : fromMeter(0.004)));
    const { changes } = run([...beepEvery500(10), ...repeat(0, 20)]);
    expect(changes[0]).toEqual({ at: 500, speaking: true });
    // Speaking throughout; the last beep is at 9.5 s, and it ends 1 s later.
    expect(changes[1]).toEqual({ at: 9500 + HANGOVER_MS, speaking: false });
    expect(changes).toHaveLength(2);
  });

  it("a remote fake mic, heard in only some of the samples that fall on a beep, starts on two beeps in a row and holds while beeps keep coming within 1 s", () => {
    // Heard: the beeps at 0.5, 1.0, 2.0, 2.5, 3.0 s (missed at 1.5 s: still within the hangover).
    const heard = new Set([5, 10, 20, 25, 30]);
    const levels = Array.from({ length: 50 }, (_, i) => (heard.has(i) ? 0.35 : 0));
    const { changes } = run(levels);
    expect(changes).toEqual([
      { at: 1000, speaking: true },
      { at: 3000 + HANGOVER_MS, speaking: false },
    ]);
  });

  it("keeps speaking while the level stays between the stop and start thresholds (hysteresis)", () => {
    const between = (SPEECH_START + SPEECH_STOP) / 2;
    const { changes, detector } = run([0.1, 0.1, 0.1, ...repeat(between, 30)]);
    expect(changes).toEqual([{ at: 200, speaking: true }]);
    expect(detector.speaking).toBe(true);
    // And the same level from quiet never starts it.
    expect(run(repeat(between, 30)).changes).toEqual([]);
  });

  it("tells since when it speaks", () => {
    const { detector } = run([0.1, 0.1, 0.1, 0.1]);
    expect(detector.since).toBe(200);
  });
});

describe("Speakers", () => {
  it("tracks each source, sorted ids, and hears a source that stopped reporting as silence", () => {
    const speakers = new Speakers();
    const at = (i: number) => i * LEVEL_INTERVAL_MS;
    let changed = false;
    for (let i = 0; i < 3; i++) changed = speakers.sample(new Map([["b", 0.2], ["a", 0.2], ["c", 0.001]]), at(i)) || changed;
    expect(changed).toBe(true);
    expect(speakers.speaking).toEqual(["a", "b"]);
    expect(speakers.starts()).toEqual(new Map([["a", 200], ["b", 200]]));
    // "b"'s connection went down: no more samples from it; it stops after the hangover.
    for (let i = 3; i <= 12; i++) speakers.sample(new Map([["a", 0.2]]), at(i));
    expect(speakers.speaking).toEqual(["a"]);
    expect(speakers.remove("a")).toBe(true);
    expect(speakers.speaking).toEqual([]);
  });
});

describe("level scales", () => {
  it("puts the meter's reading (RMS × 4) on the receiver's scale (RMS), and shows both as the meter does", () => {
    expect(fromMeter(0.2)).toBeCloseTo(0.05);
    expect(fromReceiver(0.05)).toBe(0.05);
    expect(toDisplay(0.05)).toBeCloseTo(0.2);
    expect(toDisplay(0.5)).toBe(1);
    expect(fromReceiver(Number.NaN)).toBe(0);
    expect(fromMeter(7)).toBe(0.25);
  });
});
