// What the UI sees of presence in the call (features/presence.ts owns it): who is speaking, who
// is the active speaker, and how good each connection is. Audio levels change every 100 ms, too
// often for the whole snapshot: they have their own feed (LevelFeed), which a mic icon subscribes to.
//
// CONTRACT (session 6): the types here are fixed for the engine and the UI to build against.

/** 5 best … 0 worst (Jitsi's loss steps ≤2, 4, 6, 8, 12 %, tempered by RTT and jitter; quality.ts). */
export type QualityGrade = 0 | 1 | 2 | 3 | 4 | 5;

/** Why the browser sends less than it could (outbound-rtp.qualityLimitationReason of our video). */
export type Limitation = "none" | "cpu" | "bandwidth" | "other";

/** How the connection's selected candidate pair travels. */
export interface Route {
  /** Either end is a TURN relay candidate. */
  relay: boolean;
  /** The relay's protocol to the TURN server (local relay candidate's relayProtocol), if ours is relayed. */
  relayProtocol: "udp" | "tcp" | "tls" | null;
}

/** One connection, from the last two stats polls (every 2 s). Null: not known (yet, or not in this browser). */
export interface LinkQuality {
  grade: QualityGrade;
  /** Round trip of the selected candidate pair (currentRoundTripTime), ms. */
  rttMs: number | null;
  /** Loss of what they send us (inbound-rtp, over the last interval), percent. */
  lossInPct: number | null;
  /** Loss of what we send them, as they report it (remote-inbound-rtp, last interval), percent. */
  lossOutPct: number | null;
  /** Inbound jitter, the worst of audio and video, ms. */
  jitterMs: number | null;
  /** Bitrate each way over the last interval (all RTP), kbit/s. */
  kbpsIn: number | null;
  kbpsOut: number | null;
  /** Why our video to them is limited. */
  limitation: Limitation | null;
  route: Route | null;
  /** A hint for people, the worst thing first; the UI words it (i18n key `quality.hint.<hint>`). */
  hint: QualityHint | null;
}

export type QualityHint = "cpu" | "bandwidth" | "loss" | "rtt" | "jitter" | "relay";

/** This device's side, summarised over its links for the controls bar. */
export interface OwnQuality {
  /** The worst grade over our connections. */
  grade: QualityGrade;
  /** Total upload and download, kbit/s. */
  kbpsOut: number;
  kbpsIn: number;
  limitation: Limitation | null;
  /** Any of our connections goes through the relay. */
  relayed: boolean;
  hint: QualityHint | null;
}

export interface PresenceView {
  /** Peer ids speaking now (hysteresis applied), ours (selfId) included. */
  speaking: readonly string[];
  /** The remote person shown large in a speaker layout: the last to speak, held ≥ ACTIVE_HOLD_MS; never us. */
  activeSpeaker: string | null;
  /** Per remote peer id. */
  quality: Readonly<Record<string, LinkQuality>>;
  own: OwnQuality | null;
}

export const NO_PRESENCE: PresenceView = { speaking: [], activeSpeaker: null, quality: {}, own: null };

/** Audio levels 0..1 by peer id (ours under selfId), every LEVEL_INTERVAL_MS while subscribed. */
export interface LevelFeed {
  subscribe(fn: (levels: ReadonlyMap<string, number>) => void): () => void;
}

export const LEVEL_INTERVAL_MS = 100;

/** A reaction on screen (features/reactions.ts owns `state.reactions`). */
export interface ReactionItem {
  /** Unique on this device, for keys and removal. */
  key: string;
  from: string;
  code: import("../../../../protocol/features/reactions").ReactionCode;
  /** When it arrived, this device's performance.now(); shown for REACTION_SHOW_MS. */
  at: number;
}

export const REACTION_SHOW_MS = 4_000;
