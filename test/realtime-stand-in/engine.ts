// The media half of the Cloudflare Realtime stand-in (test infrastructure only; the product talks
// to it solely through REALTIME_API_URL). The HTTP half (http.ts) validates each call against the
// documented contract and turns it into calls on this interface; an engine answers with SDP and
// forwards media for real (werift-engine.ts), so that Chromium pages publish to it and pull from
// it end to end. Kept to what the documented routes need:
//
//   POST /sessions/new                  → createSession (+ applyOffer when it carries an offer)
//   POST /sessions/{id}/tracks/new      → local tracks: applyOffer; remote tracks: pull
//   PUT  /sessions/{id}/renegotiate     → applyAnswer
//   PUT  /sessions/{id}/tracks/close    → close
//   GET  /sessions/{id}                 → describe
//
// Names follow the API: a track is published by one session under a `trackName` and pulled by
// others as (that session's id, trackName); a `mid` is the transceiver's in the session's own SDP.

export interface Sdp {
  type: "offer" | "answer";
  sdp: string;
}

/** One simulcast preference of a pull, as the API takes it (rids are the publisher's). */
export interface SimulcastPreference {
  preferredRid?: string;
  priorityOrdering?: "none" | "asciibetical";
  ridNotAvailable?: "none" | "asciibetical";
}

export interface LocalTrack {
  mid: string;
  trackName: string;
}

export interface RemoteTrack {
  /** The publishing session. */
  sessionId: string;
  trackName: string;
  simulcast?: SimulcastPreference;
}

/** Per item, as the API answers inside an HTTP 200: an error code instead of a track. */
export type TrackResult =
  | { mid: string; trackName: string; sessionId?: string }
  | { trackName: string; sessionId?: string; errorCode: string; errorDescription: string };

export interface SessionTrack {
  location: "local" | "remote";
  mid: string;
  trackName: string;
  /** "active" while media flows (the API's own word); "inactive" once closed. */
  status: "active" | "inactive" | "waiting";
  /** For a remote track: the publishing session. */
  sessionId?: string;
}

export interface MediaEngine {
  /** A new session (one RTCPeerConnection on the engine's side). */
  createSession(sessionId: string): Promise<void>;
  /** The client's offer, publishing `tracks` (mids in that offer): the engine's answer. */
  applyOffer(sessionId: string, offer: Sdp, tracks: readonly LocalTrack[]): Promise<{ answer: Sdp; tracks: TrackResult[] }>;
  /** Adds one transceiver per pulled track and makes the engine's offer (the client answers with applyAnswer). */
  pull(sessionId: string, tracks: readonly RemoteTrack[]): Promise<{ offer: Sdp | null; tracks: TrackResult[] }>;
  /** The client's answer to the engine's last offer. */
  applyAnswer(sessionId: string, answer: Sdp): Promise<void>;
  /** Stops the transceivers of `mids`; with the client's offer, answers it. */
  close(sessionId: string, mids: readonly string[], offer: Sdp | null): Promise<{ answer: Sdp | null; tracks: TrackResult[] }>;
  /** What GET /sessions/{id} reports, or null for an unknown session. */
  describe(sessionId: string): { connectionState: string; tracks: SessionTrack[] } | null;
  /** Closes every session (the harness's teardown). */
  shutdown(): Promise<void>;
}
