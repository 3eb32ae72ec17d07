// What a recording takes from the call: our camera and mic for "self"; for the composite, the
// stage as laid out (composite-layout.ts) and every audio track in the call, ours and everyone's.

import type { LocalMedia } from "../../engine/media/local-media";
import type { RecorderSources, RecordingKind } from "../../engine/recording/contract";
import type { RoomSession } from "../../engine/session/room-session";
import { readLayout } from "./composite-layout";

export function recorderSources(kind: RecordingKind, media: Pick<LocalMedia, "tracks">, session: Pick<RoomSession, "state">, selfName: () => string): RecorderSources {
  return {
    kind,
    ownTracks: () => ({ audio: media.tracks.audio, video: media.tracks.video }),
    layout: () => readLayout(selfName()),
    audioTracks: () => {
      const tracks: MediaStreamTrack[] = [];
      if (media.tracks.audio) tracks.push(media.tracks.audio);
      // A shared screen may carry its tab's sound, ours included.
      for (const t of media.tracks.screenStream?.getAudioTracks() ?? []) tracks.push(t);
      for (const p of session.state.participants) {
        for (const t of p.camera?.getAudioTracks() ?? []) tracks.push(t);
        for (const t of p.screen?.getAudioTracks() ?? []) tracks.push(t);
      }
      return tracks.filter((t) => t.readyState === "live");
    },
  };
}
