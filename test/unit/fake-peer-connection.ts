// Just enough of RTCPeerConnection's transceivers for the units that lay out media (media-layout,
// the mesh): transceivers with a direction, a sender whose track and streams a test can read, and
// a receiver of a kind (with the synchronization sources a test sets). `remoteOffer` adds the transceivers setRemoteDescription would create for
// an offer and returns that offer's SDP. Nothing is negotiated: that is negotiation.test.ts's part.

import type { LocalTracks } from "../../web/src/engine/media/local-tracks";

export const fakeTrack = (kind: "audio" | "video", id = `${kind}-1`) => ({ kind, id }) as MediaStreamTrack;

export const fakeStream = (id: string, tracks: MediaStreamTrack[] = []) => ({ id, getTracks: () => tracks }) as unknown as MediaStream;

/** A device with its mic and camera on, not sharing. */
export const cameraOn = (): LocalTracks => ({ cameraStream: fakeStream("cam"), audio: fakeTrack("audio"), micOn: true, video: fakeTrack("video"), screenStream: null });

export class FakeSender {
  streams: string[] = [];
  params: RTCRtpSendParameters = { encodings: [{}], transactionId: "t", codecs: [], headerExtensions: [], rtcp: {} };
  constructor(public track: MediaStreamTrack | null) {}
  async replaceTrack(track: MediaStreamTrack | null) {
    this.track = track;
  }
  setStreams(...streams: MediaStream[]) {
    this.streams = streams.map((s) => s.id);
  }
  getParameters() {
    return this.params;
  }
  async setParameters(params: RTCRtpSendParameters) {
    this.params = params;
  }
}

export class FakeTransceiver {
  readonly sender: FakeSender;
  readonly receiver: { track: { kind: string }; sources: RTCRtpSynchronizationSource[]; getSynchronizationSources(): RTCRtpSynchronizationSource[] };
  constructor(
    kind: string,
    track: MediaStreamTrack | null,
    public direction: RTCRtpTransceiverDirection,
    public mid: string | null,
    streams: MediaStream[] = [],
  ) {
    this.sender = new FakeSender(track);
    this.sender.setStreams(...streams);
    this.receiver = {
      track: { kind },
      sources: [],
      getSynchronizationSources() {
        return this.sources;
      },
    };
  }
}

export class FakePeerConnection extends EventTarget {
  static made: FakePeerConnection[] = [];
  readonly transceivers: FakeTransceiver[] = [];
  signalingState: RTCSignalingState = "stable";
  connectionState: RTCPeerConnectionState = "new";
  iceGatheringState: RTCIceGatheringState = "new";
  localDescription: RTCSessionDescription | null = null;
  remoteDescription: RTCSessionDescription | null = null;
  closed = false;
  stats: RTCStatsReport = new Map() as unknown as RTCStatsReport;

  constructor(public config: RTCConfiguration = {}) {
    super();
    FakePeerConnection.made.push(this);
  }

  addTransceiver(trackOrKind: MediaStreamTrack | string, init: RTCRtpTransceiverInit = {}) {
    const track = typeof trackOrKind === "string" ? null : trackOrKind;
    const kind = typeof trackOrKind === "string" ? trackOrKind : trackOrKind.kind;
    const tx = new FakeTransceiver(kind, track, init.direction ?? "sendrecv", null, init.streams ?? []);
    this.transceivers.push(tx);
    return tx as unknown as RTCRtpTransceiver;
  }

  getTransceivers() {
    return this.transceivers as unknown as RTCRtpTransceiver[];
  }

  /** What setRemoteDescription does with an offer of these m-lines (new transceivers are recvonly), and the offer's SDP. */
  remoteOffer(lines: Array<[kind: "audio" | "video", direction: RTCRtpTransceiverDirection]>): string {
    const sections = lines.map(([kind, direction], mid) => {
      this.transceivers.push(new FakeTransceiver(kind, null, "recvonly", String(mid)));
      return [`m=${kind} 9 UDP/TLS/RTP/SAVPF 111`, "c=IN IP4 0.0.0.0", `a=mid:${mid}`, `a=${direction}`].join("\r\n");
    });
    return ["v=0", "o=- 1 2 IN IP4 127.0.0.1", "s=-", "t=0 0", ...sections].join("\r\n") + "\r\n";
  }

  async setLocalDescription() {}
  async setRemoteDescription() {}
  async addIceCandidate() {}
  setConfiguration(config: RTCConfiguration) {
    this.config = config;
  }
  getConfiguration() {
    return this.config;
  }
  restartIce() {}
  async getStats() {
    return this.stats;
  }
  close() {
    this.closed = true;
  }

  /** Moves the connection to a state, as the browser would. */
  become(state: RTCPeerConnectionState) {
    this.connectionState = state;
    this.dispatchEvent(new Event("connectionstatechange"));
  }
}
