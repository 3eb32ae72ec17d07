// How much each outgoing video may use. In a full mesh every sender encodes one copy per peer,
// so without a budget a six-person room saturates an ordinary 3–5 Mbps uplink and a phone's
// CPU. The budget is for everything a device uploads; audio is set aside first (it is cheap and
// matters most), video shares the rest, and the resolution and frame rate follow the bitrate so
// that the encoder is not asked to squeeze 640×360 at 30 fps into 100 kbps. Pure.

export interface BudgetInput {
  /** Total upload for this device, bits per second. */
  budgetBps: number;
  /** Remote peers, i.e. copies of each stream. */
  peers: number;
  /** Sharing a screen as well as the camera. */
  screen: boolean;
  /**
   * Of those copies, how many carry no camera video (a stage's viewers past our budget, see
   * stage-tiers.ts): each costs its audio and, when sharing, a low-rate screen; the others share
   * the rest. None in a meeting.
   */
  audioOnly?: number;
}

export interface EncodingCap {
  maxBitrate: number;
  scaleResolutionDownBy: number;
  maxFramerate: number;
}

export interface PeerCaps {
  camera: EncodingCap;
  screen: EncodingCap | null;
  audio: { maxBitrate: number };
}

/** Opus speech is clear at 32 kbps; it is never squeezed below that. */
export const AUDIO_BPS = 32_000;
/** Below this a video copy is not worth sending well; it is still sent, small and slow. */
const FLOOR_BPS = 50_000;
/** The screen an audio-only stage viewer gets: readable slides, not motion. */
export const LOW_SCREEN: EncodingCap = { maxBitrate: 150_000, scaleResolutionDownBy: 1, maxFramerate: 5 };

function cameraCap(bps: number): EncodingCap {
  // For a 640×360 capture: full size from 600 kbps, down to a third at the bottom.
  const scale = bps >= 600_000 ? 1 : bps >= 300_000 ? 1.5 : bps >= 150_000 ? 2 : 3;
  const fps = bps >= 250_000 ? 24 : 15;
  return { maxBitrate: Math.floor(bps), scaleResolutionDownBy: scale, maxFramerate: fps };
}

export function peerCaps({ budgetBps, peers, screen, audioOnly = 0 }: BudgetInput): PeerCaps {
  const n = Math.max(1, peers);
  const reserved = AUDIO_BPS * n + (screen ? LOW_SCREEN.maxBitrate * audioOnly : 0);
  const videoPerPeer = Math.max(FLOOR_BPS, (budgetBps - reserved) / Math.max(1, n - audioOnly));
  if (!screen) return { camera: cameraCap(videoPerPeer), screen: null, audio: { maxBitrate: AUDIO_BPS } };
  // A shared screen is what people look at: it gets two thirds, at full resolution (text must stay
  // sharp) and a low frame rate; the camera shrinks to a thumbnail.
  const screenBps = Math.floor(Math.max(FLOOR_BPS, videoPerPeer * (2 / 3)));
  return {
    camera: cameraCap(Math.max(FLOOR_BPS, videoPerPeer - screenBps)),
    screen: { maxBitrate: screenBps, scaleResolutionDownBy: 1, maxFramerate: 8 },
    audio: { maxBitrate: AUDIO_BPS },
  };
}

/** The caps of a copy without camera video (its camera sender has no track; the cap is moot). */
export function audioOnlyCaps(screen: boolean): PeerCaps {
  return { camera: cameraCap(FLOOR_BPS), screen: screen ? LOW_SCREEN : null, audio: { maxBitrate: AUDIO_BPS } };
}

/** Scales a cap down for one link that is struggling (0 < factor ≤ 1). */
export function scaleCap(cap: EncodingCap, factor: number, kind: "camera" | "screen"): EncodingCap {
  if (factor >= 1) return cap;
  const bps = Math.max(FLOOR_BPS, cap.maxBitrate * factor);
  // A screen keeps its full resolution and low frame rate; only its bitrate goes down.
  return kind === "screen" ? { ...cap, maxBitrate: Math.floor(bps) } : cameraCap(bps);
}

/**
 * A link's quality factor, from the receiver's reports about what we send: sustained loss or a
 * long round trip steps it down by 30 %, two good reports in a row step it back up by 10 %.
 */
export class LinkQuality {
  private factorValue = 1;
  private bad = 0;
  private good = 0;

  get factor(): number {
    return this.factorValue;
  }

  /** One report: fraction of packets lost (0..1) and round-trip time in seconds. Returns true if the factor changed. */
  report(fractionLost: number, rttSeconds: number): boolean {
    const struggling = fractionLost > 0.05 || rttSeconds > 0.4;
    if (struggling) {
      this.good = 0;
      if (++this.bad >= 2 && this.factorValue > 0.3) {
        this.bad = 0;
        this.factorValue = Math.max(0.3, this.factorValue * 0.7);
        return true;
      }
      return false;
    }
    this.bad = 0;
    if (++this.good >= 2 && this.factorValue < 1) {
      this.good = 0;
      this.factorValue = Math.min(1, this.factorValue * 1.1);
      return true;
    }
    return false;
  }
}
