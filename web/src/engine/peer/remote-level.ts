// The remote's audio level from its audio receiver's synchronization sources: the newest source's
// audioLevel (0..1, linear, 1 = 0 dBov; from the sender's RFC 6464 header extension), or 0 once it
// is stale. A receiver keeps a source for 10 s after its last packet (webrtc-pc §5.4,
// getSynchronizationSources), so a mic that went quiet on the wire (muted by replaceTrack(null), a
// peer gone) would otherwise go on showing its last word.
//
// Stale means: its `timestamp` (when its last packet was played out) has not moved for
// LEVEL_FRESH_MS of our clock. Only the timestamp's movement is read, never its value against
// our clock: the spec puts it on performance.timeOrigin + performance.now(), but its clock has
// not been the same in every browser and version, and a wrong guess would silence everyone.

/** Longer than any gap between packets of a live stream (20 ms, 120 ms at most with Opus), shorter than a word. */
export const LEVEL_FRESH_MS = 500;

export class RemoteLevel {
  private lastTimestamp: number | null = null;
  /** When (our clock) the newest timestamp last moved. */
  private movedAt = 0;

  /** The level now from these sources, `now` on a monotonic clock in ms. */
  read(sources: readonly RTCRtpSynchronizationSource[], now: number): number {
    let newest: RTCRtpSynchronizationSource | null = null;
    for (const s of sources) if (newest === null || s.timestamp > newest.timestamp) newest = s;
    if (newest === null) return 0;
    if (newest.timestamp !== this.lastTimestamp) {
      this.lastTimestamp = newest.timestamp;
      this.movedAt = now;
    }
    if (now - this.movedAt > LEVEL_FRESH_MS) return 0;
    const level = newest.audioLevel ?? 0;
    return Number.isFinite(level) ? Math.min(1, Math.max(0, level)) : 0;
  }
}
