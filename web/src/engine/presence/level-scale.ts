// Two audio level scales meet in presence, and speaking is decided on one of them.
//
// The level scale (what the speaking thresholds are written in) is the receiver's: the
// `audioLevel` of getSynchronizationSources() is linear in amplitude, 1 = 0 dBov (full scale), 0 =
// silence (webrtc-pc §5.4, RTCRtpSynchronizationSource). It comes from the sender's RFC 6464
// header extension, which carries the RMS of each packet's audio in -dBov, so on this scale a
// level is an RMS relative to full scale: a full-scale sine is 0.71, speech after the browser's
// gain control is around 0.05–0.2, a quiet room a few thousandths.
//
// Our own mic goes through media/level-meter.ts, whose read() is that same RMS times METER_GAIN,
// clamped to 1 (so that speech fills a bar). Dividing by the gain brings it onto the level scale;
// the clamp only cuts what is far above any threshold (RMS above 0.25).
//
// The level feed the UI draws shows the meter's scale: the same bar for our mic as before the
// call, and for everyone else.

import { METER_GAIN } from "../media/level-meter";

const unit = (x: number) => (Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : 0);

/** A receiver's audioLevel on the level scale (it is the scale). */
export const fromReceiver = (audioLevel: number): number => unit(audioLevel);

/** A level meter's reading on the level scale. */
export const fromMeter = (reading: number): number => unit(reading) / METER_GAIN;

/** A level as a bar shows it, 0..1 (media/level-meter.ts's read()). */
export const toDisplay = (level: number): number => Math.min(1, unit(level) * METER_GAIN);
