// The Realtime stand-in's media engine (test infrastructure only): a small selective forwarding
// unit on werift, the pure-TypeScript WebRTC stack, so that Chromium pages publish to the stand-in
// and pull from it end to end while the product talks to it only through REALTIME_API_URL.
//
// What it emulates of Cloudflare's Realtime SFU:
// - one peer connection per session, ICE-lite like the real service (the client's candidates are
//   never needed: werift learns the client's address from its connectivity checks), host
//   candidates on 127.0.0.1 only, no STUN or TURN, DTLS-SRTP with werift's certificate;
// - publishing: the client's offer names its tracks by mid; the engine answers (VP8 and Opus only,
//   so that a publisher's packets can go to any puller unchanged but for SSRC and payload type);
// - pulling by (publishing session, trackName): one sendonly transceiver per pulled track on the
//   puller's connection and an engine offer the client answers, as the API's remote tracks do;
//   a session that also publishes gets offers that keep the bundle's payload types and header
//   extension ids, and, like the API, a renegotiation waits up to 5 s for the session's first
//   connection;
// - forwarding: each RTP packet of the published track goes to every puller, with the puller's
//   own SSRC, payload type and header extensions (werift's sender rewrites them), padding-only
//   packets as empty ones (their sequence numbers are part of the stream); NACKs are
//   answered from werift's send history; a puller's PLI (read off the transport by its media
//   SSRC, see watchKeyframeRequests) goes back to the publisher as a PLI on the layer it
//   receives (the offer advertises PLI, not FIR, so Chromium asks with PLI);
// - simulcast: a publisher's rids come from its offer (a=simulcast:send); each pull forwards the
//   one layer its `simulcast` preference picks (simulcast-layers.ts), fixed when it starts;
// - Chromium's bandwidth estimate towards the engine starts at 2.5 Mbps with a 1.5 Mbps floor
//   (hints in the engine's answers and offers, sdp-edits.ts): werift's feedback alone never lets
//   it grow past the lowest simulcast layer, where Cloudflare's network would carry them all;
// - close (local and remote tracks, with or without the client's offer), describe, and the
//   bounds: 64 live tracks per session, a bounded number of sessions, and a session dropped once
//   its connection fails or its client stops its connectivity checks for 30 s (RFC 7675 consent).
//
// What it does not emulate: bandwidth estimation and layer switching under load
// (`priorityOrdering`), the switch to another layer when the forwarded one stops mid-call,
// `tracks/update`, data channels, the 30 s collection of tracks without media, audio levels,
// RED/RTX towards pullers, H.264/VP9/AV1, and anything about scale. werift routes simulcast
// packets by rid per connection, so a session publishes at most one simulcast track (two would
// need distinct rids). It is not Cloudflare: what the product relies on is the HTTP contract,
// and this engine exists so that the end-to-end tests see real media through it.
//
// Use (the HTTP half): one `new WeriftEngine()` per stand-in, `shutdown()` at teardown. Calls on a
// session the engine does not hold (never made, or dropped) reject with UnknownSessionError (404);
// createSession rejects with SessionRefusedError past `maxSessions` or for an id in use. Per-item
// errorCodes: "invalid_mid", "track_exists", "not_found", "too_many_tracks".

import {
  MediaStreamTrack,
  PictureLossIndication,
  RtcpPayloadSpecificFeedback,
  RTCPeerConnection,
  RTCRtpCodecParameters,
  RTCRtpHeaderExtensionParameters,
  RtpHeader,
  RtpPacket,
  useAbsSendTime,
  useNACK,
  usePLI,
  useSdesMid,
  useSdesRTPStreamId,
  useTransportWideCC,
  useTWCC,
  type RTCDtlsTransport,
  type RtcpPacket,
  type RTCRtpTransceiver,
} from "werift";
import type { LocalTrack, MediaEngine, RemoteTrack, Sdp, SessionTrack, TrackResult } from "./engine.ts";
import { bundleExtensionIds, withoutCandidates, withSimulcastReceive, withVideoBitrateFloor } from "./sdp-edits.ts";
import { offeredRids, pickLayer } from "./simulcast-layers.ts";

/** The API's limit per call, held here per session: the stand-in's memory stays bounded. */
export const MAX_TRACKS_PER_SESSION = 64;

/** A bad call on a session the engine does not know: the HTTP half answers 404 for it. */
export class UnknownSessionError extends Error {
  override name = "UnknownSessionError";
  readonly sessionId: string;
  constructor(sessionId: string) {
    super(`no session ${sessionId}`);
    this.sessionId = sessionId;
  }
}

/** A session id in use, or more sessions than the engine holds: the HTTP half answers 4xx/5xx. */
export class SessionRefusedError extends Error {
  override name = "SessionRefusedError";
}

export interface WeriftEngineOptions {
  /** Sessions held at once (each is a peer connection with its UDP socket). */
  maxSessions?: number;
  /** The address werift binds and announces; the browser tests run in a namespace with loopback only. */
  address?: string;
  /**
   * Chromium's start and floor of its bandwidth estimate towards the engine, written into the
   * engine's answers (sdp-edits.ts), or null to leave the answers as werift writes them.
   */
  videoKbps?: { start: number; min: number } | null;
  /** A connected session whose client sends no connectivity check for this long is dropped. */
  silenceMs?: number;
}

/**
 * RFC 7675 §5.1: consent expires 30 s after the last check. Not shorter: a client riding out a
 * network cut restarts ICE on the same session, as with Cloudflare.
 */
const CONSENT_EXPIRY_MS = 30_000;

/** The API's own wait for a session to be connected before a call goes on. */
const RENEGOTIATION_WAIT_MS = 5000;

/** A PLI per forwarded layer at most this often: pullers joining together ask for one keyframe. */
const KEYFRAME_REQUEST_GAP_MS = 300;

interface Layer {
  /** "" for a publisher sending one stream. */
  rid: string;
  ssrc: number | null;
  packets: number;
  lastKeyframeRequest: number;
}

interface Publication {
  session: Session;
  trackName: string;
  mid: string;
  transceiver: RTCRtpTransceiver;
  /** The rids the publisher's offer declares for this mid; empty without simulcast. */
  rids: string[];
  layers: Map<string, Layer>;
  pulls: Set<Pull>;
  closed: boolean;
}

interface Pull {
  session: Session;
  mid: string;
  source: Publication;
  transceiver: RTCRtpTransceiver;
  /** The forwarded layer (pickLayer), or null when the preference matches none. */
  rid: string | null;
  closed: boolean;
}

interface Session {
  id: string;
  pc: RTCPeerConnection;
  /** By mid, in the session's own SDP. */
  local: Map<string, Publication>;
  remote: Map<string, Pull>;
  /** Calls on one session run one after another, as werift's signalling needs. */
  queue: Promise<unknown>;
  /** When the client's last connectivity check came (Date.now()). */
  heard: { at: number };
  watchdog: ReturnType<typeof setInterval> | null;
  /** The transport whose RTCP the engine reads for pullers' PLIs (watchKeyframeRequests). */
  rtcp: { transport: RTCDtlsTransport; stop: () => void } | null;
  closed: boolean;
}

export class WeriftEngine implements MediaEngine {
  private readonly sessions = new Map<string, Session>();
  private readonly maxSessions: number;
  private readonly address: string;
  private readonly videoKbps: { start: number; min: number } | null;
  private readonly silenceMs: number;

  constructor(options: WeriftEngineOptions = {}) {
    this.maxSessions = options.maxSessions ?? 256;
    this.address = options.address ?? "127.0.0.1";
    // Enough for the three layers of a 720p camera (about 0.15 + 0.5 + 1.5 Mbps at most).
    this.videoKbps = options.videoKbps === undefined ? { start: 2500, min: 1500 } : options.videoKbps;
    this.silenceMs = options.silenceMs ?? CONSENT_EXPIRY_MS;
  }

  async createSession(sessionId: string): Promise<void> {
    if (this.sessions.has(sessionId)) throw new SessionRefusedError(`session ${sessionId} exists`);
    if (this.sessions.size >= this.maxSessions) throw new SessionRefusedError(`more than ${this.maxSessions} sessions`);
    const heard = { at: Date.now() };
    const pc = new RTCPeerConnection({
      // An ICE-lite agent sends no checks of its own, so werift never finds a lite connection
      // failed (it runs consent freshness only as a full agent): the client's checks, which
      // Chromium keeps sending about every 5 s, are what tell that it is still there.
      iceFilterStunResponse: () => {
        heard.at = Date.now();
        return true;
      },
      iceServers: [],
      iceLite: true,
      iceUseIpv6: false,
      iceInterfaceAddresses: { udp4: this.address },
      // Loopback is left out of werift's own gathering; it is the only network the tests have.
      iceAdditionalHostAddresses: [this.address],
      bundlePolicy: "max-bundle",
      // Chromium's own payload types for Opus and VP8. werift would number its codecs from 96, and
      // in a session that both publishes and pulls, its offer would then give 97 (Chromium's RTX
      // for VP8 in the client's offer) to VP8: the client's bundle takes 97 as RTX and never
      // decodes a frame.
      codecs: {
        audio: [new RTCRtpCodecParameters({ mimeType: "audio/opus", clockRate: 48000, channels: 2, payloadType: 111, rtcpFeedback: [useTWCC()] })],
        video: [new RTCRtpCodecParameters({ mimeType: "video/VP8", clockRate: 90000, payloadType: 96, rtcpFeedback: [useNACK(), usePLI(), useTWCC()] })],
      },
      headerExtensions: {
        audio: [useSdesMid(), useAbsSendTime()],
        video: [useSdesMid(), useSdesRTPStreamId(), useAbsSendTime(), useTransportWideCC()],
      },
    });
    const session: Session = { id: sessionId, pc, local: new Map(), remote: new Map(), queue: Promise.resolve(), heard, watchdog: null, rtcp: null, closed: false };
    this.sessions.set(sessionId, session);
    pc.connectionStateChange.subscribe((state) => {
      if (state === "failed" || state === "closed") void this.closeSession(session);
      if (state === "connected" && !session.watchdog) {
        session.watchdog = setInterval(() => {
          if (Date.now() - session.heard.at > this.silenceMs) void this.closeSession(session);
        }, Math.min(5000, this.silenceMs / 2));
        session.watchdog.unref();
      }
    });
  }

  applyOffer(sessionId: string, offer: Sdp, tracks: readonly LocalTrack[]): Promise<{ answer: Sdp; tracks: TrackResult[] }> {
    return this.serially(sessionId, async (session) => {
      await session.pc.setRemoteDescription(clientSdp(offer));
      let room = MAX_TRACKS_PER_SESSION - liveTracks(session);
      const results: TrackResult[] = [];
      for (const track of tracks) {
        const transceiver = session.pc.getTransceivers().find((t) => t.mid === track.mid);
        if (!transceiver || transceiver.stopped) {
          results.push(failure(track.trackName, "invalid_mid", `the offer has no transceiver with mid ${track.mid}`));
        } else if ([...session.local.values()].some((p) => !p.closed && (p.trackName === track.trackName || p.mid === track.mid))) {
          results.push(failure(track.trackName, "track_exists", `${track.trackName} or mid ${track.mid} is already published`));
        } else if (room <= 0) {
          results.push(failure(track.trackName, "too_many_tracks", `at most ${MAX_TRACKS_PER_SESSION} tracks per session`));
        } else {
          room--;
          this.publish(session, track, transceiver, offeredRids(offer.sdp, track.mid));
          results.push({ mid: track.mid, trackName: track.trackName });
        }
      }
      const answer = await this.answer(session);
      return { answer, tracks: results };
    });
  }

  pull(sessionId: string, tracks: readonly RemoteTrack[]): Promise<{ offer: Sdp | null; tracks: TrackResult[] }> {
    return this.serially(sessionId, async (session) => {
      let room = MAX_TRACKS_PER_SESSION - liveTracks(session);
      const added: Array<{ pull: Pull; track: RemoteTrack }> = [];
      const results: Array<TrackResult | null> = [];
      for (const track of tracks) {
        const source = this.findPublication(track.sessionId, track.trackName);
        if (!source) {
          results.push(failure(track.trackName, "not_found", `session ${track.sessionId} publishes no track ${track.trackName}`, track.sessionId));
        } else if (room <= 0) {
          results.push(failure(track.trackName, "too_many_tracks", `at most ${MAX_TRACKS_PER_SESSION} tracks per session`, track.sessionId));
        } else {
          room--;
          const transceiver = session.pc.addTransceiver(source.transceiver.kind, { direction: "sendonly" });
          transceiver.headerExtensions = extensionsFor(session.pc, transceiver);
          const pull: Pull = { session, mid: "", source, transceiver, rid: pickLayer(source.rids, track.simulcast), closed: false };
          added.push({ pull, track });
          results.push(null);
        }
      }
      if (added.length === 0) return { offer: null, tracks: results.filter((r) => r !== null) };
      const offer = await session.pc.createOffer();
      await session.pc.setLocalDescription(offer);
      await gathered(session.pc);
      for (const { pull } of added) this.attach(pull);
      let next = 0;
      const filled = results.map((r): TrackResult => {
        if (r) return r;
        const { pull, track } = added[next++]!;
        return { mid: pull.mid, trackName: track.trackName, sessionId: track.sessionId };
      });
      return { offer: this.reoffer(session), tracks: filled };
    });
  }

  applyAnswer(sessionId: string, answer: Sdp): Promise<void> {
    return this.serially(sessionId, async (session) => {
      await session.pc.setRemoteDescription(clientSdp(answer));
    });
  }

  close(sessionId: string, mids: readonly string[], offer: Sdp | null): Promise<{ answer: Sdp | null; tracks: TrackResult[] }> {
    return this.serially(sessionId, async (session) => {
      const results: TrackResult[] = [];
      const closing: RTCRtpTransceiver[] = [];
      for (const mid of mids) {
        const published = session.local.get(mid);
        const pulled = session.remote.get(mid);
        if (published && !published.closed) {
          this.unpublish(published);
          closing.push(published.transceiver);
          results.push({ mid, trackName: published.trackName });
        } else if (pulled && !pulled.closed) {
          detach(pulled);
          closing.push(pulled.transceiver);
          results.push({ mid, trackName: pulled.source.trackName, sessionId: pulled.source.session.id });
        } else {
          results.push(failure("", "invalid_mid", `no open track with mid ${mid}`));
        }
      }
      if (!offer) {
        // Forced: nothing more flows on these transceivers; the client renegotiates when it likes.
        for (const t of closing) if (!t.stopped) t.setDirection("inactive");
        return { answer: null, tracks: results };
      }
      await session.pc.setRemoteDescription(clientSdp(offer));
      // A client that closed a track without stopping its transceiver still offers it: the answer
      // turns it off rather than leaving a live m-line with nothing behind it.
      for (const t of closing) if (!t.stopped) t.setDirection("inactive");
      return { answer: await this.answer(session), tracks: results };
    });
  }

  describe(sessionId: string): { connectionState: string; tracks: SessionTrack[] } | null {
    const session = this.sessions.get(sessionId);
    if (!session) return null;
    const tracks: SessionTrack[] = [];
    for (const p of session.local.values()) {
      tracks.push({ location: "local", mid: p.mid, trackName: p.trackName, status: p.closed ? "inactive" : flowing(p) ? "active" : "waiting" });
    }
    for (const p of session.remote.values()) {
      const status = p.closed || p.source.closed ? "inactive" : flowing(p.source) ? "active" : "waiting";
      tracks.push({ location: "remote", mid: p.mid, trackName: p.source.trackName, sessionId: p.source.session.id, status });
    }
    return { connectionState: session.pc.connectionState, tracks };
  }

  async shutdown(): Promise<void> {
    await Promise.all([...this.sessions.values()].map((s) => this.closeSession(s)));
  }

  /** How many sessions are held (for the tests of the bounds). */
  get sessionCount(): number {
    return this.sessions.size;
  }

  private serially<T>(sessionId: string, work: (session: Session) => Promise<T>): Promise<T> {
    const session = this.sessions.get(sessionId);
    if (!session) return Promise.reject(new UnknownSessionError(sessionId));
    const run = session.queue.then(async () => {
      if (session.closed) throw new UnknownSessionError(sessionId);
      await settled(session.pc);
      if (session.closed) throw new UnknownSessionError(sessionId);
      return work(session);
    });
    session.queue = run.catch(() => undefined);
    return run;
  }

  private async answer(session: Session): Promise<Sdp> {
    await session.pc.setLocalDescription(await session.pc.createAnswer());
    await gathered(session.pc);
    resumeRestartedIce(session.pc);
    const answer = description(session.pc);
    return this.videoKbps ? { type: answer.type, sdp: withVideoBitrateFloor(answer.sdp, this.videoKbps) } : answer;
  }

  /**
   * The engine's offer as the client gets it. It must say again what the client's own offers
   * settled, or Chromium drops it: each publication's simulcast layers (werift leaves them out of
   * its offers), and the bitrate hints of the answers (Chromium reads them from the latest remote
   * description).
   */
  private reoffer(session: Session): Sdp {
    const offer = description(session.pc);
    const layers = [...session.local.values()].filter((p) => !p.closed).map((p) => ({ mid: p.mid, rids: p.rids }));
    const sdp = withSimulcastReceive(offer.sdp, layers);
    return { type: offer.type, sdp: this.videoKbps ? withVideoBitrateFloor(sdp, this.videoKbps) : sdp };
  }

  private findPublication(sessionId: string, trackName: string): Publication | null {
    const session = this.sessions.get(sessionId);
    if (!session || session.closed) return null;
    for (const p of session.local.values()) if (!p.closed && p.trackName === trackName) return p;
    return null;
  }

  private publish(session: Session, track: LocalTrack, transceiver: RTCRtpTransceiver, rids: string[]): void {
    const publication: Publication = { session, trackName: track.trackName, mid: track.mid, transceiver, rids, layers: new Map(), pulls: new Set(), closed: false };
    session.local.set(track.mid, publication);
    // werift makes one track per SSRC or rid, when the SDP names it or its first packet comes.
    const onTrack = (incoming: MediaStreamTrack) => {
      const rid = incoming.rid ?? "";
      if (publication.layers.has(rid)) return;
      const layer: Layer = { rid, ssrc: incoming.ssrc ?? null, packets: 0, lastKeyframeRequest: 0 };
      publication.layers.set(rid, layer);
      incoming.onReceiveRtp.subscribe((packet) => {
        if (publication.closed) return;
        const first = layer.ssrc === null;
        layer.ssrc = packet.header.ssrc;
        layer.packets++;
        // Pullers that came before the first packet asked for a keyframe nobody could answer yet.
        if (first && publication.pulls.size > 0) this.requestKeyframe(publication, rid);
        // Chromium's padding-only packets (bandwidth probes, no RTX here) hold sequence numbers
        // of the stream: they go on as empty packets, which a receiver takes as padding. Dropped,
        // every probe was a gap that pullers NACKed and counted as loss (the app then pulled a
        // lower layer, and a higher one again, over and over).
        for (const pull of publication.pulls) if (pull.rid === rid) forward(pull, packet);
      });
    };
    transceiver.receiver.tracks.forEach(onTrack);
    transceiver.onTrack.subscribe(onTrack);
  }

  private unpublish(publication: Publication): void {
    publication.closed = true;
    for (const pull of publication.pulls) detach(pull);
    publication.pulls.clear();
  }

  /** After the engine's offer is set: the pull knows its mid and starts receiving packets. */
  private attach(pull: Pull): void {
    pull.mid = pull.transceiver.mid ?? "";
    pull.session.remote.set(pull.mid, pull);
    pull.source.pulls.add(pull);
    this.watchKeyframeRequests(pull.session, pull.transceiver.sender.dtlsTransport);
    if (pull.rid !== null) this.requestKeyframe(pull.source, pull.rid);
  }

  /**
   * A puller's PLI names the stream it cannot decode by its media SSRC (RFC 4585 §6.3.1): the SSRC
   * the engine sends that pull with. werift hands a PLI to the owner of its *sender* SSRC first,
   * and a client that also publishes signs its feedback with its own camera's SSRC, so werift gave
   * those PLIs to the publication's receiver and no pull of a publishing session ever heard one
   * (its video stayed undecodable once the first keyframe was missed). The engine reads them off
   * the session's transport itself.
   */
  private watchKeyframeRequests(session: Session, transport: RTCDtlsTransport): void {
    if (session.rtcp?.transport === transport) return;
    session.rtcp?.stop();
    const { unSubscribe } = transport.onRtcp.subscribe((packet: RtcpPacket) => {
      if (packet.type !== RtcpPayloadSpecificFeedback.type) return;
      const feedback = packet.feedback;
      if (!(feedback instanceof PictureLossIndication)) return;
      for (const pull of session.remote.values()) {
        if (!pull.closed && pull.rid !== null && pull.transceiver.sender.ssrc === feedback.mediaSsrc) this.requestKeyframe(pull.source, pull.rid);
      }
    });
    session.rtcp = { transport, stop: unSubscribe };
  }

  private requestKeyframe(publication: Publication, rid: string): void {
    const layer = publication.layers.get(rid);
    if (!layer || layer.ssrc === null || publication.transceiver.kind !== "video") return;
    const now = Date.now();
    if (now - layer.lastKeyframeRequest < KEYFRAME_REQUEST_GAP_MS) return;
    layer.lastKeyframeRequest = now;
    publication.transceiver.receiver.sendRtcpPLI(layer.ssrc).catch(() => undefined);
  }

  private async closeSession(session: Session): Promise<void> {
    if (session.closed) return;
    session.closed = true;
    if (session.watchdog) clearInterval(session.watchdog);
    session.rtcp?.stop();
    this.sessions.delete(session.id);
    for (const p of session.local.values()) this.unpublish(p);
    for (const p of session.remote.values()) detach(p);
    await session.pc.close().catch(() => undefined);
  }
}

function liveTracks(session: Session): number {
  let n = 0;
  for (const p of session.local.values()) if (!p.closed) n++;
  for (const p of session.remote.values()) if (!p.closed) n++;
  return n;
}

function flowing(publication: Publication): boolean {
  for (const layer of publication.layers.values()) if (layer.packets > 0) return true;
  return false;
}

function detach(pull: Pull): void {
  pull.closed = true;
  pull.source.pulls.delete(pull);
}

/**
 * One packet to one puller. The publisher's header extensions are dropped: their ids are the
 * publisher's SDP's, not the puller's, and werift's sender writes the puller's own (mid,
 * transport-wide sequence, abs-send-time) along with its SSRC and payload type.
 */
function forward(pull: Pull, packet: RtpPacket): void {
  const h = packet.header;
  const header = new RtpHeader({ marker: h.marker, payloadType: h.payloadType, sequenceNumber: h.sequenceNumber, timestamp: h.timestamp, ssrc: h.ssrc });
  pull.transceiver.sender.sendRtp(new RtpPacket(header, packet.payload)).catch(() => undefined);
}

/** The header extensions of a new transceiver, numbered as the bundle already numbers them. */
function extensionsFor(pc: RTCPeerConnection, transceiver: RTCRtpTransceiver): RTCRtpHeaderExtensionParameters[] {
  const existing = pc.getTransceivers().flatMap((t) => (t === transceiver ? [] : t.headerExtensions));
  const configured = transceiver.kind === "audio" ? pc.config.headerExtensions.audio : pc.config.headerExtensions.video;
  const uris = (configured ?? []).map((e) => e.uri);
  return bundleExtensionIds(existing, uris).map((e) => new RTCRtpHeaderExtensionParameters(e));
}

function failure(trackName: string, errorCode: string, errorDescription: string, sessionId?: string): TrackResult {
  return sessionId === undefined ? { trackName, errorCode, errorDescription } : { trackName, sessionId, errorCode, errorDescription };
}

/**
 * A renegotiation waits for the first negotiation's connection, as the API's calls wait up to 5 s
 * for the session to be connected: werift fails a connection renegotiated while its ICE checks or
 * DTLS handshake are still under way (seen with a session that publishes and at once pulls).
 */
async function settled(pc: RTCPeerConnection): Promise<void> {
  if (!pc.remoteDescription || pc.connectionState !== "connecting" && pc.connectionState !== "new") return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(done, RENEGOTIATION_WAIT_MS);
    const { unSubscribe } = pc.connectionStateChange.subscribe((state) => {
      if (state !== "connecting" && state !== "new") done();
    });
    function done() {
      clearTimeout(timer);
      unSubscribe();
      resolve();
    }
  });
}

/**
 * The engine's half of a client's ICE restart (an offer with new ICE credentials, which the API
 * takes through renegotiate). werift restarts its agent when the remote credentials change (new
 * local ones, no selected pair), but the connect step after the answer passes over a transport
 * whose DTLS is still up, so the restarted agent is never started: it answers the client's checks
 * (Chromium reports connected) yet keeps them unprocessed as early checks, never takes the
 * client's nomination, and with no selected pair the unchanged DTLS/SRTP transport (bound to the
 * same agent object) sends nothing. Starting the agent replays those checks and takes the
 * nomination, as on the first connection; DTLS and SRTP go on over the new pair. The agent's
 * state is "completed" here (gathering sets it), not "new": the missing pair is what tells.
 * Not awaited: an ICE-lite agent waits for the client's nomination, which comes after the answer.
 * If it fails, werift reports the connection failed and the session is dropped.
 * Only a restarted agent: when the remote description has an inactive m-line (a closed track),
 * werift takes new remote credentials as a renomination instead (same agent, same local
 * credentials, only the selected pair dropped), which takes the next nomination by itself; starting
 * that agent again fails at once (its check list is done) and would drop the session.
 */
function resumeRestartedIce(pc: RTCPeerConnection): void {
  for (const dtls of pc.dtlsTransports) {
    const ice = dtls.iceTransport;
    // earlyChecksDone is werift's own (private) mark of a started agent: false only after a restart.
    const started = (ice.connection as unknown as { earlyChecksDone: boolean }).earlyChecksDone;
    if (dtls.state !== "connected" || started || ice.connection.nominated || !ice.connection.remoteUsername) continue;
    ice.start().catch(() => undefined);
  }
}

/** The engine's SDP carries its candidates (no trickle over the HTTP API): wait for them. */
async function gathered(pc: RTCPeerConnection): Promise<void> {
  if (pc.iceGatheringState === "complete") return;
  await new Promise<void>((resolve) => {
    const { unSubscribe } = pc.iceGatheringStateChange.subscribe((state) => {
      if (state === "complete") {
        unSubscribe();
        resolve();
      }
    });
  });
}

function clientSdp(sdp: Sdp): Sdp {
  return { type: sdp.type, sdp: withoutCandidates(sdp.sdp) };
}

function description(pc: RTCPeerConnection): Sdp {
  const local = pc.localDescription;
  if (!local || (local.type !== "offer" && local.type !== "answer")) throw new Error("no local description");
  return { type: local.type, sdp: local.sdp };
}
