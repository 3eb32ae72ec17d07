// What every transfer shows on its card, whichever way its bytes travel (a data channel on the
// mesh, the room's bucket on the SFU): its status, progress and how it ended, with "change"
// whenever one of them moves. The four kinds of transfer (incoming.ts, outgoing.ts and their
// relay-*.ts twins) differ in everything else.

import { Emitter } from "../emitter";
import type { FileEnd } from "../features/files-view";
import type { Progress } from "./progress";

export abstract class TransferCard<Status extends string> extends Emitter<{ change: void }> {
  protected statusValue: Status;
  protected progressValue: Progress | null = null;
  protected endValue: FileEnd | null = null;

  constructor(initial: Status) {
    super();
    this.statusValue = initial;
  }

  get status(): Status {
    return this.statusValue;
  }
  get progress(): Progress | null {
    return this.progressValue;
  }
  get end(): FileEnd | null {
    return this.endValue;
  }
  /** Over, whole or not: nothing more will happen to it. */
  get final(): boolean {
    return this.statusValue === "done" || this.statusValue === "failed";
  }

  protected set(status: Status): void {
    this.statusValue = status;
    this.emit("change", undefined);
  }
}
