// The recordings this page offers to save: ours as each stops, and those an earlier page left in
// the browser's storage (listLeftovers). A page-wide list, not the session's: leaving the room
// stops the recorder, and its file must still be offered on the screen that follows.

import { Emitter } from "../../engine/emitter";
import type { LeftoverRecording, RecorderFailure, SavedRecording } from "../../engine/recording/contract";

export interface OfferedRecording {
  key: string;
  name: string;
  bytes: number;
  /** Unknown for a leftover (it may have been cut off mid-recording). */
  durationMs: number | null;
  /** "opfs": kept in the browser until deleted; "picked": already in the file the person chose. */
  where: "opfs" | "picked";
  /** Why it stopped by itself, if it did (no space, the disk too slow…). */
  reason: RecorderFailure | null;
  leftover: boolean;
  file(): Promise<File>;
  /** Frees the browser's copy; nothing for a picked file. */
  discard(): Promise<void>;
}

export class OfferedRecordings extends Emitter<{ change: readonly OfferedRecording[] }> {
  state: readonly OfferedRecording[] = [];
  private keys = 0;
  private leftoversAsked = false;

  /** One of ours has stopped: offered first. */
  offer(saved: SavedRecording, reason: RecorderFailure | null): void {
    const item: OfferedRecording = {
      key: `rec-${++this.keys}`,
      name: saved.name,
      bytes: saved.bytes,
      durationMs: saved.durationMs,
      where: saved.where,
      reason,
      leftover: false,
      file: async () => saved.file,
      discard: () => saved.discard(),
    };
    this.set([item, ...this.state]);
  }

  /** Once per page: what earlier pages left, offered after ours. */
  async findLeftovers(list: () => Promise<LeftoverRecording[]>): Promise<void> {
    if (this.leftoversAsked) return;
    this.leftoversAsked = true;
    let found: LeftoverRecording[];
    try {
      found = await list();
    } catch {
      // No storage to look in (a private window may refuse it): nothing to offer.
      return;
    }
    const known = new Set(this.state.map((r) => r.name));
    const added = found
      .filter((l) => !known.has(l.name))
      .map((l): OfferedRecording => ({ key: `rec-${++this.keys}`, name: l.name, bytes: l.bytes, durationMs: null, where: "opfs", reason: null, leftover: true, file: () => l.file(), discard: () => l.discard() }));
    if (added.length > 0) this.set([...this.state, ...added]);
  }

  /** Deletes the browser's copy and forgets it; a picked file is only forgotten (it is the person's). */
  async remove(key: string): Promise<void> {
    const item = this.state.find((r) => r.key === key);
    if (!item) return;
    this.set(this.state.filter((r) => r.key !== key));
    // Already off the list: a copy that will not go is found again as a leftover next time.
    await item.discard().catch(() => {});
  }

  private set(list: readonly OfferedRecording[]) {
    this.state = list;
    this.emit("change", list);
  }
}

/** This page's list. */
export const offeredRecordings = new OfferedRecordings();
