// The TransportStore port in memory: for unit tests of the room core, and the default of a
// RoomState built without durable storage.

import { DEFAULT_TRANSPORT, type RoomTransport, type TransportStore } from "../room/ports";

export class MemoryTransportStore implements TransportStore {
  value: RoomTransport = { ...DEFAULT_TRANSPORT };

  transport(): RoomTransport {
    return { ...this.value };
  }

  setTransport(t: RoomTransport): void {
    this.value = { ...t };
  }
}
