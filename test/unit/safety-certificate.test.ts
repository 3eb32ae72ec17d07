// The certificate store (engine/safety/certificate-store.ts) over a small in-memory IndexedDB:
// the stored certificate comes back, an expiring or unreadable one is replaced, and a storage
// that fails or never answers still gives the page a certificate. (Real IndexedDB and real
// RTCCertificates: test/browser/safety.test.ts.)

import { describe, expect, it } from "vitest";
import { loadCertificate } from "../../web/src/engine/safety/certificate-store";

type Req = { result?: unknown; error?: unknown; onsuccess?: () => void; onerror?: () => void; onupgradeneeded?: () => void; onblocked?: () => void };

/** Just enough of IDBFactory for the store: one database, one object store, get and put. */
function memoryIndexedDB(mode: "works" | "fails" | "silent" = "works") {
  const data = new Map<string, unknown>();
  let stores = new Set<string>();
  const answer = (req: Req, result: unknown) => queueMicrotask(() => ((req.result = result), req.onsuccess?.()));
  const factory = {
    data,
    open() {
      const req: Req = {};
      if (mode === "silent") return req;
      queueMicrotask(() => {
        if (mode === "fails") {
          req.error = new Error("storage blocked");
          return req.onerror?.();
        }
        const db = {
          createObjectStore: (name: string) => stores.add(name),
          objectStoreNames: { contains: (name: string) => stores.has(name) },
          close() {},
          transaction() {
            const tx: { oncomplete?: () => void; objectStore(): unknown } = {
              objectStore: () => ({
                get: (key: string) => {
                  const r: Req = {};
                  answer(r, data.get(key));
                  setTimeout(() => tx.oncomplete?.(), 0);
                  return r;
                },
                put: (value: unknown, key: string) => {
                  const r: Req = {};
                  data.set(key, value);
                  answer(r, key);
                  setTimeout(() => tx.oncomplete?.(), 0);
                  return r;
                },
              }),
            };
            return tx;
          },
        };
        req.result = db;
        if (stores.size === 0) req.onupgradeneeded?.();
        req.onsuccess?.();
      });
      return req;
    },
    reset() {
      stores = new Set();
    },
  };
  return factory;
}

const NOW = 1_700_000_000_000;
const DAY = 24 * 3600 * 1000;
let made = 0;
const certificate = (expiresIn: number) => ({ expires: NOW + expiresIn, getFingerprints: () => [], serial: ++made }) as unknown as RTCCertificate;

describe("loadCertificate", () => {
  it("makes one the first time, stores it, and gives the stored one back after", async () => {
    const idb = memoryIndexedDB();
    const deps = { generate: async () => certificate(300 * DAY), indexedDB: idb as unknown as IDBFactory, now: () => NOW };
    const first = await loadCertificate(deps);
    expect(first).not.toBeNull();
    expect(idb.data.get("dtls")).toBe(first);
    expect(await loadCertificate(deps)).toBe(first);
  });

  it("replaces a certificate about to expire, and one that is not a certificate", async () => {
    const idb = memoryIndexedDB();
    const deps = { generate: async () => certificate(300 * DAY), indexedDB: idb as unknown as IDBFactory, now: () => NOW };
    const old = certificate(DAY / 2);
    await loadCertificate(deps);
    idb.data.set("dtls", old);
    const renewed = await loadCertificate(deps);
    expect(renewed).not.toBe(old);
    expect(idb.data.get("dtls")).toBe(renewed);
    idb.data.set("dtls", { expires: "soon" });
    const again = await loadCertificate(deps);
    expect(again).not.toBe(renewed);
    expect(again?.expires).toBe(NOW + 300 * DAY);
  });

  it("still gives a certificate (for this page) when IndexedDB fails or never answers", async () => {
    const generate = async () => certificate(300 * DAY);
    expect(await loadCertificate({ generate, indexedDB: memoryIndexedDB("fails") as unknown as IDBFactory, now: () => NOW })).not.toBeNull();
    expect(await loadCertificate({ generate, indexedDB: memoryIndexedDB("silent") as unknown as IDBFactory, now: () => NOW, storageWaitMs: 50 })).not.toBeNull();
    expect(await loadCertificate({ generate, indexedDB: null, now: () => NOW })).not.toBeNull();
  });

  it("is null only when the browser cannot make a certificate", async () => {
    const generate = () => Promise.reject(new Error("NotSupportedError"));
    expect(await loadCertificate({ generate, indexedDB: null, now: () => NOW })).toBeNull();
  });
});
