// Voice messages' failures and times as a person reads them, in one place: the recorder's bar,
// the chat list and the tests ask here.

import type { RecorderError } from "../engine/voice/recorder";
import type { VoiceFailure } from "../engine/voice/types";
import type { MessageKey } from "../i18n/i18n";

export function voiceFailureText(failure: VoiceFailure): MessageKey {
  switch (failure) {
    case "too-large":
      return "voice.error.too-large";
    case "bad-type":
      return "voice.error.bad-type";
    case "expired":
      return "voice.error.expired";
    case "rejected":
      return "voice.error.rejected";
    case "throttled":
      return "voice.error.throttled";
    case "network":
      return "voice.error.network";
    case "failed":
      return "voice.error.failed";
  }
}

export function recorderErrorText(error: RecorderError): MessageKey {
  switch (error) {
    case "permission-denied":
      return "voice.error.micBlocked";
    case "not-supported":
      return "voice.error.unsupported";
    case "failed":
      return "voice.error.recorder";
    case "no-device":
    case "device-busy":
    case "insecure-context":
    case "unknown":
      return "voice.error.mic";
  }
}

/** 83 400 ms → "1:23"; whole seconds, rounded down, as a recorder's clock shows them. */
export function clock(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  return `${Math.floor(total / 60)}:${String(total % 60).padStart(2, "0")}`;
}
