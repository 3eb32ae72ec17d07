// When an installed update may take over, and when the page then reloads: pure, unit-tested
// (test/unit/shell-update-policy.test.ts); register.ts and call-lock.ts carry it out.
//
// Activating a new worker deletes the old build's cache, and after a deploy the old build's files
// are gone from the network too (hive-pal#227). A page still running the old build then fails at
// its next lazily loaded file: the recorder's worker, fix-webm-duration, the ru/ky catalogs. So an
// update takes over only when no tab could need one: none in a call, and none elsewhere than the
// landing page (a pre-join screen, the "You left" notice, /check), since those pages cannot be
// reloaded without losing something. The landing page can: a stale one reloads at once.
//
// A page elsewhere than the landing page holds an update off even when the new build happens to
// keep its files: which files a later build keeps is not known ahead, and a hold must be taken
// before the update arrives (another tab lets it in without asking this one).

/** Which page the app shows, as far as updates care. */
export type ShellPage = "landing" | "room" | "check";

/** Whether this tab holds updates off (call-lock.ts): in a call, or away from the landing page. */
export const holdsUpdates = (facts: { page: ShellPage; callInProgress: boolean }): boolean => facts.callInProgress || facts.page !== "landing";

/** Whether a waiting worker may be asked to take over now, as far as this tab knows. */
export const mayActivate = (facts: { waiting: boolean; heldHere: boolean }): boolean => facts.waiting && !facts.heldHere;

/**
 * Whether the page reloads to run the new build, once it has taken over.
 * - `stale`: the page runs code the new build no longer holds (a page already loaded from the
 *   new build has nothing to gain);
 * - the landing page is the one place with nothing to lose: a room page may be a pre-join screen
 *   with a name typed and a camera on, or the "You left" notice; /check holds its results.
 * A stale page elsewhere (an update let in by a browser without Web Locks, which cannot see other
 * tabs' holds) reloads when it next comes to the landing page.
 */
export const shouldReload = (facts: { stale: boolean; page: ShellPage; callInProgress: boolean }): boolean =>
  facts.stale && facts.page === "landing" && !facts.callInProgress;
