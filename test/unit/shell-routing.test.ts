import { describe, expect, it } from "vitest";
import { cacheName, keepsAsAsset, markOffline, OFFLINE_MARK, parseShellMessage, routeOf, shellMatches, staleCaches, type RequestFacts } from "../../web/src/shell/sw/routing";

const ORIGIN = "https://roomlink.example";
const ASSETS = new Set(["/assets/index-BsewBuj5.js", "/assets/index-iMKcdMdT.css", "/assets/room-Dhvk8LmP.js"]);
const get = (path: string, mode = "cors", origin = ORIGIN): RequestFacts => ({ url: `${origin}${path}`, method: "GET", mode });

describe("the service worker's routing", () => {
  it("serves page loads network-first, on every client-side route", () => {
    for (const path of ["/", "/r/AbCdEfGhIjKlMnOpQrStUv", "/check", "/no-such-page"]) expect(routeOf(get(path, "navigate"), ORIGIN, ASSETS), path).toBe("page");
  });

  it("serves this build's hashed files from the cache", () => {
    for (const path of ASSETS) expect(routeOf(get(path, "cors"), ORIGIN, ASSETS)).toBe("asset");
    expect(routeOf(get("/assets/room-Dhvk8LmP.js", "no-cors"), ORIGIN, ASSETS)).toBe("asset");
  });

  it("leaves the API and the room sockets alone, page loads of them too", () => {
    for (const path of ["/api", "/api/health", "/api/rooms", "/api/rooms/AbCdEfGhIjKlMnOpQrStUv/ws", "/api/rooms/x/voice/k?m=token"]) {
      expect(routeOf(get(path), ORIGIN, ASSETS), path).toBe("pass");
      expect(routeOf(get(path, "navigate"), ORIGIN, ASSETS), `${path} opened in a tab`).toBe("pass");
    }
    // "/apiary" is not the API: a client-side route, served as a page.
    expect(routeOf(get("/apiary", "navigate"), ORIGIN, ASSETS)).toBe("page");
  });

  it("leaves other origins alone: an API or TURN elsewhere, a look-alike host, ws:// and wss://", () => {
    expect(routeOf(get("/assets/index-BsewBuj5.js", "cors", "https://api.roomlink.example"), ORIGIN, ASSETS)).toBe("pass");
    expect(routeOf(get("/", "navigate", "https://roomlink.example.evil"), ORIGIN, ASSETS)).toBe("pass");
    expect(routeOf(get("/api/rooms/x/ws", "websocket", "wss://roomlink.example"), ORIGIN, ASSETS)).toBe("pass");
    expect(routeOf({ url: "turn:127.0.0.1:3478", method: "GET", mode: "cors" }, ORIGIN, ASSETS)).toBe("pass");
    expect(routeOf({ url: "not a url", method: "GET", mode: "navigate" }, ORIGIN, ASSETS)).toBe("pass");
  });

  it("leaves writes alone, and files that are not this build's hashed ones", () => {
    expect(routeOf({ url: `${ORIGIN}/assets/index-BsewBuj5.js`, method: "POST", mode: "cors" }, ORIGIN, ASSETS)).toBe("pass");
    expect(routeOf({ url: `${ORIGIN}/`, method: "POST", mode: "navigate" }, ORIGIN, ASSETS)).toBe("pass");
    // Another build's file, the unhashed public files, and a hashed name with a query.
    for (const path of ["/assets/index-OLDHASH1.js", "/manifest.webmanifest", "/icons/icon-192.png", "/sw.js", "/index.html", "/assets/index-BsewBuj5.js?v=2"]) {
      expect(routeOf(get(path), ORIGIN, ASSETS), path).toBe("pass");
    }
  });
});

describe("what is kept under a hashed name", () => {
  const res = (contentType: string | null, ok = true) => ({ ok, contentType });

  it("keeps a success of the file's own type", () => {
    expect(keepsAsAsset("/assets/index-BsewBuj5.js", res("application/javascript"))).toBe(true);
    expect(keepsAsAsset("/assets/index-BsewBuj5.js", res("text/javascript; charset=utf-8"))).toBe(true);
    expect(keepsAsAsset("/assets/index-iMKcdMdT.css", res("text/css; charset=utf-8"))).toBe(true);
    expect(keepsAsAsset("/assets/worker-Ab12Cd34.wasm", res("application/wasm"))).toBe(true);
  });

  it("never keeps the single-page fallback: a missing file answered with index.html and a 200", () => {
    expect(keepsAsAsset("/assets/room-Dhvk8LmP.js", res("text/html; charset=utf-8"))).toBe(false);
    expect(keepsAsAsset("/assets/index-iMKcdMdT.css", res("TEXT/HTML"))).toBe(false);
    expect(keepsAsAsset("/assets/font-Ab12Cd34.woff2", res("text/html"))).toBe(false);
  });

  it("keeps no failure, no untyped answer, and no script or style of another type", () => {
    expect(keepsAsAsset("/assets/index-BsewBuj5.js", res("application/javascript", false))).toBe(false);
    expect(keepsAsAsset("/assets/index-BsewBuj5.js", res(null))).toBe(false);
    expect(keepsAsAsset("/assets/index-BsewBuj5.js", res(""))).toBe(false);
    expect(keepsAsAsset("/assets/index-BsewBuj5.js", res("text/plain"))).toBe(false);
    expect(keepsAsAsset("/assets/index-iMKcdMdT.css", res("application/javascript"))).toBe(false);
  });
});

describe("the offline shell", () => {
  const page = (...refs: string[]) => `<!doctype html><head>${refs.map((r) => (r.endsWith(".css") ? `<link rel="stylesheet" crossorigin href="${r}">` : `<script type="module" crossorigin src="${r}"></script>`)).join("")}<link rel="manifest" href="/manifest.webmanifest"></head>`;

  it("is kept when every script and style it loads is in this build", () => {
    expect(shellMatches(page("/assets/index-BsewBuj5.js", "/assets/index-iMKcdMdT.css"), ASSETS)).toBe(true);
  });

  it("is marked as opened offline when served for a failed page load", () => {
    const html = `<!doctype html>\n<html lang="en">\n  <head></head></html>`;
    expect(markOffline(html)).toBe(`<!doctype html>\n<html ${OFFLINE_MARK}="" lang="en">\n  <head></head></html>`);
  });

  it("is not kept from another deploy, nor when it is no app page at all", () => {
    expect(shellMatches(page("/assets/index-NEWHASH1.js", "/assets/index-iMKcdMdT.css"), ASSETS)).toBe(false);
    expect(shellMatches("<!doctype html><title>502 Bad Gateway</title>", ASSETS)).toBe(false);
  });
});

describe("caches and messages", () => {
  it("drops older builds' caches on activation, and only ours", () => {
    expect(staleCaches([cacheName("v1"), cacheName("v2"), "someone-elses", cacheName("v3")], "v2")).toEqual([cacheName("v1"), cacheName("v3")]);
  });

  it("reads only the two messages a page may send", () => {
    expect(parseShellMessage({ type: "skip-waiting" })).toEqual({ type: "skip-waiting" });
    expect(parseShellMessage({ type: "holds", path: "/assets/a.js" })).toEqual({ type: "holds", path: "/assets/a.js" });
    for (const bad of [null, "skip-waiting", 42, {}, { type: "holds" }, { type: "holds", path: 3 }, { type: "holds", path: "x".repeat(513) }, { type: "clear-caches" }]) {
      expect(parseShellMessage(bad), JSON.stringify(bad)).toBeNull();
    }
  });
});
