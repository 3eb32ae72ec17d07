// The host key in the browser: kept per room when this browser creates the room, taken from a
// host link's fragment (and out of the address bar at once), and the browser's lobby id. Node has
// no location, history or localStorage: small stand-ins, installed before the modules load.

import { beforeAll, beforeEach, describe, expect, it, vi } from "vitest";

const store = new Map<string, string>();
const page = { href: "https://rooms.example/", replaced: [] as string[] };

beforeAll(() => {
  vi.stubGlobal("localStorage", {
    getItem: (k: string) => store.get(k) ?? null,
    setItem: (k: string, v: string) => void store.set(k, v),
  });
  vi.stubGlobal("location", {
    get origin() {
      return new URL(page.href).origin;
    },
    get pathname() {
      return new URL(page.href).pathname;
    },
    get search() {
      return new URL(page.href).search;
    },
    get hash() {
      return new URL(page.href).hash;
    },
  });
  vi.stubGlobal("history", {
    state: null,
    replaceState: (_s: unknown, _t: string, url: string) => {
      page.href = new URL(url, page.href).href;
      page.replaced.push(url);
    },
  });
});

const ROOM = "R00m-id_abcdefghjkmnpq";
const KEY = "Kq3_x-9ZbW0aYc1dEf2gHh";

beforeEach(() => {
  store.clear();
  page.replaced = [];
});

async function modules() {
  const routes = await import("../../web/src/ui/routes");
  const stored = await import("../../web/src/stored");
  return { ...routes, ...stored };
}

describe("the host key", () => {
  it("is kept for the room this browser creates, and the lobby choice goes in the request", async () => {
    const { createRoom, storedHostKey } = await modules();
    const requests: Array<{ url: string; init: RequestInit | undefined }> = [];
    vi.stubGlobal("fetch", async (url: string, init?: RequestInit) => {
      requests.push({ url, init });
      return new Response(JSON.stringify({ id: ROOM, hostKey: KEY }), { status: 201 });
    });
    expect(await createRoom({ lobby: true })).toBe(ROOM);
    expect(storedHostKey(ROOM)).toBe(KEY);
    expect(requests[0]!.init).toMatchObject({ method: "POST", body: JSON.stringify({ lobby: true }) });
    await createRoom();
    expect(requests[1]!.init).toEqual({ method: "POST" });
  });

  it("is taken from a host link's fragment, and the fragment leaves the address bar at once", async () => {
    const { takeHostKeyFromUrl, storedHostKey, hostLink } = await modules();
    page.href = hostLink(ROOM, KEY).replace(/^https?:\/\/[^/]+/, "https://rooms.example");
    expect(page.href).toBe(`https://rooms.example/r/${ROOM}#host=${KEY}`);
    takeHostKeyFromUrl();
    expect(storedHostKey(ROOM)).toBe(KEY);
    expect(page.href).toBe(`https://rooms.example/r/${ROOM}`);
    expect(page.replaced).toEqual([`/r/${ROOM}`]);
  });

  it("a malformed key is not kept, but still leaves the address bar; a page without one is left alone", async () => {
    const { takeHostKeyFromUrl, storedHostKey } = await modules();
    page.href = `https://rooms.example/r/${ROOM}#host=short`;
    takeHostKeyFromUrl();
    expect(storedHostKey(ROOM)).toBeNull();
    expect(page.href).toBe(`https://rooms.example/r/${ROOM}`);
    page.href = `https://rooms.example/r/${ROOM}`;
    takeHostKeyFromUrl();
    expect(page.replaced).toEqual([`/r/${ROOM}`]);
  });
});

describe("the browser's lobby id", () => {
  it("is made once, in the form the room accepts, and kept", async () => {
    const { deviceId } = await modules();
    const { DEVICE_ID } = await import("../../protocol/protocol");
    const id = deviceId();
    expect(DEVICE_ID.test(id)).toBe(true);
    expect(deviceId()).toBe(id);
    store.clear();
    expect(deviceId()).not.toBe(id);
  });
});
