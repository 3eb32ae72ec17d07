// Which container this browser records voice messages in: the first of FEATURES §5's order that
// MediaRecorder accepts. WebM/Opus where it exists (Chrome, Firefox); MP4/AAC on Safari (and on
// Chrome from 126, which prefers WebM anyway); Ogg/Opus as Firefox's last resort.

import type { VoiceType } from "../../../../protocol/protocol";

export interface VoiceContainer {
  /** What MediaRecorder is asked for (with the codec, where the container has more than one). */
  mimeType: string;
  /** The protocol's name for it: the upload's Content-Type and the message's `type`. */
  type: VoiceType;
}

export const CONTAINERS: readonly VoiceContainer[] = [
  { mimeType: "audio/webm;codecs=opus", type: "audio/webm" },
  { mimeType: "audio/mp4", type: "audio/mp4" },
  { mimeType: "audio/ogg;codecs=opus", type: "audio/ogg" },
];

/** The container to record in, or null if this browser records none of them (or has no MediaRecorder). */
export function chooseContainer(isTypeSupported: ((mimeType: string) => boolean) | undefined): VoiceContainer | null {
  if (!isTypeSupported) return null;
  return CONTAINERS.find((c) => isTypeSupported(c.mimeType)) ?? null;
}
