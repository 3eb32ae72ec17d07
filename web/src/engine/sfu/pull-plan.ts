// What to pull and what to let go, from everyone's announced publications and what we pull now.
// Pure: the transport runs the plan (sfu-connection.ts) and keeps the result.
//
// A track is known by (its session, its name): a publisher that starts a new session (after an ICE
// failure it could not restart) announces new pairs, and its old ones are let go. A camera pulled
// at another layer than the one now preferred is pulled again at the new one and the old pull is
// closed after, so that its tile never goes blank in between.

import type { SfuPublication, SfuTrackRole } from "../../../../protocol/features/transport";
import type { PullItem } from "./sfu-connection";
import type { Layers } from "./layer-choice";

export interface PulledTrack {
  peerId: string;
  role: SfuTrackRole;
  sessionId: string;
  trackName: string;
  /** The layer asked for; null without simulcast. */
  rid: string | null;
  mid: string;
}

export interface WantedPull extends PullItem {
  peerId: string;
  role: SfuTrackRole;
  rid: string | null;
}

export interface PullPlan {
  add: WantedPull[];
  /** Mids to close: pulls nobody announces any more, and those a new layer replaces. */
  close: string[];
}

export const trackKey = (sessionId: string, trackName: string) => `${sessionId}\u0000${trackName}`;

/**
 * `choose(peerId, layers, current)`: the layer to pull of a simulcast camera. `skip(key)`: a pull
 * that failed a moment ago and waits before it is tried again.
 */
export function planPulls(
  publications: ReadonlyMap<string, SfuPublication>,
  pulled: readonly PulledTrack[],
  choose: (peerId: string, layers: Layers, current: string | null) => string | null,
  skip: (key: string) => boolean = () => false,
): PullPlan {
  const add: WantedPull[] = [];
  const keep = new Set<string>();
  for (const [peerId, publication] of publications) {
    for (const track of publication.tracks) {
      const key = trackKey(publication.session, track.name);
      const now = pulled.find((p) => trackKey(p.sessionId, p.trackName) === key);
      const rids = track.role === "camera" ? (track.rids ?? []) : [];
      const rid = rids.length > 0 ? choose(peerId, { rids, topHeight: track.height ?? null }, now?.rid ?? null) : null;
      if (now && now.rid === rid) {
        keep.add(now.mid);
        continue;
      }
      if (skip(key)) {
        // Tried and failed a moment ago: whatever we still have of it stays meanwhile.
        if (now) keep.add(now.mid);
        continue;
      }
      add.push({ peerId, role: track.role, sessionId: publication.session, trackName: track.name, rid, ...(rid !== null ? { preferredRid: rid } : {}) });
    }
  }
  const close = pulled.filter((p) => !keep.has(p.mid)).map((p) => p.mid);
  return { add, close };
}
