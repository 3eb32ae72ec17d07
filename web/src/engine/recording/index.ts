// The local recorder (issue #15): what the recording feature and the UI use. See contract.ts for
// the types and the rules, and each file here for one part of the pipeline:
// capture.ts (canvas + frame clock + audio mix) → MediaRecorder → slice-writer.ts → opfs-sink.ts
// or picked-sink.ts, then webm-duration.ts on the head; leftovers.ts for files earlier pages left.

import { browserParts } from "./browser-parts";
import type { RecorderOptions } from "./contract";
import { type RecorderWithCounters, startRecording } from "./recorder";

export { canRecord } from "./browser-parts";
export { listLeftovers } from "./leftovers";
export type { RecorderCounters, RecorderWithCounters } from "./recorder";

/** Starts a recording; `pickFile` must be asked from a click's handler (see RecorderOptions). */
export function startRecorder(options: RecorderOptions): Promise<RecorderWithCounters> {
  return startRecording(options, browserParts);
}
