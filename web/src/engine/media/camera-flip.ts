// Which camera a flip asks for (FEATURES §11, "Camera flip"). A phone's camera says which way it
// faces (getSettings().facingMode, or getCapabilities() where settings leave it out, as older
// Safari does); the flip then asks for the other side by facingMode, which picks the right lens
// even where a side has several (wide, ultra-wide) listed as separate devices. A camera that says
// nothing (a laptop's webcam, a USB camera) is flipped by device: the next one in the list.

export type Facing = "user" | "environment";

/** What a flip needs to know of the camera in use. */
export interface CameraNow {
  facing: Facing | null;
  deviceId: string | null;
}

/** The part of a track this reads (MediaStreamTrack, or a test's stand-in). */
export interface FacingSource {
  getSettings(): MediaTrackSettings;
  getCapabilities?(): MediaTrackCapabilities;
}

const isFacing = (v: unknown): v is Facing => v === "user" || v === "environment";

/** Which way a camera faces, if it says: "left"/"right" (and nothing at all) count as unknown. */
export function facingOf(track: FacingSource): Facing | null {
  const set = track.getSettings().facingMode;
  if (isFacing(set)) return set;
  // getCapabilities is missing in Firefox before 132; a camera with one face lists just that one.
  const caps = track.getCapabilities?.().facingMode;
  return caps?.length === 1 && isFacing(caps[0]) ? caps[0] : null;
}

/**
 * The constraints to try, in order: the other side by facingMode (exact, so a phone does not
 * quietly hand back the same camera), then the next video input after the current one. Empty
 * when there is nothing to flip to.
 */
export function flipPlan(now: CameraNow, videoInputs: readonly string[], base: MediaTrackConstraints): MediaTrackConstraints[] {
  const tries: MediaTrackConstraints[] = [];
  if (now.facing) tries.push({ ...base, facingMode: { exact: now.facing === "user" ? "environment" : "user" } });
  const others = videoInputs.filter((id) => id !== now.deviceId);
  if (others.length > 0) {
    const at = now.deviceId === null ? -1 : videoInputs.indexOf(now.deviceId);
    // The one after ours, wrapping round; ours unknown or gone from the list: the first other.
    const next = at < 0 ? others[0]! : videoInputs[(at + 1) % videoInputs.length]!;
    tries.push({ ...base, deviceId: { exact: next } });
  }
  return tries;
}
