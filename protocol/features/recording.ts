// Recording: a member records the call on its own device (nothing is uploaded), and the room
// makes sure everyone knows. Recording cannot be prevented technically (any screen recorder
// works); what the room guarantees is that a roomlink recording is visible to everyone for as
// long as it lasts, and never after (Jitsi's stuck "REC", jitsi-meet#12742).
//
// CONTRACT (session 7): the types, frames and codes below are fixed; the room's handling is
// worker/room/features/recording.ts, the client's web/src/engine/features/recording.ts.
//
// - A member announces a recording with `recording {kind}` before its recorder starts, and its
//   end with `recording {kind: null}` after it stops. The room stamps `since` with its own clock,
//   keeps it on the member (PeerInfo.recording, so it is in every welcome and survives
//   hibernation) and tells everyone, the sender included, with `peer-recording`.
// - It clears when the member says so, and when the member is removed (left, removed, or its
//   resume window lapsed: `peer-left` clears it for everyone). While the member is away (within
//   its resume window) it stays: its recorder may well be running. A member that resumes and is
//   no longer recording says so; one that lost its identity (a fresh welcome) and still records
//   announces it again.
// - A host or cohost may turn recording off for the room (`access {recording: false}`; the
//   `access` frame's other fields are unchanged). Then a `recording {kind}` is refused with
//   "recording-off"; members already recording are not cleared by the room (their REC stays
//   true to what they do): their clients stop when they see the new access state, and say so.
// - Announcing the same kind again changes nothing (no frame); switching kind restarts `since`.
//   Changes are rationed per member like hands (RECORDING_POLICY in the worker): first excess
//   `rate-limited`, then drops, then 4429.
// - On a stage a viewer may record too (it records what it receives): everyone sees it.

import { bad, type ClientValidators, isObj, isOneOf, isPeerId, isTime, ok, type ServerValidators } from "../wire";

/** "composite": the call as laid out, everyone's audio mixed; "self": the member's own camera and mic. */
export const RECORDING_KINDS = ["composite", "self"] as const;
export type RecordingKind = (typeof RECORDING_KINDS)[number];
export const isRecordingKind = (v: unknown): v is RecordingKind => isOneOf(RECORDING_KINDS, v);

/** A member's recording, as everyone knows it. `since`: the room's clock (ms since the epoch). */
export interface RecordingInfo {
  kind: RecordingKind;
  since: number;
}

export type RecordingClientMessage =
  /** Any member: "I am recording this kind now" (kind) or "I stopped" (null). */
  { type: "recording"; kind: RecordingKind | null };

export type RecordingServerMessage =
  /** To everyone, the recorder too: a member's recording started, changed kind, or stopped (null). */
  { type: "peer-recording"; id: string; recording: RecordingInfo | null };

export const RECORDING_ERRORS = [
  /** A host or cohost turned recording off for this room (`access.recording` false). */
  "recording-off",
] as const;

export function recordingInfo(v: unknown): RecordingInfo | null {
  return isObj(v) && isRecordingKind(v.kind) && isTime(v.since) ? { kind: v.kind, since: v.since } : null;
}

/** PeerInfo.recording: null, or a recording. `undefined` (a field missing) is malformed. */
export function recordingField(v: unknown): RecordingInfo | null | undefined {
  return v === null ? null : (recordingInfo(v) ?? undefined);
}

export const recordingClient: ClientValidators<RecordingClientMessage, never> = {
  recording: (v) =>
    v.kind === null || isRecordingKind(v.kind)
      ? ok({ type: "recording", kind: v.kind })
      : bad("recording", `\`kind\` must be null or one of ${RECORDING_KINDS.join(", ")}`),
};

export const recordingServer: ServerValidators<RecordingServerMessage> = {
  "peer-recording": (v) => {
    if (!isPeerId(v.id)) return null;
    const recording = recordingField(v.recording);
    return recording === undefined ? null : { type: "peer-recording", id: v.id, recording };
  },
};
