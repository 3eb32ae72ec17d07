// A unit-test double of the Realtime stand-in's media engine (test/realtime-stand-in/engine.ts):
// it records every call and answers with fixed SDP strings, keeping just enough state (sessions,
// their tracks and mids) for the HTTP half's checks and the answers' shapes. No media moves: the
// real engine is werift-engine.ts. Used to test the stand-in's validation, the Worker's client
// and its proxy, in Node and (as the engine behind vitest.config.ts's outbound stand-in) workerd.

import type { LocalTrack, MediaEngine, RemoteTrack, Sdp, SessionTrack, TrackResult } from "../realtime-stand-in/engine";

export const FIXED_ANSWER: Sdp = { type: "answer", sdp: "v=0\r\ns=engine-double-answer\r\n" };
export const FIXED_OFFER: Sdp = { type: "offer", sdp: "v=0\r\ns=engine-double-offer\r\n" };

export type EngineCall =
  | { op: "createSession"; sessionId: string }
  | { op: "applyOffer"; sessionId: string; offer: Sdp; tracks: LocalTrack[] }
  | { op: "pull"; sessionId: string; tracks: RemoteTrack[] }
  | { op: "applyAnswer"; sessionId: string; answer: Sdp }
  | { op: "close"; sessionId: string; mids: string[]; offer: Sdp | null };

export class RecordingEngineDouble implements MediaEngine {
  readonly calls: EngineCall[] = [];
  private readonly sessions = new Map<string, { tracks: SessionTrack[]; nextMid: number }>();

  async createSession(sessionId: string): Promise<void> {
    this.calls.push({ op: "createSession", sessionId });
    this.sessions.set(sessionId, { tracks: [], nextMid: 100 });
  }

  async applyOffer(sessionId: string, offer: Sdp, tracks: readonly LocalTrack[]): Promise<{ answer: Sdp; tracks: TrackResult[] }> {
    this.calls.push({ op: "applyOffer", sessionId, offer, tracks: [...tracks] });
    const s = this.session(sessionId);
    for (const t of tracks) s.tracks.push({ location: "local", mid: t.mid, trackName: t.trackName, status: "active" });
    return { answer: FIXED_ANSWER, tracks: tracks.map((t) => ({ mid: t.mid, trackName: t.trackName })) };
  }

  async pull(sessionId: string, tracks: readonly RemoteTrack[]): Promise<{ offer: Sdp | null; tracks: TrackResult[] }> {
    this.calls.push({ op: "pull", sessionId, tracks: [...tracks] });
    const s = this.session(sessionId);
    const out = tracks.map((t) => {
      const mid = String(s.nextMid++);
      s.tracks.push({ location: "remote", mid, trackName: t.trackName, sessionId: t.sessionId, status: "active" });
      return { mid, trackName: t.trackName, sessionId: t.sessionId };
    });
    return { offer: out.length > 0 ? FIXED_OFFER : null, tracks: out };
  }

  async applyAnswer(sessionId: string, answer: Sdp): Promise<void> {
    this.calls.push({ op: "applyAnswer", sessionId, answer });
    this.session(sessionId);
  }

  async close(sessionId: string, mids: readonly string[], offer: Sdp | null): Promise<{ answer: Sdp | null; tracks: TrackResult[] }> {
    this.calls.push({ op: "close", sessionId, mids: [...mids], offer });
    const s = this.session(sessionId);
    const closed = s.tracks.filter((t) => mids.includes(t.mid));
    for (const t of closed) t.status = "inactive";
    return { answer: offer ? FIXED_ANSWER : null, tracks: closed.map((t) => ({ mid: t.mid, trackName: t.trackName })) };
  }

  describe(sessionId: string): { connectionState: string; tracks: SessionTrack[] } | null {
    const s = this.sessions.get(sessionId);
    return s ? { connectionState: "connected", tracks: s.tracks.map((t) => ({ ...t })) } : null;
  }

  async shutdown(): Promise<void> {
    this.sessions.clear();
  }

  private session(sessionId: string) {
    const s = this.sessions.get(sessionId);
    if (!s) throw new Error(`engine double: no session ${sessionId}`);
    return s;
  }
}
