// Stream ids for the negotiated data channels of our transfers to one peer (protocol/features/
// files.ts): even for the member whose id sorts first, odd for the other, so the two never pick
// the same one; taken round-robin so that a stream just closed (its SCTP reset may still be on
// its way) is not opened again at once.

import { FILE_CHANNEL_MAX } from "../../../../protocol/protocol";

export class ChannelIds {
  private readonly used = new Set<number>();
  private next: number;

  /** `parity` 0 or 1: ours (ours(selfId, peerId)). */
  constructor(private readonly parity: 0 | 1) {
    this.next = parity;
  }

  /** A free id of our parity, or null if every one is in use (512 transfers open with one peer). */
  take(): number | null {
    for (let tries = 0; tries <= FILE_CHANNEL_MAX; tries += 2) {
      const id = this.next;
      this.next = id + 2 > FILE_CHANNEL_MAX ? this.parity : id + 2;
      if (!this.used.has(id)) {
        this.used.add(id);
        return id;
      }
    }
    return null;
  }

  release(id: number): void {
    this.used.delete(id);
  }
}

/** Our parity with this peer. */
export const parityWith = (selfId: string, peerId: string): 0 | 1 => (selfId < peerId ? 0 : 1);
