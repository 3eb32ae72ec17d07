// Which remote stream is the camera and which the screen. The remote names its streams in a
// `streams` signal (stream ids travel in the SDP's msid, so they match what track events bring);
// until it has, any stream that is not the named screen is taken as the camera. Names and tracks
// may arrive in either order: the roles are worked out again whenever either changes.

import { listen } from "../listen";

export interface RemoteStreams {
  camera: MediaStream | null;
  screen: MediaStream | null;
}

export class StreamRoles {
  private readonly streams = new Map<string, { stream: MediaStream; unlisten: () => void }>();
  private ids: { camera: string | null; screen: string | null } = { camera: null, screen: null };
  private closed = false;
  private readonly unlisten: () => void;

  constructor(
    pc: Pick<RTCPeerConnection, "addEventListener" | "removeEventListener">,
    private readonly changed: (streams: RemoteStreams) => void,
  ) {
    this.unlisten = listen(pc, { track: this.onTrack });
  }

  /** The remote's `streams` signal: which of its stream ids is which. */
  name(ids: { camera: string | null; screen: string | null }): void {
    if (this.closed) return;
    this.ids = { camera: ids.camera, screen: ids.screen };
    this.report();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.unlisten();
    for (const { unlisten } of this.streams.values()) unlisten();
    this.streams.clear();
  }

  private readonly onTrack = (e: RTCTrackEvent) => {
    const stream = e.streams[0] ?? new MediaStream([e.track]);
    const known = this.streams.get(stream.id);
    if (known?.stream !== stream) {
      known?.unlisten();
      // A track leaving (screen share stopped) or arriving again changes what should be shown.
      const refresh = () => this.report();
      this.streams.set(stream.id, { stream, unlisten: listen(stream, { addtrack: refresh, removetrack: refresh }) });
    }
    this.report();
  };

  private report() {
    if (this.closed) return;
    const { camera, screen } = this.ids;
    const all = [...this.streams.values()].map((s) => s.stream);
    const cam = camera ? this.streams.get(camera)?.stream : all.find((s) => s.id !== screen);
    const scr = screen ? this.streams.get(screen)?.stream : undefined;
    this.changed({ camera: cam ?? null, screen: scr && scr.getVideoTracks().length > 0 ? scr : null });
  }
}
