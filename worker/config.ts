// Room and Worker settings, read once from the environment (wrangler.toml [vars], .dev.vars,
// `wrangler secret`). Every value has a safe default, so a bare `wrangler dev` works.

import { DEFAULT_HEARTBEAT_MS, LIMITS, ROSTER_BATCH_MIN, SETTINGS_RANGES, TRANSPORT_SWITCH_MIN_MS } from "../protocol/protocol";
import { intVar } from "./env-vars";
import { realtimeSettings, type RealtimeVars } from "./realtime/realtime-settings";

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
  /** Chat messages a member may send per second once its burst is spent (default 1). */
  CHAT_PER_SECOND?: string;
  /** Chat messages a member may send in a burst (default 10). */
  CHAT_BURST?: string;
  /** `history` requests a member may make per second once its burst is spent (default 2). */
  HISTORY_PER_SECOND?: string;
  /** `history` requests a member may make in a burst (default 10: a rejoin's catch-up). */
  HISTORY_BURST?: string;
  /** Most chat messages a room keeps; the oldest go first (default 1000). */
  CHAT_MAX_MESSAGES?: string;
  /** Most bytes of chat (as JSON) a room keeps; the oldest go first (default 1 MiB). */
  CHAT_MAX_BYTES?: string;
  /** Most viewers on a stage (default 25: each speaker encodes a copy per viewer); the next one is told the stage is full. */
  STAGE_VIEWERS?: string;
  /**
   * With Cloudflare Realtime configured (issue #16): a meeting past this many members goes to the
   * SFU, and back at two fewer (default 6).
   */
  MESH_MAX?: string;
  /** With Realtime: most members in a meeting (default 50; without it ROOM_CAPACITY holds). */
  SFU_MEETING_MAX?: string;
  /** With Realtime: most viewers on a stage (default 1000; without it STAGE_VIEWERS holds). */
  SFU_STAGE_VIEWERS?: string;
  /** Shortest time between two switches of a room's transport, in milliseconds (default 10000). */
  TRANSPORT_SWITCH_MS?: string;
  /** Members a room must have before its roster changes are batched (default 48: past any mesh room). */
  ROSTER_BATCH_MIN?: string;
}

export interface RoomConfig {
  /** Most members in a meeting: with an SFU, SFU_MEETING_MAX; otherwise ROOM_CAPACITY (the mesh's). */
  capacity: number;
  /** Most viewers on a stage (its speakers are at most MAX_SPEAKERS besides): with an SFU, SFU_STAGE_VIEWERS; otherwise STAGE_VIEWERS. */
  stageViewers: number;
  /** The deployment has Cloudflare Realtime: rooms may switch to the SFU (room/features/transport.ts). */
  sfu: boolean;
  /** A meeting past this many members goes to the SFU (MESH_MAX). */
  meshMax: number;
  /** A stage past this many viewers goes to the SFU: the mesh's viewer limit (STAGE_VIEWERS). */
  meshViewers: number;
  /** The meeting's cap with an SFU (SFU_MEETING_MAX), told to clients either way. */
  sfuMeetingMax: number;
  /** Shortest time between two transport switches. */
  transportSwitchMs: number;
  /** Members a room must have before roster changes to them are batched (durable/roster-batcher.ts). */
  rosterBatchMin: number;
  maxFrameBytes: number;
  /** Chat messages replayed in `welcome`. */
  historyTail: number;
  /**
   * Bytes of chat (its messages as JSON) in one `history` reply or one `welcome` tail. The room
   * cannot see what a client has read (workerd has no `bufferedAmount`, cloudflare/workerd#988),
   * so what one reply may cost it is bounded here.
   */
  historyPageBytes: number;
  /** Per member: chat messages, and `history` requests (each may cost a page). */
  chatRate: { perSecond: number; burst: number };
  historyRate: { perSecond: number; burst: number };
  /** What a room keeps of its chat; past either, the oldest messages go. */
  chatCap: { messages: number; bytes: number };
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

export function roomConfig(env: Vars & RealtimeVars): RoomConfig {
  const sfu = realtimeSettings(env) !== null;
  const meshCapacity = intVar(env.ROOM_CAPACITY, 8, 2, 1000);
  // A mesh: every speaker uploads one copy per viewer, so the default is what an ordinary
  // uplink carries at audio and a low video rate (FEATURES.md §1). The range is the protocol's
  // (SETTINGS_RANGES.stageViewers); 0 makes a stage of speakers only.
  const meshViewers = intVar(env.STAGE_VIEWERS, 25, SETTINGS_RANGES.stageViewers[0], SETTINGS_RANGES.stageViewers[1]);
  // With the SFU each member uploads one copy, whoever watches; what bounds a room then is
  // Realtime's own limits and the room object's fan-out (docs/protocol.md, "Transport").
  const sfuMeetingMax = intVar(env.SFU_MEETING_MAX, 50, SETTINGS_RANGES.sfuMeetingMax[0], SETTINGS_RANGES.sfuMeetingMax[1]);
  const sfuStageViewers = intVar(env.SFU_STAGE_VIEWERS, 1000, SETTINGS_RANGES.stageViewers[0], SETTINGS_RANGES.stageViewers[1]);
  return {
    capacity: sfu ? sfuMeetingMax : meshCapacity,
    stageViewers: sfu ? sfuStageViewers : meshViewers,
    sfu,
    meshMax: intVar(env.MESH_MAX, 6, SETTINGS_RANGES.meshMax[0], SETTINGS_RANGES.meshMax[1]),
    meshViewers,
    sfuMeetingMax,
    transportSwitchMs: intVar(env.TRANSPORT_SWITCH_MS, TRANSPORT_SWITCH_MIN_MS, 0, 600_000),
    rosterBatchMin: intVar(env.ROSTER_BATCH_MIN, ROSTER_BATCH_MIN, 2, 1_000_000),
    // The platform delivers messages up to 32 MiB; a room has no use for frames past 1 MiB.
    maxFrameBytes: intVar(env.MAX_FRAME_BYTES, LIMITS.defaultMaxFrameBytes, 1024, 1024 * 1024),
    historyTail: LIMITS.historyPage,
    // A 4000-character message is at most ~24 KB as JSON (control characters escape to six
    // bytes), so a page always has room for at least two.
    historyPageBytes: 63 * 1024,
    chatRate: {
      perSecond: intVar(env.CHAT_PER_SECOND, 1, 1, 100_000),
      burst: intVar(env.CHAT_BURST, 10, 1, 100_000),
    },
    historyRate: {
      perSecond: intVar(env.HISTORY_PER_SECOND, 2, 1, 100_000),
      burst: intVar(env.HISTORY_BURST, 10, 1, 100_000),
    },
    // An object's storage is limited (and a full one stops chat for everyone): one room's chat
    // is bounded, whatever its members send. The byte cap is at least a page, so that the
    // newest message always fits.
    chatCap: {
      messages: intVar(env.CHAT_MAX_MESSAGES, 1000, 1, 1_000_000),
      bytes: intVar(env.CHAT_MAX_BYTES, 1024 * 1024, 64 * 1024, 1024 * 1024 * 1024),
    },
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
