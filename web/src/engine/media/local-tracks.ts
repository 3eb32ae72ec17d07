// What this device sends, as LocalMedia hands it to whoever carries it (a peer connection, or
// any other transport).

/** What this device sends: what a peer connection (or any transport) puts on the wire. */
export interface LocalTracks {
  /** A stable stream whose id tells the remote which tracks are the camera and mic. */
  cameraStream: MediaStream;
  /** The mic's track while the device is open, muted or not (unmuting must be instant). */
  audio: MediaStreamTrack | null;
  /**
   * The mic is on. A muted mic's track stays open, but a mesh puts nothing on the wire for it
   * (replaceTrack(null)): an enabled=false track still costs an Opus encoder per peer and 50
   * packets a second of silence to each, and the machine's CPU (it halved a file transfer's
   * throughput beside a muted call, bench/files-cpu.ts).
   */
  micOn: boolean;
  video: MediaStreamTrack | null;
  screenStream: MediaStream | null;
}
