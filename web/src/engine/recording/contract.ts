// The local recorder's contract between the recording pipeline (this folder: capture, encoder,
// disk) and the recording feature that announces it and the UI that starts, stops and offers it.
//
// CONTRACT (session 7): the types below are fixed; the pipeline implements `startRecorder`
// (index.ts), the feature (engine/features/recording.ts) and the UI use nothing else from here.
//
// - Recording streams to disk, never to memory: MediaRecorder slices of SLICE_MS are written to a
//   file in the origin private file system (OPFS), or to a file the person chose
//   (showSaveFilePicker) where the browser has it. At most MAX_PENDING_BYTES of slices wait in
//   memory for the disk; past that the recording stops cleanly ("disk-slow").
// - Before it starts, navigator.storage.estimate() must leave at least MIN_FREE_BYTES; while it
//   runs it stops cleanly ("no-space") when the origin's usage would pass QUOTA_STOP_FRACTION of
//   its quota. A picked file is outside the quota (its disk's space is the browser's to police).
// - The composite is a COMPOSITE_WIDTH×COMPOSITE_HEIGHT canvas at COMPOSITE_FPS, drawn from a timer
//   that keeps running in a hidden tab (a worker's), with every audio track mixed through WebAudio.
// - The file is WebM with its duration written in (MediaRecorder leaves it out), or MP4 where only
//   that is supported (Safari), which carries its own.
//   Why WebM first, where FEATURES.md §7 says "prefer fragmented MP4": Chromium's MP4 recording is
//   recent (Chrome 126) and what it holds depends on the build. Asked on 2026-12-02, Debian's
//   Chromium 156 refuses "video/mp4;codecs=avc1,mp4a.40.2" (no AAC encoder, it seems: "avc1" alone passes) and
//   accepts plain "video/mp4", which it records as VP9 + Opus in MP4: no H.264/AAC file gained
//   over WebM (it did report a finite duration, 2.96 s for 3 s recorded). WebM is what every
//   Chromium and Firefox records the same way, and it is the path verified end to end here
//   (test/browser/recording-pipeline.test.ts: duration, decoded frames, hidden tab, leftovers);
//   its missing duration costs one in-place write of the head (webm-duration.ts). MP4 stays for
//   Safari, whose WebM recording plays back with a broken duration (FEATURES.md §5).

import type { RecordingKind } from "../../../../protocol/protocol";

export type { RecordingKind };

export const SLICE_MS = 2_000;
export const MAX_PENDING_BYTES = 50 * 1024 * 1024;
export const MIN_FREE_BYTES = 200 * 1024 * 1024;
export const QUOTA_STOP_FRACTION = 0.9;
// 960×540 at 24 fps, not 1280×720 at 30 (issue #15, the recording's memory): Chromium hands every
// captured frame to MediaRecorder's software encoder through a task queue that has no bound (its
// cap of ~10 frames in encode is checked only once a frame's task runs), so whenever the machine
// is busy for a second the raw frames pile up in the renderer: at 1280×720 each is 3.5 MiB of
// RGBA. Measured on 2 December (a page outside the app, the encoder starved 2.5 s in every 10 by
// two busy processes): 1280×720 at 30 fps rose to +171 MiB at its highest over a floor of ~+65;
// 960×540 at 24 to +111 over ~+47, and at rest it held 20 MiB less. A quarter of the pixels and
// frames per second also eases the CPU. A 4-person grid stays watchable at 540p (tiles about
// 480×270); 24 fps is film's rate.
export const COMPOSITE_WIDTH = 960;
export const COMPOSITE_HEIGHT = 540;
export const COMPOSITE_FPS = 24;
/** At most 2.5 Mbps for the composite, about 1.1 GB an hour (FEATURES.md §7); self is a camera's 640×360. */
export const VIDEO_BITS_PER_SECOND: Record<RecordingKind, number> = { composite: 2_500_000, self: 1_000_000 };
export const AUDIO_BITS_PER_SECOND = 128_000;

/** One tile of the call as it is laid out now, for the composite. */
export interface CompositeTile {
  /** The tile's video, or null when its camera is off (a placeholder with the name is drawn). */
  video: HTMLVideoElement | null;
  name: string;
  /** Where it sits on the stage, as fractions (0..1) of the stage's width and height. */
  x: number;
  y: number;
  w: number;
  h: number;
  /** Our own camera is shown mirrored; the recording shows it as others see it (not mirrored). */
  self: boolean;
  /** A shared screen: drawn whole (contain), where a camera fills its tile (cover). */
  screen: boolean;
}

export interface RecorderSources {
  kind: RecordingKind;
  /** "self": our camera and mic tracks as they are now (either may be missing). */
  ownTracks(): { audio: MediaStreamTrack | null; video: MediaStreamTrack | null };
  /** "composite": the tiles as laid out now; asked every frame, so it must be cheap. */
  layout(): CompositeTile[];
  /** "composite": every audio track to mix (ours and everyone's), asked every second: people come and go. */
  audioTracks(): MediaStreamTrack[];
}

export type RecorderFailure =
  /** MediaRecorder is missing, or supports none of our formats. */
  | "unsupported"
  /** Less than MIN_FREE_BYTES free before starting, or the quota reached while recording (it stopped cleanly, the file is kept). */
  | "no-space"
  /** The disk fell more than MAX_PENDING_BYTES behind (it stopped cleanly, the file is kept). */
  | "disk-slow"
  /** Writing failed (the file is kept up to what was written, if anything). */
  | "write-failed"
  /** The person cancelled the file picker: nothing started. */
  | "cancelled"
  /** Nothing to record ("self" without camera and mic). */
  | "no-media";

export interface SavedRecording {
  /** A suggested file name: roomlink-2026-12-02-1405.webm */
  name: string;
  /** The recording on disk (an OPFS file, or the picked one read back); give it to a download link. */
  file: File;
  bytes: number;
  durationMs: number;
  mimeType: string;
  /** Where it was written: OPFS (offer a download, then delete) or a file the person picked (already saved). */
  where: "opfs" | "picked";
  /** Frees the OPFS copy (after the download, or when the person discards it); nothing for a picked file. */
  discard(): Promise<void>;
}

export type RecorderState =
  | { phase: "starting" }
  | { phase: "recording"; startedAt: number; bytes: number; elapsedMs: number }
  | { phase: "stopping" }
  /** Stopped: by `stop()`, or by itself with `reason` (the file up to there is kept). */
  | { phase: "saved"; recording: SavedRecording; reason: RecorderFailure | null }
  | { phase: "failed"; reason: RecorderFailure };

export interface RecorderOptions {
  sources: RecorderSources;
  /** Write to a file the person picks (showSaveFilePicker): must be called from the click's handler. */
  pickFile?: boolean;
  /** The room's name for the file, e.g. its id's first characters. */
  label?: string;
  onState(state: RecorderState): void;
}

export interface LocalRecorder {
  readonly kind: RecordingKind;
  readonly state: RecorderState;
  /** Stops, flushes the last slice, writes the duration; resolves when the file is saved (or failed). */
  stop(): Promise<RecorderState>;
}

/** Whether this browser can record at all (MediaRecorder with a format we write). */
export type CanRecord = () => boolean;

/**
 * Recordings left in OPFS by an earlier page (closed or crashed mid-recording, or never
 * downloaded): listed so the person can save or delete them, never deleted behind their back.
 */
export interface LeftoverRecording {
  name: string;
  bytes: number;
  lastModified: number;
  file(): Promise<File>;
  discard(): Promise<void>;
}
