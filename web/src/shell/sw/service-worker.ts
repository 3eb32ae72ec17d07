// The app's service worker, built into dist/sw.js by web/build/service-worker-plugin.ts, which
// fills in this build's hashed files and version. It keeps those files, so that the app opens
// without a network (an installed app launched offline says so instead of a browser error), and
// it stays out of everything else: the API, the room sockets, other origins (routing.ts decides).
//
// An update waits until no page could miss the old build's files: a new worker installs and then waits; the pages
// ask it to take over only when no tab is in a call or away from the landing page
// (web/src/shell/register.ts, update-policy.ts), since activating deletes the old build's cache.
//
// The web tsconfig has the DOM's types, not a worker's: the few service-worker ones this file
// needs are declared below rather than a second project set up for one file.

import { cacheName, keepsAsAsset, markOffline, parseShellMessage, routeOf, SHELL_KEY, shellMatches, staleCaches } from "./routing";

/** Filled in at build time (service-worker-plugin.ts). */
declare const __SHELL_VERSION__: string;
declare const __SHELL_ASSETS__: readonly string[];

interface ExtendableEvent extends Event {
  waitUntil(promise: Promise<unknown>): void;
}
interface FetchEvent extends ExtendableEvent {
  readonly request: Request;
  readonly preloadResponse: Promise<Response | undefined>;
  respondWith(response: Promise<Response>): void;
}
interface ExtendableMessageEvent extends ExtendableEvent {
  readonly data: unknown;
  readonly ports: readonly MessagePort[];
}
interface WorkerScope {
  readonly location: Location;
  readonly registration: { navigationPreload?: { enable(): Promise<void> } };
  skipWaiting(): Promise<void>;
  addEventListener(type: "install" | "activate", fn: (e: ExtendableEvent) => void): void;
  addEventListener(type: "fetch", fn: (e: FetchEvent) => void): void;
  addEventListener(type: "message", fn: (e: ExtendableMessageEvent) => void): void;
}

const scope = self as unknown as WorkerScope;
const VERSION = __SHELL_VERSION__;
const ASSETS = new Set(__SHELL_ASSETS__);
const CACHE = cacheName(VERSION);
const ORIGIN = scope.location.origin;

/** Whether `response` may be kept as the hashed file at `path` (routing.ts's keepsAsAsset). */
const keeps = (path: string, response: Response): boolean => keepsAsAsset(path, { ok: response.ok, contentType: response.headers.get("content-type") });

/** Keeps a page as the offline shell if it matches this build (routing.ts's shellMatches). */
async function keepShell(response: Response): Promise<void> {
  if (!response.ok || !(response.headers.get("content-type") ?? "").includes("text/html")) return;
  if (!shellMatches(await response.clone().text(), ASSETS)) return;
  await (await caches.open(CACHE)).put(SHELL_KEY, response);
}

scope.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      // Not addAll: it keeps any 200, and a missing file can come back as the page (keepsAsAsset).
      // One file that is not what its name says fails the install, as addAll would on a 404: this
      // worker then stays out, and the next update check tries again.
      await Promise.all(
        [...ASSETS].map(async (path) => {
          const response = await fetch(path);
          if (!keeps(path, response)) throw new Error(`${path} is not this build's file`);
          await cache.put(path, response);
        }),
      );
      // The page that installed us loaded before we ran: fetch its shell now, or the first
      // offline launch would find none. Only kept if it is this build's (a failure is no reason
      // to refuse the install: the next page load keeps one).
      await fetch(SHELL_KEY, { cache: "no-cache" }).then(keepShell, () => undefined);
    })(),
  );
});

scope.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const name of staleCaches(await caches.keys(), VERSION)) await caches.delete(name);
      // The page's request starts while this worker wakes up, instead of after (network-first
      // would otherwise add the worker's start-up to every page load).
      await scope.registration.navigationPreload?.enable();
    })(),
  );
});

async function page(event: FetchEvent): Promise<Response> {
  try {
    const response = (await event.preloadResponse) ?? (await fetch(event.request));
    event.waitUntil(keepShell(response.clone()));
    return response;
  } catch (err) {
    // No network: the kept shell, marked so that its page says it is offline.
    const shell = await (await caches.open(CACHE)).match(SHELL_KEY);
    if (!shell) throw err;
    // The body changes: its old length and encoding no longer describe it.
    const headers = new Headers(shell.headers);
    headers.delete("content-length");
    headers.delete("content-encoding");
    return new Response(markOffline(await shell.text()), { headers });
  }
}

async function asset(request: Request): Promise<Response> {
  const cache = await caches.open(CACHE);
  const hit = await cache.match(request);
  if (hit) return hit;
  // Evicted (or never stored): fetched, and kept for next time.
  const response = await fetch(request);
  if (keeps(new URL(request.url).pathname, response)) await cache.put(request, response.clone());
  return response;
}

scope.addEventListener("fetch", (event) => {
  const route = routeOf(event.request, ORIGIN, ASSETS);
  if (route === "page") event.respondWith(page(event));
  else if (route === "asset") event.respondWith(asset(event.request));
  // "pass": no respondWith, so the browser goes to the network as if we were not here.
});

scope.addEventListener("message", (event) => {
  const message = parseShellMessage(event.data);
  if (message?.type === "skip-waiting") void scope.skipWaiting();
  else if (message?.type === "holds") event.ports[0]?.postMessage(ASSETS.has(message.path));
});
