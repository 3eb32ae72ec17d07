import type { Vars } from "./config";
import type { RoomDO } from "./durable/room-do";
import type { RealtimeVars } from "./realtime/realtime-settings";
import type { TurnVars } from "./turn/ice-settings";

/** Everything the Worker and the room object receive from the runtime. */
export interface Env extends Vars, TurnVars, RealtimeVars {
  ROOMS: DurableObjectNamespace<RoomDO>;
  ASSETS: Fetcher;
  /** Room sockets opened per client IP. */
  JOIN_LIMITER: RateLimit;
  /** Rooms created per client IP. */
  CREATE_LIMITER: RateLimit;
  /** Voice recordings, under vm/<room>/<key> (storage/voice-bucket.ts). */
  VOICE: R2Bucket;
  /** Files relayed on the SFU, under fr/<room>/<key> (storage/file-bucket.ts). */
  FILES: R2Bucket;
}
