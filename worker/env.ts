import type { Vars } from "./config";
import type { RoomDO } from "./room-do";

/** Everything the Worker and the room object receive from the runtime. */
export interface Env extends Vars {
  ROOMS: DurableObjectNamespace<RoomDO>;
  ASSETS: Fetcher;
}
