// Room and Worker settings, read once from the environment (wrangler.toml [vars], .dev.vars,
// `wrangler secret`). Every value has a safe default, so a bare `wrangler dev` works.

import { LIMITS } from "../protocol/protocol";

/** The plain-text settings ([vars]); bindings are added in env.ts. */
export interface Vars {
  /** Most peers in one room (default 8: a full mesh beyond that overloads ordinary uplinks). */
  ROOM_CAPACITY?: string;
  /** Largest accepted frame in bytes (default 64 KiB). */
  MAX_FRAME_BYTES?: string;
  /** Frames a socket may send per second once its burst is spent (default 50). */
  RATE_PER_SECOND?: string;
  /** Frames a socket may send in a burst (default 200: a joiner's offers and ICE candidates to 7 peers). */
  RATE_BURST?: string;
  /** Comma-separated extra origins allowed to open room sockets, e.g. a Pages deploy of web/. */
  ALLOWED_ORIGINS?: string;
}

export interface RoomConfig {
  capacity: number;
  maxFrameBytes: number;
  /** Chat messages replayed in `welcome`. */
  historyTail: number;
  heartbeatMs: number;
  rate: { perSecond: number; burst: number };
  /** Frames dropped for rate before the socket is closed (forgiven at one per second). */
  maxDropped: number;
  /** Invalid frames a socket may send before it is closed. */
  maxInvalidFrames: number;
}

function intIn(raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined || raw.trim() === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) return fallback;
  return n;
}

export function roomConfig(env: Vars): RoomConfig {
  return {
    capacity: intIn(env.ROOM_CAPACITY, 8, 2, 1000),
    // workerd refuses WebSocket messages above 1 MiB anyway; stay under it.
    maxFrameBytes: intIn(env.MAX_FRAME_BYTES, LIMITS.defaultMaxFrameBytes, 1024, 1024 * 1024),
    historyTail: LIMITS.historyPage,
    heartbeatMs: 10_000,
    rate: {
      perSecond: intIn(env.RATE_PER_SECOND, 50, 1, 100_000),
      burst: intIn(env.RATE_BURST, 200, 1, 1_000_000),
    },
    maxDropped: 100,
    maxInvalidFrames: 20,
  };
}
