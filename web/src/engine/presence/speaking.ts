// Who is speaking: a hysteresis detector per source (a remote peer, or our own mic), fed one level
// sample every LEVEL_INTERVAL_MS on the level scale (level-scale.ts: RMS relative to full scale).
//
// Starting asks for more than going on: a level at or above SPEECH_START, and again at least
// ONSET_MS later, with no gap of more than ONSET_GAP_MS between such samples. A single spike (a
// cough, a door, a click) is one loud sample and never starts speech. Going on asks for little:
// anything at or above SPEECH_STOP keeps it, and it ends after HANGOVER_MS below that, so the
// pauses between words and breaths do not make a speaker flicker.
//
// Thresholds ([G] in FEATURES.md §8, to be tuned against recordings and Chromium's fake mic):
// - SPEECH_START 0.05 (−26 dBov): speech after the browser's gain control sits around −14 to
//   −26 dBov (0.05–0.2); the noise suppressor leaves a quiet room near −50 dBov (0.003), far below.
//   Orange starts at an RMS of 0.1 on a raw analyser; ours are processed levels, a little lower.
// - SPEECH_STOP 0.02 (−34 dBov): between the noise floor and soft speech, as Orange's.
// - ONSET_MS 200: a syllable is ~100–250 ms; at one sample per 100 ms it takes three loud samples
//   in a row, or two 200 ms apart.
// - ONSET_GAP_MS 600: the dips between syllables may fall on a sample; and Chromium's fake mic
//   (media/audio/simple_sources.cc: a 20 ms, 400 Hz square-wave beep every 500 ms, silence
//   between) is loud in one sample per beep at best, so two beeps in a row must make an onset.
//   Our own mic's meter hears every beep (levels.ts, MIC_WINDOW); a remote's level is its last
//   packet's, which falls on a beep in only 20–40 % of the samples (see the report in levels.ts).
// - HANGOVER_MS 1000: Orange's; it bridges the pauses in speech, and the fake mic's beeps.

export const SPEECH_START = 0.05;
export const SPEECH_STOP = 0.02;
export const ONSET_MS = 200;
export const ONSET_GAP_MS = 600;
export const HANGOVER_MS = 1000;

export class SpeakingDetector {
  /** When the current speech started; null while quiet. */
  private startedAt: number | null = null;
  /** The last sample at or above SPEECH_STOP while speaking. */
  private lastHeard = 0;
  /** The first and latest loud samples of an onset in progress. */
  private onset: { first: number; last: number } | null = null;

  get speaking(): boolean {
    return this.startedAt !== null;
  }

  /** When the current speech started (the sample that made it speech); null while quiet. */
  get since(): number | null {
    return this.startedAt;
  }

  /** One sample, `at` in ms on a monotonic clock; true if speaking started or ended with it. */
  sample(level: number, at: number): boolean {
    if (this.startedAt !== null) {
      if (level >= SPEECH_STOP) this.lastHeard = at;
      else if (at - this.lastHeard >= HANGOVER_MS) {
        this.startedAt = null;
        this.onset = null;
        return true;
      }
      return false;
    }
    if (this.onset && at - this.onset.last > ONSET_GAP_MS) this.onset = null;
    if (level < SPEECH_START) return false;
    this.onset ??= { first: at, last: at };
    this.onset.last = at;
    if (at - this.onset.first < ONSET_MS) return false;
    this.startedAt = at;
    this.lastHeard = at;
    this.onset = null;
    return true;
  }
}

/** A detector per source id: who speaks now, and since when. */
export class Speakers {
  private readonly detectors = new Map<string, SpeakingDetector>();

  /**
   * One round of samples. A source with a detector but no sample this round (its connection went
   * down) is heard as silence, so it stops after the hangover. True if anyone started or stopped.
   */
  sample(levels: ReadonlyMap<string, number>, at: number): boolean {
    let changed = false;
    for (const [id, level] of levels) {
      let detector = this.detectors.get(id);
      if (!detector) {
        // Silence from a source we never heard needs no detector.
        if (level < SPEECH_START) continue;
        this.detectors.set(id, (detector = new SpeakingDetector()));
      }
      changed = detector.sample(level, at) || changed;
    }
    for (const [id, detector] of this.detectors) {
      if (levels.has(id)) continue;
      changed = detector.sample(0, at) || changed;
      if (!detector.speaking) this.detectors.delete(id);
    }
    return changed;
  }

  /** Ids speaking now, sorted (a stable order: the view changes only when the set does). */
  get speaking(): string[] {
    return [...this.detectors].filter(([, d]) => d.speaking).map(([id]) => id).sort();
  }

  /** When each source speaking now started. */
  starts(): Map<string, number> {
    const starts = new Map<string, number>();
    for (const [id, d] of this.detectors) if (d.since !== null) starts.set(id, d.since);
    return starts;
  }

  /** Forgets a source (it left); true if it was speaking. */
  remove(id: string): boolean {
    const was = this.detectors.get(id)?.speaking ?? false;
    this.detectors.delete(id);
    return was;
  }

  clear(): void {
    this.detectors.clear();
  }
}
