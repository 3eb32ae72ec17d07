// "A call is in progress", known across the app's tabs: each tab in a call holds a shared Web
// Lock, and an update asks for the same lock exclusively, without waiting (ifAvailable), so it
// gets it only when no tab of this app is in a call, and a tab that joins meanwhile waits the
// few milliseconds the update holds it (its call goes on; only the lock's bookkeeping waits).
// Without Web Locks (older browsers), this tab's own calls are all it knows.

const LOCK = "roomlink-call";

let calls = 0;

/** Held from joining a room until leaving it; returns the release. */
export function holdCall(onReleased?: () => void): () => void {
  calls++;
  let release: (() => void) | null = null;
  let released = false;
  if (navigator.locks) {
    void navigator.locks.request(LOCK, { mode: "shared" }, () => new Promise<void>((resolve) => {
      release = resolve;
      if (released) resolve();
    }));
  }
  return () => {
    if (released) return;
    released = true;
    calls--;
    (release as (() => void) | null)?.();
    onReleased?.();
  };
}

/** Whether this tab is in a call. */
export const inCallHere = (): boolean => calls > 0;

/**
 * Runs `fn` if no tab of the app is in a call, holding off new calls' locks while it runs; false
 * (and `fn` not run) if one is.
 */
export async function whenNoCall(fn: () => Promise<void> | void): Promise<boolean> {
  if (inCallHere()) return false;
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
