// Each participant's pulled tracks as the same RemoteStreams the mesh emits (peer/stream-roles.ts),
// so that tiles, the speaker detection and the recorder read the SFU as they read the mesh: the
// camera stream holds the mic and the camera, the screen stream the screen and its audio (and is
// null without the screen's video). On the SFU the roles come from the announcement, not from
// stream ids: a pulled track's msid is the SFU's, not the publisher's.
//
// A stream is rebuilt only when its tracks change, so that a video element is not reattached for
// nothing; a track that changes (a camera pulled again at another layer) makes a new stream.

import type { SfuTrackRole } from "../../../../protocol/features/transport";
import type { RemoteStreams } from "../peer/stream-roles";

export type MakeStream = (tracks: MediaStreamTrack[]) => MediaStream;

export const browserStream: MakeStream = (tracks) => new MediaStream(tracks);

interface Built {
  key: string;
  stream: MediaStream | null;
}

export class RemoteMedia {
  private readonly built = new Map<string, { camera: Built; screen: Built }>();

  constructor(
    private readonly make: MakeStream,
    private readonly emit: (peerId: string, streams: RemoteStreams) => void,
  ) {}

  /** `tracks`: the peer's pulled tracks by role (the newest pull of each). Emits if anything changed. */
  update(peerId: string, tracks: ReadonlyMap<SfuTrackRole, MediaStreamTrack>): void {
    const before = this.built.get(peerId) ?? { camera: { key: "", stream: null }, screen: { key: "", stream: null } };
    const camera = this.build(before.camera, [tracks.get("mic"), tracks.get("camera")]);
    const screen = tracks.has("screen") ? this.build(before.screen, [tracks.get("screen"), tracks.get("screen-audio")]) : { key: "", stream: null };
    this.built.set(peerId, { camera, screen });
    if (camera.stream !== before.camera.stream || screen.stream !== before.screen.stream) this.emit(peerId, { camera: camera.stream, screen: screen.stream });
  }

  forget(peerId: string): void {
    this.built.delete(peerId);
  }

  private build(before: Built, tracks: Array<MediaStreamTrack | undefined>): Built {
    const present = tracks.filter((t): t is MediaStreamTrack => t !== undefined);
    const key = present.map((t) => t.id).join(" ");
    if (key === before.key) return before;
    return { key, stream: present.length > 0 ? this.make(present) : null };
  }
}
