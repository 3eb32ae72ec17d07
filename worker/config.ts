// Room and Worker settings, read once from the environment (wrangler.toml [vars], .dev.vars,
// `wrangler secret`). Every value has a safe default, so a bare `wrangler dev` works.

import { DEFAULT_HEARTBEAT_MS, LIMITS } from "../protocol/protocol";
import { intVar } from "./env-vars";

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
  /** "on" exposes GET /api/rooms/:id/stats (how often the room's code ran), for the benchmark. */
  STATS_ROUTE?: string;
  /** Each member's total upload budget in kbps, shared by its copies in the mesh (default 2500). */
  UPLOAD_BUDGET_KBPS?: string;
  /** Seconds a member whose socket dropped keeps its seat, so that it can resume (default 20). */
  RESUME_GRACE_SECONDS?: string;
  /** Hours an empty room keeps its chat history (default 24). */
  CHAT_RETENTION_HOURS?: string;
  /** Seconds without a heartbeat after which a socket is presumed dead and closed (default 30). */
  STALE_SOCKET_SECONDS?: string;
  /**
   * Seconds between the alarm's checks for dead sockets while a room has any (default 600). A
   * room that runs for a frame also checks on the way, at most once per stale period.
   */
  PRUNE_INTERVAL_SECONDS?: string;
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
  uploadBudgetKbps: number;
  graceMs: number;
  retentionMs: number;
  staleMs: number;
  pruneIntervalMs: number;
}

export function roomConfig(env: Vars): RoomConfig {
  return {
    capacity: intVar(env.ROOM_CAPACITY, 8, 2, 1000),
    // workerd refuses WebSocket messages above 1 MiB anyway; stay under it.
    maxFrameBytes: intVar(env.MAX_FRAME_BYTES, LIMITS.defaultMaxFrameBytes, 1024, 1024 * 1024),
    historyTail: LIMITS.historyPage,
    // Clients ping at least this often (the web app every 2.5 s) and call the socket dead after
    // heartbeat + 1 s of silence, so a frozen connection is noticed within 6–9 s. The runtime
    // answers; the room does not wake.
    heartbeatMs: DEFAULT_HEARTBEAT_MS,
    rate: {
      perSecond: intVar(env.RATE_PER_SECOND, 50, 1, 100_000),
      burst: intVar(env.RATE_BURST, 200, 1, 1_000_000),
    },
    maxDropped: 100,
    maxInvalidFrames: 20,
    uploadBudgetKbps: intVar(env.UPLOAD_BUDGET_KBPS, 2500, 100, 100_000),
    graceMs: intVar(env.RESUME_GRACE_SECONDS, 20, 0, 3600) * 1000,
    retentionMs: intVar(env.CHAT_RETENTION_HOURS, 24, 0, 24 * 365) * 3_600_000,
    staleMs: intVar(env.STALE_SOCKET_SECONDS, 30, 1, 3600) * 1000,
    // The alarm's check for dead sockets: rare, because an idle room should cost (next to)
    // nothing. A room that runs anyway checks on the way (see RoomDO.pruneStale).
    pruneIntervalMs: intVar(env.PRUNE_INTERVAL_SECONDS, 600, 10, 3600) * 1000,
  };
}
