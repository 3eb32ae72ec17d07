// Spare block buffers on the receiving side. A verified block's buffer moves to the OPFS worker
// for its write and comes back with the reply (opfs-worker.ts); kept here, it assembles a later
// block instead of being dropped while a fresh one is allocated for the next. A transfer keeps
// both of this machine's two cores busy, and the browser's network threads get what the page
// leaves them, so each 1 MiB allocation (zeroed, then written page by page) and its collection
// is CPU taken from them. At most SPARE_BUFFERS are kept, whatever the number of transfers.

export const SPARE_BUFFERS = 4;

const spares: ArrayBuffer[] = [];

/** A buffer of exactly `bytes`: a spare one if there is, its old contents still in it, or a new one. */
export function takeBuffer(bytes: number): Uint8Array<ArrayBuffer> {
  const i = spares.findIndex((b) => b.byteLength === bytes);
  return i >= 0 ? new Uint8Array(spares.splice(i, 1)[0]!) : new Uint8Array(bytes);
}

/** Keeps `buffer` for a later takeBuffer(); its giver must hold no reference to it. */
export function giveBuffer(buffer: ArrayBuffer): void {
  // A detached buffer has no bytes left to lend.
  if (buffer.byteLength === 0 || spares.length >= SPARE_BUFFERS) return;
  spares.push(buffer);
}

/** Tests only. */
export const spareCount = (): number => spares.length;
/** Tests only. */
export const dropSpares = (): void => void spares.splice(0);
