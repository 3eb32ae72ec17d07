// The ModeStore port in memory: for unit tests of the room core, and the default of a RoomState
// built without durable storage.

import { DEFAULT_MODE, type ModeStore, type RoomMode } from "../room/ports";

export class MemoryModeStore implements ModeStore {
  value: RoomMode = { ...DEFAULT_MODE };

  mode(): RoomMode {
    return { ...this.value };
  }

  setMode(mode: RoomMode): void {
    this.value = { ...mode };
  }
}
