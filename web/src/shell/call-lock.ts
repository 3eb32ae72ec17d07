// "An update must wait", known across the app's tabs: each tab with something an update would
// hurt (a call in progress, or a page other than the landing page: update-policy.ts) holds a
// shared Web Lock, and an update asks for the same lock exclusively, without waiting
// (ifAvailable), so it gets it only when no tab of this app holds it. A hold taken while an update
// has the lock only queues its request: the tab goes on meanwhile (register.ts bounds how long an
// update keeps the lock). Without Web Locks (older browsers), this tab's own holds are all it knows.

const LOCK = "roomlink-hold-updates";

let holds = 0;

/**
 * Held while this tab has something an update would hurt. Returns the release, which resolves once
 * the lock is given back: the Web Lock goes some turns after its callback's promise settles, and
 * an update offered before then would find this tab's own hold still there.
 */
export function holdOffUpdates(): () => Promise<void> {
  holds++;
  let release: (() => void) | null = null;
  let released = false;
  const held = navigator.locks
    ? navigator.locks.request(LOCK, { mode: "shared" }, () => new Promise<void>((resolve) => {
        release = resolve;
        if (released) resolve();
      }))
    : Promise.resolve();
  return () => {
    if (!released) {
      released = true;
      holds--;
      (release as (() => void) | null)?.();
    }
    return held.then(() => undefined, () => undefined);
  };
}

/** Whether this tab holds updates off. */
export const heldHere = (): boolean => holds > 0;

/**
 * Runs `fn` if no tab of the app holds updates off, holding the lock exclusively while it runs;
 * false (and `fn` not run) if one does.
 */
export async function whenNotHeld(fn: () => Promise<void> | void): Promise<boolean> {
  if (heldHere()) return false;
  if (!navigator.locks) {
    await fn();
    return true;
  }
  return navigator.locks.request(LOCK, { mode: "exclusive", ifAvailable: true }, async (lock) => {
    if (!lock) return false;
    await fn();
    return true;
  });
}
