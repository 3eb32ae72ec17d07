// Recording consent (protocol/features/recording.ts): a member records on its own device, and the
// room makes sure everyone knows for exactly as long as it lasts. The room cannot stop a recorder;
// it keeps the truth about one: stamped with the room's clock (so that "since" means the same to
// everyone, whatever their device's clock says), stored on the member (every welcome carries it,
// hibernation keeps it), and told to everyone present, the recorder too (its client shows REC from
// the room's word, not its own, so that all screens agree).
//
// - A start is refused with "recording-off" while a host or cohost has turned recording off for
//   the room; a stop is always taken, so that no REC can outlive its recording.
// - The same kind again changes nothing and tells nobody (a client repeating itself after a
//   resume); another kind restarts `since`.
// - The recording clears with the member: `peer-left` (RoomState.remove) tells everyone. While the
//   member is away it stays: its recorder may well still run.
// - Rationed per member (RECORDING_POLICY), because every change is a frame to everyone; starts
//   only (see below).

import type { GuardPolicy } from "../../socket-guard";
import { error, overRation, sendTo } from "../effects";
import type { MemberHandler, MessageOf } from "../handler";

/**
 * Recording changes per member: the episode rules of HAND_POLICY (features/stage.ts). A person
 * starts and stops a recording a few times in a call; 5 in a burst, then one per 400 ms, covers
 * a client announcing, switching kind and stopping in quick succession. Past it the first change
 * is answered `rate-limited`, the next ones dropped, and after 10 drops (forgiven at one a second)
 * the member is expelled with 4429. Strikes are the socket's: none are counted here.
 */
export const RECORDING_POLICY: GuardPolicy = { rate: { perSecond: 2.5, burst: 5 }, maxDropped: 10, maxInvalidFrames: 1 };

export const recording: MemberHandler<MessageOf<"recording">> = {
  who: "member",
  run(room, from, msg) {
    // A stop of a recording the room knows of is never rationed: stops cannot outnumber the starts
    // that were let through (each clears what one set), and a stop refused would leave REC on
    // everyone's screen after the recording ended, the one thing this feature must not do.
    const stopping = msg.kind === null && from.recording !== null;
    const refused = stopping ? null : overRation(room.admitRecording(from.id, RECORDING_POLICY), "recording changes");
    if (refused) return refused;
    // No strike: an honest client may announce a start just before the host's change reaches it,
    // and the ration above already bounds how often it can be told so.
    if (msg.kind !== null && !room.access.recording) {
      return [error("recording-off", "a host turned recording off for this room")];
    }
    if ((from.recording?.kind ?? null) === msg.kind) return [];
    const next = msg.kind === null ? null : { kind: msg.kind, since: room.deps.now() };
    room.save({ ...from, recording: next });
    return [sendTo(room.present().map((m) => m.id), { type: "peer-recording", id: from.id, recording: next })];
  },
};
