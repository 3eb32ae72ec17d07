// The page's side of the service worker (sw/service-worker.ts): registers it in a production
// build, and applies an update only when the policy allows (update-policy.ts): a new worker
// installs in the background and waits; it is asked to take over when no tab holds updates off
// (at start, when a call ends, when a page comes back to the landing page, or as soon as it has
// installed), and the page reloads only where that loses nothing.

import { heldHere, holdOffUpdates, whenNotHeld } from "./call-lock";
import { holdsUpdates, mayActivate, shouldReload, type ShellPage } from "./update-policy";

/** How long a worker has to answer "holds", and to activate once asked to take over. */
export const ANSWER_MS = 2000;
export const SWITCH_MS = 10_000;

let registration: ServiceWorkerRegistration | null = null;
let page: ShellPage = "landing";
/** Calls in progress in this tab (a room page's, joined or waiting to be let in). */
let calls = 0;
/** Releases this tab's hold on updates, while it has one (updateHold). */
let release: (() => Promise<void>) | null = null;
/** The page runs a build the active worker no longer holds: it reloads when it may. */
let stale = false;

/** This page's own script: whether a new worker holds it tells whether the page is out of date. */
const OWN_SCRIPT = new URL(import.meta.url).pathname;

/**
 * Asks a worker whether it holds `path` (routing.ts's "holds" message); null if it does not answer
 * in time (a worker that never answers must not keep every tab's lock for good).
 */
function holds(worker: ServiceWorker, path: string): Promise<boolean | null> {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    const done = (answer: boolean | null) => {
      clearTimeout(timer);
      channel.port1.close();
      resolve(answer);
    };
    const timer = setTimeout(() => done(null), ANSWER_MS);
    channel.port1.onmessage = (e: MessageEvent<unknown>) => done(e.data === true);
    worker.postMessage({ type: "holds", path }, [channel.port2]);
  });
}

/** Resolves once `worker` is active (or was replaced by yet another one), or after SWITCH_MS. */
const settled = (worker: ServiceWorker) =>
  new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      worker.removeEventListener("statechange", check);
      resolve();
    };
    const check = () => {
      if (worker.state === "activated" || worker.state === "redundant") done();
    };
    const timer = setTimeout(done, SWITCH_MS);
    worker.addEventListener("statechange", check);
    check();
  });

/** Lets a waiting worker take over if no tab holds updates off. */
async function offerUpdate(): Promise<void> {
  const waiting = registration?.waiting;
  if (!waiting || !navigator.serviceWorker.controller) return;
  if (!mayActivate({ waiting: true, heldHere: heldHere() })) return;
  await whenNotHeld(async () => {
    if (registration?.waiting !== waiting) return;
    const kept = await holds(waiting, OWN_SCRIPT);
    // No answer: not now (the next call's end, landing page or page load offers it again).
    if (kept === null) return;
    stale = !kept;
    waiting.postMessage({ type: "skip-waiting" });
    // The lock is held until the new worker is active, so that other tabs' offers wait for this
    // one. A tab that leaves the landing page meanwhile only queues its hold and goes on: if it
    // ran the old build it may miss a lazily loaded file, a window of one activation (bounded).
    await settled(waiting);
  });
}

function reloadIfSafe(): void {
  if (shouldReload({ stale, page, callInProgress: calls > 0 })) location.reload();
}

async function register(): Promise<void> {
  const reg = await navigator.serviceWorker.register("/sw.js", { scope: "/" });
  registration = reg;
  reg.addEventListener("updatefound", () => {
    const installing = reg.installing;
    installing?.addEventListener("statechange", () => {
      if (installing.state === "installed") void offerUpdate();
    });
  });
  navigator.serviceWorker.addEventListener("controllerchange", () => void onControllerChange());
  await offerUpdate();
}

async function onControllerChange(): Promise<void> {
  // Another tab may have let the update in: this page's code may be the old build's too (no
  // answer: taken as stale, which only reloads a landing page, where nothing is lost).
  const active = registration?.active;
  if (!stale && active) stale = (await holds(active, OWN_SCRIPT)) !== true;
  reloadIfSafe();
}

/** Registers the worker, once the page has loaded (its install downloads every hashed file). */
export function startShell(): void {
  if (!import.meta.env.PROD || !("serviceWorker" in navigator)) return;
  // A browser that refuses (a private window's storage policy, say) runs the app without one.
  const go = () => void register().catch(() => undefined);
  if (document.readyState === "complete") go();
  else addEventListener("load", go, { once: true });
}

/**
 * Takes or drops this tab's hold (call-lock.ts) as the policy says (update-policy.ts's
 * holdsUpdates), and offers a waiting update once the hold is gone.
 */
function updateHold(): void {
  const hold = holdsUpdates({ page, callInProgress: calls > 0 });
  if (hold && !release) release = holdOffUpdates();
  else if (!hold && release) {
    const given = release();
    release = null;
    void given.then(offerUpdate);
  }
}

/**
 * The app tells which page it shows: away from the landing page, updates wait (update-policy.ts);
 * back on it, a stale page reloads, or a waiting update is offered.
 */
export function setShellPage(next: ShellPage): void {
  page = next;
  reloadIfSafe();
  updateHold();
}

/**
 * Held by the room while this tab is in a call (joined or waiting to be let in): no update takes
 * over meanwhile. When the call ends, the worker is asked for news.
 */
export function holdCallForShell(): () => void {
  calls++;
  updateHold();
  let ended = false;
  return () => {
    if (ended) return;
    ended = true;
    calls--;
    void registration?.update().catch(() => undefined);
    updateHold();
  };
}
