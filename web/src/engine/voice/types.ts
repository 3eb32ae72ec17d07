// What a voice message is on this device before the room has it: the recorder's result, and why
// sending one can fail (each mapped to words in one place, ui/voice-text.ts).

import type { VoiceType } from "../../../../protocol/protocol";

/** A finished recording: what VoiceRecorder.stop() gives and RoomSession's sendVoice takes. */
export interface Recording {
  /** Its type is `type` (the container, no codecs parameter): the upload's Content-Type. */
  blob: Blob;
  type: VoiceType;
  /** Measured while recording: Chrome's WebM carries none until it is fixed (webm-duration.ts). */
  durationMs: number;
}

/** The sender's own recording, playable from this device (a blob URL) before and after it is sent. */
export interface LocalVoice {
  url: string;
  type: VoiceType;
  bytes: number;
  durationMs: number;
}

/**
 * Why a voice message did not go out:
 * - "too-large": over the size or length limit (HTTP 413, or `bad-voice` for the upload request);
 * - "bad-type": the server did not find the declared audio type in the bytes (HTTP 415);
 * - "expired": the upload capability ran out, twice (HTTP 403);
 * - "rejected": the room refused the chat message naming the recording (`bad-voice`);
 * - "throttled": too many uploads asked for (`voice-throttled`);
 * - "network": the upload did not reach the server;
 * - "failed": any other answer (a 5xx, or an empty recording).
 */
export type VoiceFailure = "too-large" | "bad-type" | "expired" | "rejected" | "throttled" | "network" | "failed";

/** Whether sending the same recording again can work: not if the recording itself is refused. */
export const canRetry = (failure: VoiceFailure): boolean => failure !== "too-large" && failure !== "bad-type";
