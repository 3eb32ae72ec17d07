// Fakes for the SFU transport's unit tests: a peer connection that keeps transceivers, mids and
// the signaling state as a browser would (the offer gives new transceivers their mids, an SFU
// offer adds receive-only ones by mid), and a proxy that answers like Cloudflare Realtime through
// the Worker (publish → answer, pull → an offer naming the new mids, per-item errors on demand).
// No SDP is parsed: the fake SFU's offers name their mids as "sfu-offer <mid> <mid>…".

import type { SessionDescription, TrackItem, TracksCloseBody, TracksNewBody, TracksResult } from "../../protocol/sfu";
import { SfuError } from "../../web/src/engine/sfu/proxy-client";

let trackIds = 0;
export const track = (kind: "audio" | "video", id = `${kind}-${++trackIds}`) => ({ kind, id }) as MediaStreamTrack;

export const stream = (id: string, tracks: MediaStreamTrack[] = []) =>
  ({
    id,
    tracks,
    getTracks: () => tracks,
    getVideoTracks: () => tracks.filter((t) => t.kind === "video"),
    getAudioTracks: () => tracks.filter((t) => t.kind === "audio"),
  }) as unknown as MediaStream;

/** Stands in for `new MediaStream(tracks)` (Node has none): the tracks are readable. */
export const makeStream = (tracks: MediaStreamTrack[]) => stream(`s-${tracks.map((t) => t.id).join("+")}`, tracks);
export const tracksOf = (s: MediaStream | null) => (s ? s.getTracks().map((t) => t.id) : null);

export class FakeTx {
  mid: string | null = null;
  stopped = false;
  readonly sender: {
    track: MediaStreamTrack | null;
    encodings: RTCRtpEncodingParameters[];
    replaceTrack(t: MediaStreamTrack | null): Promise<void>;
    getParameters(): RTCRtpSendParameters;
  };
  readonly receiver: { track: MediaStreamTrack; sources: RTCRtpSynchronizationSource[]; getSynchronizationSources(): RTCRtpSynchronizationSource[] };
  constructor(
    readonly kind: string,
    sendTrack: MediaStreamTrack | null,
    public direction: RTCRtpTransceiverDirection,
    encodings: RTCRtpEncodingParameters[] = [{}],
  ) {
    this.sender = {
      track: sendTrack,
      encodings,
      async replaceTrack(t) {
        this.track = t;
      },
      getParameters() {
        return { encodings: this.encodings, transactionId: "t", codecs: [], headerExtensions: [], rtcp: {} };
      },
    };
    this.receiver = {
      track: track(kind as "audio" | "video", `rx-${kind}-${++trackIds}`),
      sources: [],
      getSynchronizationSources() {
        return this.sources;
      },
    };
  }
  stop() {
    this.stopped = true;
    this.direction = "stopped";
  }
}

export class FakeSfuPc extends EventTarget {
  static made: FakeSfuPc[] = [];
  /** Set to make addTransceiver refuse sendEncodings (a browser without simulcast). */
  static noSimulcast = false;
  readonly transceivers: FakeTx[] = [];
  signalingState: RTCSignalingState = "stable";
  connectionState: RTCPeerConnectionState = "new";
  localDescription: RTCSessionDescriptionInit | null = null;
  remoteDescription: RTCSessionDescriptionInit | null = null;
  offers: Array<{ iceRestart: boolean }> = [];
  restarts = 0;
  closed = false;
  stats: RTCStatsReport = new Map() as unknown as RTCStatsReport;
  private nextMid = 0;

  constructor(public config: RTCConfiguration = {}) {
    super();
    FakeSfuPc.made.push(this);
  }

  addTransceiver(trackOrKind: MediaStreamTrack | string, init: RTCRtpTransceiverInit = {}) {
    if (init.sendEncodings && FakeSfuPc.noSimulcast) throw new Error("simulcast not supported");
    const t = typeof trackOrKind === "string" ? null : trackOrKind;
    const kind = typeof trackOrKind === "string" ? trackOrKind : trackOrKind.kind;
    const tx = new FakeTx(kind, t, init.direction ?? "sendrecv", init.sendEncodings ?? [{}]);
    this.transceivers.push(tx);
    return tx as unknown as RTCRtpTransceiver;
  }
  getTransceivers() {
    return this.transceivers as unknown as RTCRtpTransceiver[];
  }
  async createOffer(options: RTCOfferOptions = {}) {
    this.offers.push({ iceRestart: options.iceRestart === true });
    for (const t of this.transceivers) if (t.mid === null) t.mid = String(this.nextMid++);
    return { type: "offer" as const, sdp: `offer ${this.offers.length}${options.iceRestart ? " ice-restart" : ""}` };
  }
  async createAnswer() {
    return { type: "answer" as const, sdp: "answer" };
  }
  async setLocalDescription(d: RTCSessionDescriptionInit) {
    if (d.type === "rollback") {
      this.signalingState = "stable";
      return;
    }
    this.localDescription = d;
    this.signalingState = d.type === "offer" ? "have-local-offer" : "stable";
  }
  async setRemoteDescription(d: RTCSessionDescriptionInit) {
    this.remoteDescription = d;
    if (d.type === "answer") {
      this.signalingState = "stable";
      return;
    }
    this.signalingState = "have-remote-offer";
    const [word, ...mids] = (d.sdp ?? "").split(" ");
    if (word !== "sfu-offer") return;
    for (const spec of mids) {
      const [mid, kind] = spec.split(":") as [string, "audio" | "video"];
      if (this.transceivers.some((t) => t.mid === mid)) continue;
      const tx = new FakeTx(kind, null, "recvonly");
      tx.mid = mid;
      this.transceivers.push(tx);
    }
  }
  restartIce() {
    this.restarts++;
  }
  setConfiguration(c: RTCConfiguration) {
    this.config = c;
  }
  getConfiguration() {
    return this.config;
  }
  async getStats() {
    return this.stats;
  }
  close() {
    this.closed = true;
  }
  become(state: RTCPeerConnectionState) {
    this.connectionState = state;
    this.dispatchEvent(new Event("connectionstatechange"));
  }
}

/** A publisher's tracks as the fake SFU knows them: session → names (→ kind). */
type Catalog = Map<string, Map<string, "audio" | "video">>;

export class FakeProxy {
  readonly calls: Array<{ route: string; session?: string; body?: unknown }> = [];
  /** Other members' published tracks, pullable by (session, name). */
  readonly catalog: Catalog = new Map();
  /** Track names whose items fail (as Realtime's per-item errors), until removed. */
  readonly failing = new Set<string>();
  /** The next call of a route throws this, once (as the proxy client does after its retries). */
  readonly throwing = new Map<string, SfuError>();
  private sessions = 0;
  private pulledMid = 100;

  publish(session: string, tracks: Record<string, "audio" | "video">) {
    this.catalog.set(session, new Map(Object.entries(tracks)));
  }

  private maybeThrow(route: string) {
    const e = this.throwing.get(route);
    this.throwing.delete(route);
    if (e) throw e;
  }

  async newSession() {
    this.calls.push({ route: "sessions/new" });
    this.maybeThrow("sessions/new");
    return { sessionId: `own${++this.sessions}` };
  }

  async tracksNew(session: string, body: TracksNewBody): Promise<TracksResult> {
    this.calls.push({ route: "tracks/new", session, body });
    this.maybeThrow("tracks/new");
    const items = body.tracks.map((t: TrackItem) => {
      if (this.failing.has(t.trackName)) return { ...t, errorCode: "not-found", errorDescription: "no such track" };
      if (t.location === "local") return { location: "local" as const, mid: t.mid, trackName: t.trackName };
      const kind = this.catalog.get(t.sessionId)?.get(t.trackName);
      if (!kind) return { ...t, errorCode: "not-found", errorDescription: "no such track" };
      return { location: "remote" as const, sessionId: t.sessionId, trackName: t.trackName, mid: `${this.pulledMid++}`, kind };
    });
    const remote = items.filter((i): i is { location: "remote"; sessionId: string; trackName: string; mid: string; kind: "audio" | "video" } => "kind" in i);
    if (body.sessionDescription) return { requiresImmediateRenegotiation: false, sessionDescription: { type: "answer", sdp: "sfu-answer" }, tracks: items };
    const offer: SessionDescription = { type: "offer", sdp: ["sfu-offer", ...remote.map((r) => `${r.mid}:${r.kind}`)].join(" ") };
    return { requiresImmediateRenegotiation: remote.length > 0, ...(remote.length > 0 ? { sessionDescription: offer } : {}), tracks: items.map(({ kind: _k, ...i }: { kind?: string }) => i) };
  }

  async renegotiate(session: string, sessionDescription: SessionDescription) {
    this.calls.push({ route: "renegotiate", session, body: { sessionDescription } });
    this.maybeThrow("renegotiate");
    return sessionDescription.type === "offer" ? { sessionDescription: { type: "answer" as const, sdp: "sfu-answer" } } : {};
  }

  async tracksClose(session: string, body: TracksCloseBody): Promise<TracksResult> {
    this.calls.push({ route: "tracks/close", session, body });
    this.maybeThrow("tracks/close");
    return { requiresImmediateRenegotiation: false, sessionDescription: { type: "answer", sdp: "sfu-answer" }, tracks: body.tracks };
  }

  routes(): string[] {
    return this.calls.map((c) => c.route);
  }
}
