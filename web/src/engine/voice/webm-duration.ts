// Chrome's MediaRecorder streams WebM and never goes back to write the Duration element, so a
// player shows Infinity and cannot seek (RecordRTC#147, mirotalksfu#221; FEATURES §5). The
// recording is fixed before it is uploaded, so every member and every late joiner gets a file
// with its duration. fix-webm-duration (about 5 KB, no dependencies) rewrites the header in
// place; it is loaded only when a WebM recording is finished, so it costs the first load nothing.

export async function fixWebmDuration(blob: Blob, durationMs: number): Promise<Blob> {
  const { default: fix } = await import("fix-webm-duration");
  // It logs to the console unless told not to; an unparsable file comes back unchanged.
  return fix(blob, durationMs, { logger: false });
}
