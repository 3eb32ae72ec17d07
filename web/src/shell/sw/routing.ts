// What the service worker does with a request: the whole policy, as a pure function of the
// request's parts, so that it is unit-tested in Node (test/unit/shell-routing.test.ts) and the
// worker (service-worker.ts) only carries it out.
//
// Stale shells are the service-worker bug that keeps coming back (GoogleChrome/workbox#1528,
// hive-pal#226): a cached index.html that points at assets a deploy has removed. So the page
// itself always comes from the network while there is one, and only the files whose names carry
// their content's hash (which never change under one name) are served from the cache.

/** The parts of a request the policy reads. */
export interface RequestFacts {
  url: string;
  method: string;
  /** Request.mode: "navigate" for a page load. */
  mode: string;
}

/**
 * - `pass`: not ours; the worker does not call respondWith, and the browser fetches as if there
 *   were no worker (the API, the room sockets, other origins, non-GET requests, unhashed files);
 * - `page`: a navigation: the network first; the kept shell only when the network fails;
 * - `asset`: a hashed file of this build: the cache first, the network if it is missing.
 */
export type Route = "pass" | "page" | "asset";

/** Whether a path is the Worker's: its API and the room sockets (worker/index.ts). */
export const isApiPath = (path: string): boolean => path === "/api" || path.startsWith("/api/");

export function routeOf(req: RequestFacts, origin: string, assets: ReadonlySet<string>): Route {
  if (req.method !== "GET") return "pass";
  let url: URL;
  try {
    url = new URL(req.url);
  } catch {
    return "pass";
  }
  // Another origin (an API deployed elsewhere, TURN, anything a page links to) is never ours.
  if (url.origin !== origin) return "pass";
  // Before navigations: a voice message opened in a tab is the API's, not the app's.
  if (isApiPath(url.pathname)) return "pass";
  if (req.mode === "navigate") return "page";
  // Only the exact files of this build: an asset with a query string is not the one we hold.
  if (url.search === "" && assets.has(url.pathname)) return "asset";
  return "pass";
}

/**
 * Whether a fetched page may be kept as the offline shell: an HTML page whose every script and
 * style under /assets/ is one this worker holds. A page from a newer deploy (fetched while this
 * worker is still the active one) would point at files this cache lacks, and offline it would
 * load as a blank page: better keep the older shell, which still matches.
 */
export function shellMatches(html: string, assets: ReadonlySet<string>): boolean {
  const refs = [...html.matchAll(/(?:src|href)="(\/assets\/[^"?#]+)"/g)].map((m) => m[1]!);
  return refs.length > 0 && refs.every((ref) => assets.has(ref));
}

/** The type each kind of hashed file must come with; other kinds need only not be a page. */
const TYPE_OF_EXTENSION: Readonly<Record<string, RegExp>> = {
  js: /^(text|application)\/javascript\b/i,
  css: /^text\/css\b/i,
};

/**
 * Whether a response may be kept under a hashed file's name, for good (the cache serves it first
 * ever after): a success whose type is that of the file, and never a page. With the single-page
 * fallback (wrangler.toml's not_found_handling), a hashed file missing from the deploy comes back
 * as index.html with a 200; kept, it would stand in for the script until the next update.
 */
export function keepsAsAsset(path: string, response: { ok: boolean; contentType: string | null }): boolean {
  const type = response.contentType?.trim() ?? "";
  if (!response.ok || type === "" || /^text\/html\b/i.test(type)) return false;
  const expected = TYPE_OF_EXTENSION[path.slice(path.lastIndexOf(".") + 1).toLowerCase()];
  return expected ? expected.test(type) : true;
}

/** The attribute that tells a page it was opened from the cache, the network having failed. */
export const OFFLINE_MARK = "data-offline";

/**
 * The kept shell, marked as served offline (shell/offline-notice.tsx reads the mark): the one
 * sure sign, where navigator.onLine only knows whether some network interface is up (true on a
 * Wi-Fi with no internet, false in a test's loopback-only network).
 */
export const markOffline = (html: string): string => html.replace(/<html\b/i, `<html ${OFFLINE_MARK}=""`);

/** The messages a page sends the worker; anything else is ignored. */
export type ShellMessage = { type: "skip-waiting" } | { type: "holds"; path: string };

const MAX_PATH = 512;

/** Narrows a posted message (data from a page: checked, never cast). */
export function parseShellMessage(data: unknown): ShellMessage | null {
  if (typeof data !== "object" || data === null || !("type" in data)) return null;
  if (data.type === "skip-waiting") return { type: "skip-waiting" };
  if (data.type === "holds" && "path" in data && typeof data.path === "string" && data.path.length <= MAX_PATH) return { type: "holds", path: data.path };
  return null;
}

/** The cache of one build: named by its version, so that activating a newer one can drop the rest. */
export const CACHE_PREFIX = "roomlink-";
export const cacheName = (version: string): string => `${CACHE_PREFIX}${version}`;

/** Caches to delete when `version` activates: older builds' (and nobody else's, by prefix). */
export const staleCaches = (names: readonly string[], version: string): string[] => names.filter((n) => n.startsWith(CACHE_PREFIX) && n !== cacheName(version));

/** The key the offline shell is kept under in its build's cache. */
export const SHELL_KEY = "/";
