// The recording's container and codecs: the first the browser's MediaRecorder supports, WebM
// (Chromium, Firefox) before MP4 (Safari records only that; it carries its own duration).
// VP8 before VP9: the recording is encoded in software next to the call's own encoders, and VP8
// costs a fraction of VP9's CPU for a somewhat larger file at the same bitrate cap.

export const MIME_CANDIDATES = [
  "video/webm;codecs=vp8,opus",
  "video/webm;codecs=vp9,opus",
  "video/webm",
  "video/mp4;codecs=avc1,mp4a.40.2",
  "video/mp4",
] as const;

export function pickMimeType(isTypeSupported: (type: string) => boolean): string | null {
  for (const type of MIME_CANDIDATES) {
    try {
      if (isTypeSupported(type)) return type;
    } catch {
      // Older engines throw on codec strings they cannot parse: not supported.
    }
  }
  return null;
}

export const isWebm = (mimeType: string): boolean => mimeType.startsWith("video/webm");

/** roomlink-<label>-2026-12-02-1405.webm, in local time; the label keeps only safe characters. */
export function recordingName(now: Date, mimeType: string, label?: string): string {
  const two = (n: number) => String(n).padStart(2, "0");
  const stamp = `${now.getFullYear()}-${two(now.getMonth() + 1)}-${two(now.getDate())}-${two(now.getHours())}${two(now.getMinutes())}`;
  const safe = (label ?? "").replace(/[^A-Za-z0-9_-]/g, "").slice(0, 24);
  return `roomlink-${safe ? `${safe}-` : ""}${stamp}.${isWebm(mimeType) ? "webm" : "mp4"}`;
}
