// What exists only while an id names a room: its core over SQLite, its sockets, its alarm, the
// cool-downs, its ICE credentials, its voice recordings and its SFU proxy. Built when the room object is constructed over an existing
// room, or when `POST /api/rooms` creates one; dropped when the room is deleted.

import type { RoomConfig } from "../config";
import type { Env } from "../env";
import { newKey, newPeerId, newResumeToken } from "../ids";
import { RealtimeClient } from "../realtime/realtime-client";
import { realtimeSettings, type RealtimeSettings } from "../realtime/realtime-settings";
import { SfuProxy } from "../realtime/sfu-proxy";
import { RoomCore } from "../room/core";
import { HANDLERS } from "../room/handlers";
import { SqliteAccessStore } from "../storage/access-sqlite";
import { SqliteChatLog } from "../storage/chat-log-sqlite";
import { SqliteCooldowns } from "../storage/cooldowns-sqlite";
import { SqliteMemberStore } from "../storage/member-store-sqlite";
import { SqliteModeStore } from "../storage/mode-sqlite";
import { SqliteSfuSessions } from "../storage/sfu-sessions-sqlite";
import { SqliteTransportStore } from "../storage/transport-sqlite";
import { migrateRoomSchema } from "../storage/schema";
import { SqliteIssuedCredentials } from "../storage/turn-issued-sqlite";
import { FileBucket } from "../storage/file-bucket";
import { SqliteFileRelayStore } from "../storage/file-relay-sqlite";
import { VoiceBucket } from "../storage/voice-bucket";
import { SqliteVoiceStore } from "../storage/voice-sqlite";
import { IceIssuer } from "../turn/ice-issuer";
import { iceSettings } from "../turn/ice-settings";
import { ROSTER_BATCH_MAX, ROSTER_BATCH_MS } from "../../protocol/protocol";
import { AlarmClock } from "./alarm-clock";
import { FanOut } from "./fan-out";
import { SocketRegistry } from "./sockets";

export interface LiveRoom {
  core: RoomCore;
  sockets: SocketRegistry;
  /** Every frame the room sends, roster changes batched in large rooms (fan-out.ts). */
  fanOut: FanOut;
  alarmClock: AlarmClock;
  cooldowns: SqliteCooldowns;
  issuer: IceIssuer;
  /** The room's recordings in R2 (vm/<room>/). */
  voice: VoiceBucket;
  /** The room's relayed files in R2 (fr/<room>/). */
  files: FileBucket;
  /** The SFU proxy's routes (realtime/sfu-proxy.ts); null when the deployment has no Realtime. */
  sfu: SfuProxy | null;
}

/**
 * Builds the live room over its tables, creating or upgrading them (schema.ts). `nextAlarm` says
 * when the room's one alarm should fire next.
 */
export function openLiveRoom(ctx: DurableObjectState, env: Env, config: RoomConfig, nextAlarm: () => number | null): LiveRoom {
  const { storage } = ctx;
  const schema = migrateRoomSchema(storage.sql, (run) => storage.transactionSync(run));
  // The name the Worker gave the object (idFromName): the room id its links and URLs carry.
  const room = ctx.id.name ?? ctx.id.toString();
  const realtime = realtimeSettings(env);
  // One store of SFU sessions for the proxy (which binds them) and the room (whose members announce tracks on them).
  const sfuSessions = realtime ? new SqliteSfuSessions(storage.sql) : null;
  const core = new RoomCore(
    config,
    new SqliteChatLog(storage.sql, schema),
    new SqliteMemberStore(storage.sql, schema),
    { room, now: Date.now, newToken: newResumeToken, newPeerId, newKey },
    HANDLERS,
    new SqliteAccessStore(storage.sql, schema),
    new SqliteModeStore(storage.sql, schema),
    new SqliteVoiceStore(storage.sql, schema),
    new SqliteTransportStore(storage.sql, schema),
    sfuSessions,
    new SqliteFileRelayStore(storage.sql, schema),
  );
  const sockets = new SocketRegistry(ctx.getWebSockets());
  core.restore(sockets.connected(), sockets.knocking());
  return {
    core,
    sockets,
    fanOut: new FanOut(sockets, { min: config.rosterBatchMin, windowMs: ROSTER_BATCH_MS, max: ROSTER_BATCH_MAX }),
    // A new room has never set an alarm: no need to read it before setting the first.
    alarmClock: new AlarmClock(storage, schema.fresh, nextAlarm),
    cooldowns: new SqliteCooldowns(storage.sql),
    // Issued usernames are kept in SQLite, so that a member who leaves after the room slept is still revoked.
    issuer: new IceIssuer(iceSettings(env), room, { now: Date.now, issued: new SqliteIssuedCredentials(storage.sql) }),
    voice: new VoiceBucket(env.VOICE, room),
    files: new FileBucket(env.FILES, room),
    sfu: realtime && sfuSessions ? sfuProxy(realtime, core, sfuSessions) : null,
  };
}

function sfuProxy(settings: RealtimeSettings, core: RoomCore, sessions: SqliteSfuSessions): SfuProxy {
  return new SfuProxy({
    client: new RealtimeClient(settings),
    sessions,
    caller: (token) => core.sfuCaller(token),
    isMember: (id) => core.has(id),
    now: Date.now,
  });
}
