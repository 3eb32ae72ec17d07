// What this device sends, as LocalMedia hands it to whoever carries it (a peer connection, or
// any other transport).

/** What this device sends: what a peer connection (or any transport) puts on the wire. */
export interface LocalTracks {
  /** A stable stream whose id tells the remote which tracks are the camera and mic. */
  cameraStream: MediaStream;
  audio: MediaStreamTrack | null;
  video: MediaStreamTrack | null;
  screenStream: MediaStream | null;
}
