// The receiving end of the app's test hook, for Playwright's addInitScript (so it runs in every
// page before the app). The room hands its session and media to `__roomlinkTestHook` when it
// mounts (null when it unmounts); this keeps them on `globalThis.roomlink`, where the tests and
// the benchmark read peer connections and stats. Production pages have no hook and expose nothing.
// Serialised into the page: it must not refer to anything outside itself.

export function installTestHook(): void {
  const g = globalThis as unknown as { __roomlinkTestHook?: (handle: unknown) => void; roomlink?: unknown };
  g.__roomlinkTestHook = (handle) => {
    g.roomlink = handle ?? undefined;
  };
}
