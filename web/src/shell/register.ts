// The page's side of the service worker (sw/service-worker.ts): registers it in a production
// build, and applies an update only when the policy allows (update-policy.ts): a new worker
// installs in the background and waits; it is asked to take over when no tab is in a call (at
// start, when a call ends, or as soon as it has installed), and the page reloads only where that
// loses nothing.

import { holdCall, inCallHere, whenNoCall } from "./call-lock";
import { mayActivate, shouldReload, type ShellPage } from "./update-policy";

let registration: ServiceWorkerRegistration | null = null;
let page: ShellPage = "landing";
/** The page runs a build the active worker no longer holds: it reloads when it may. */
let stale = false;

/** This page's own script: whether a new worker holds it tells whether the page is out of date. */
const OWN_SCRIPT = new URL(import.meta.url).pathname;

/** Asks a worker whether it holds `path` (routing.ts's "holds" message). */
function holds(worker: ServiceWorker, path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = (e: MessageEvent<unknown>) => {
      channel.port1.close();
      resolve(e.data === true);
    };
    worker.postMessage({ type: "holds", path }, [channel.port2]);
  });
}

/** Resolves once `worker` is active (or was replaced by yet another one). */
const settled = (worker: ServiceWorker) =>
  new Promise<void>((resolve) => {
    const check = () => {
      if (worker.state !== "activated" && worker.state !== "redundant") return;
      worker.removeEventListener("statechange", check);
      resolve();
    };
    worker.addEventListener("statechange", check);
    check();
  });

/** Lets a waiting worker take over if no call is in progress in any tab. */
async function offerUpdate(): Promise<void> {
  const waiting = registration?.waiting;
  if (!waiting || !navigator.serviceWorker.controller) return;
  if (!mayActivate({ waiting: true, callInProgress: inCallHere() })) return;
  await whenNoCall(async () => {
    if (registration?.waiting !== waiting) return;
    stale = !(await holds(waiting, OWN_SCRIPT));
    waiting.postMessage({ type: "skip-waiting" });
    // The lock is held until the new worker is active: no call starts under a worker on its way out.
    await settled(waiting);
  });
}

function reloadIfSafe(): void {
  if (shouldReload({ stale, page, callInProgress: inCallHere() })) location.reload();
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
  // Another tab may have let the update in: this page's code may be the old build's too.
  const active = registration?.active;
  if (!stale && active) stale = !(await holds(active, OWN_SCRIPT));
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

/** The app tells which page it shows: a stale page reloads when it reaches the landing page. */
export function setShellPage(next: ShellPage): void {
  page = next;
  reloadIfSafe();
}

/**
 * Held by the room while this tab is in a call (joined or waiting to be let in): no update takes
 * over meanwhile. When the call ends, the worker is asked for news, and a waiting one may take over.
 */
export function holdCallForShell(): () => void {
  return holdCall(() => {
    void registration?.update().catch(() => undefined);
    void offerUpdate();
  });
}
