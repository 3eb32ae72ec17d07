// When an installed update may take over, and when the page then reloads: pure, unit-tested
// (test/unit/shell-update-policy.test.ts); register.ts carries it out.
//
// An update is applied only outside a call (hive-pal#227): activating a new worker mid-call
// would drop the old build's files from the cache while the call's page may still load one of
// them. A reload is worse: it ends the call. So a page reloads only where it loses nothing.

/** Which page the app shows, as far as updates care. */
export type ShellPage = "landing" | "room" | "check";

/** Whether a waiting worker may be asked to take over now. */
export const mayActivate = (facts: { waiting: boolean; callInProgress: boolean }): boolean => facts.waiting && !facts.callInProgress;

/**
 * Whether the page reloads to run the new build, once it has taken over.
 * - `stale`: the page runs code the new build no longer holds (a page already loaded from the
 *   new build has nothing to gain);
 * - the landing page is the one place with nothing to lose: a room page may be a pre-join screen
 *   with a name typed and a camera on, or the "You left" notice; /check holds its results.
 * A stale page elsewhere reloads when it next comes to the landing page.
 */
export const shouldReload = (facts: { stale: boolean; page: ShellPage; callInProgress: boolean }): boolean =>
  facts.stale && facts.page === "landing" && !facts.callInProgress;
