// What we publish on the SFU, from what this device sends: one track per role (mic, camera,
// screen, screen audio), none at all for a stage's viewer. Pure: the transport runs the plan.
//
// Another device for the same role is a replaceTrack on the published sender (no call to the
// SFU, the name stays); a role turned off is closed at the SFU (Realtime collects a track after
// 30 s without media anyway, and pullers would keep a frozen frame), and published again under a
// new name when it comes back.

import type { SfuTrackRole } from "../../../../protocol/features/transport";
import type { LocalTracks } from "../media/local-tracks";
import type { PublishItem } from "./sfu-connection";

export interface PublishedTrack {
  role: SfuTrackRole;
  mid: string;
  track: MediaStreamTrack | null;
}

export interface PublishPlan {
  publish: PublishItem[];
  replace: Array<{ mid: string; track: MediaStreamTrack }>;
  close: string[];
}

/** This device's track for each role now (null: not sending it). */
export function localByRole(local: LocalTracks, publish: boolean): Map<SfuTrackRole, { track: MediaStreamTrack; stream: MediaStream }> {
  const out = new Map<SfuTrackRole, { track: MediaStreamTrack; stream: MediaStream }>();
  if (!publish) return out;
  // Muted or not: Realtime collects a track that carries no media for 30 s, so on the SFU a muted
  // mic goes on sending its silence (the mesh sends nothing: LocalTracks.micOn).
  if (local.audio) out.set("mic", { track: local.audio, stream: local.cameraStream });
  if (local.video) out.set("camera", { track: local.video, stream: local.cameraStream });
  const screen = local.screenStream;
  const screenVideo = screen?.getVideoTracks()[0];
  const screenAudio = screen?.getAudioTracks()[0];
  if (screen && screenVideo) out.set("screen", { track: screenVideo, stream: screen });
  if (screen && screenAudio) out.set("screen-audio", { track: screenAudio, stream: screen });
  return out;
}

export function planPublish(wanted: ReadonlyMap<SfuTrackRole, { track: MediaStreamTrack; stream: MediaStream }>, published: readonly PublishedTrack[]): PublishPlan {
  const plan: PublishPlan = { publish: [], replace: [], close: [] };
  for (const p of published) {
    const want = wanted.get(p.role);
    if (!want) plan.close.push(p.mid);
    else if (want.track !== p.track) plan.replace.push({ mid: p.mid, track: want.track });
  }
  for (const [role, want] of wanted) {
    if (!published.some((p) => p.role === role)) plan.publish.push({ role, ...want });
  }
  return plan;
}
