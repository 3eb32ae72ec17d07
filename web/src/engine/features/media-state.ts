// This device's media in the room: what the others are told (the `media` frame: mic, camera,
// screen on or off), what the transport sends (tracks), and what the others say of theirs
// (`peer-media`).

import type { ClientMessage, MediaState, ServerMessage } from "../../../../protocol/protocol";
import type { LocalMedia } from "../media/local-media";
import type { Transport } from "../session/transport";
import type { Roster } from "./roster";

export class MediaStateFeature {
  private readonly unsubscribe: Array<() => void>;

  constructor(
    private readonly media: Pick<LocalMedia, "state" | "on">,
    transport: Pick<Transport, "setLocalTracks">,
    private readonly roster: Pick<Roster, "patch">,
    private readonly send: (msg: ClientMessage) => boolean,
  ) {
    this.unsubscribe = [
      media.on("tracks", (tracks) => transport.setLocalTracks(tracks)),
      media.on("change", () => this.announce()),
    ];
  }

  /** Tells the room our media state now. */
  announce(): void {
    this.send({ type: "media", media: this.state });
  }

  /** What to announce: in the join, and in a `media` frame on every change. */
  get state(): MediaState {
    const s = this.media.state;
    return { mic: s.mic, cam: s.cam, screen: s.screen };
  }

  peerMedia(msg: Extract<ServerMessage, { type: "peer-media" }>): void {
    this.roster.patch(msg.id, { media: msg.media });
  }

  dispose(): void {
    for (const off of this.unsubscribe.splice(0)) off();
  }
}
