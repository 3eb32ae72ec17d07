// The certificate store (engine/safety/certificate-store.ts) over a small in-memory IndexedDB:
// the stored certificate comes back, an expiring or unreadable one is replaced, a slow or failed
// read never overwrites what is stored, two tabs end up with one, and a storage that fails or
// never answers still gives the page a certificate. (Real IndexedDB and real
// RTCCertificates: test/browser/safety.test.ts.)

import { describe, expect, it } from "vitest";
import { CertificateKeeper, loadCertificate } from "../../web/src/engine/safety/certificate-store";

type Req = { result?: unknown; error?: unknown; onsuccess?: () => void; onerror?: () => void; onupgradeneeded?: () => void; onblocked?: () => void };

/**
 * Just enough of IDBFactory for the store: one database, one object store, get and put, and
 * transactions that complete once their last request is answered and nothing new was asked (as
 * IndexedDB's do). "slow" answers every request `delayMs` late; writes land all the same.
 */
function memoryIndexedDB(mode: "works" | "fails" | "silent" | "slow" | "fails-writes" = "works", delayMs = 100) {
  const data = new Map<string, unknown>();
  let stores = new Set<string>();
  let writers = Promise.resolve();
  const later = (fn: () => void) => (mode === "slow" ? setTimeout(fn, delayMs) : queueMicrotask(fn));
  const factory = {
    data,
    open() {
      const req: Req = {};
      if (mode === "silent") return req;
      later(() => {
        if (mode === "fails") {
          req.error = new Error("storage blocked");
          return req.onerror?.();
        }
        const db = {
          createObjectStore: (name: string) => stores.add(name),
          objectStoreNames: { contains: (name: string) => stores.has(name) },
          close() {},
          transaction(_: string, txMode: IDBTransactionMode) {
            let pending = 0;
            let release = () => {};
            // Readwrite transactions on a store run one at a time, in the order they were made.
            const turn = txMode === "readwrite" ? writers : Promise.resolve();
            if (txMode === "readwrite") writers = writers.then(() => new Promise<void>((r) => (release = r)));
            const finish = (fn?: () => void) => (release(), fn?.());
            const tx: { oncomplete?: () => void; onerror?: () => void; onabort?: () => void; error?: unknown; objectStore(): unknown } = { objectStore: () => store };
            const ask = (work: () => unknown, req: Req) => {
              pending++;
              void turn.then(() => later(() => {
                try {
                  req.result = work();
                } catch (e) {
                  req.error = e;
                  tx.error = e;
                  req.onerror?.();
                  return finish(tx.onerror);
                }
                req.onsuccess?.();
                // Whatever the handler asked for keeps the transaction open.
                if (--pending === 0) setTimeout(() => pending === 0 && finish(tx.oncomplete), 0);
              }));
              return req;
            };
            const store = {
              get: (key: string) => ask(() => data.get(key), {}),
              put: (value: unknown, key: string) =>
                ask(() => {
                  if (txMode !== "readwrite") throw new Error("ReadOnlyError");
                  if (mode === "fails-writes") throw new Error("QuotaExceededError");
                  data.set(key, value);
                  return key;
                }, {}),
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
  };
  return factory;
}

const NOW = 1_700_000_000_000;
const DAY = 24 * 3600 * 1000;
let made = 0;
const certificate = (expiresIn: number, now = NOW) => ({ expires: now + expiresIn, getFingerprints: () => [], serial: ++made }) as unknown as RTCCertificate;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("loadCertificate", () => {
  it("makes one the first time, stores it, and gives the stored one back after", async () => {
    const idb = memoryIndexedDB();
    const deps = { generate: async () => certificate(300 * DAY), indexedDB: idb as unknown as IDBFactory, now: () => NOW };
    const first = await loadCertificate(deps);
    expect(first.certificate).not.toBeNull();
    expect(await first.kept).toBe(first.certificate);
    expect(idb.data.get("dtls")).toBe(first.certificate);
    const again = await loadCertificate(deps);
    expect(again.certificate).toBe(first.certificate);
    expect(await again.kept).toBe(first.certificate);
  });

  it("gives the certificate before it is stored: joining does not wait for the write", async () => {
    const idb = memoryIndexedDB();
    const deps = { generate: async () => certificate(300 * DAY), indexedDB: idb as unknown as IDBFactory, now: () => NOW };
    const { certificate: fresh, kept } = await loadCertificate(deps);
    expect(idb.data.has("dtls")).toBe(false);
    expect(await kept).toBe(fresh);
    expect(idb.data.get("dtls")).toBe(fresh);
  });

  it("replaces a certificate about to expire, and one that is not a certificate", async () => {
    const idb = memoryIndexedDB();
    const deps = { generate: async () => certificate(300 * DAY), indexedDB: idb as unknown as IDBFactory, now: () => NOW };
    await (await loadCertificate(deps)).kept;
    const old = certificate(DAY / 2);
    idb.data.set("dtls", old);
    const renewed = await loadCertificate(deps);
    expect(renewed.certificate).not.toBe(old);
    expect(await renewed.kept).toBe(renewed.certificate);
    expect(idb.data.get("dtls")).toBe(renewed.certificate);
    idb.data.set("dtls", { expires: "soon" });
    const again = await loadCertificate(deps);
    expect(again.certificate).not.toBe(renewed.certificate);
    expect(again.certificate?.expires).toBe(NOW + 300 * DAY);
    expect(await again.kept).toBe(again.certificate);
    expect(idb.data.get("dtls")).toBe(again.certificate);
  });

  it("does not overwrite the stored certificate after a slow read: the new one is this page's only", async () => {
    const idb = memoryIndexedDB("slow", 100);
    const stored = certificate(300 * DAY);
    idb.data.set("dtls", stored);
    const { certificate: fresh, kept } = await loadCertificate({ generate: async () => certificate(300 * DAY), indexedDB: idb as unknown as IDBFactory, now: () => NOW, storageWaitMs: 20 });
    expect(fresh).not.toBeNull();
    expect(fresh).not.toBe(stored);
    expect(await kept).toBe(fresh);
    // Long after the slow storage has answered everything: still the stored one.
    await sleep(500);
    expect(idb.data.get("dtls")).toBe(stored);
  });

  it("does not write after a failed read, and keeps the new one when the write fails", async () => {
    const generate = async () => certificate(300 * DAY);
    const failing = memoryIndexedDB("fails");
    const loaded = await loadCertificate({ generate, indexedDB: failing as unknown as IDBFactory, now: () => NOW });
    expect(await loaded.kept).toBe(loaded.certificate);
    expect(failing.data.size).toBe(0);
    const full = memoryIndexedDB("fails-writes");
    const unsaved = await loadCertificate({ generate, indexedDB: full as unknown as IDBFactory, now: () => NOW });
    expect(unsaved.certificate).not.toBeNull();
    expect(await unsaved.kept).toBe(unsaved.certificate);
    expect(full.data.size).toBe(0);
  });

  it("keeps the one another tab stored first, when two start with nothing stored", async () => {
    const idb = memoryIndexedDB();
    const deps = { generate: async () => certificate(300 * DAY), indexedDB: idb as unknown as IDBFactory, now: () => NOW };
    const [one, two] = await Promise.all([loadCertificate(deps), loadCertificate(deps)]);
    expect(one.certificate).not.toBe(two.certificate);
    const [keptOne, keptTwo] = await Promise.all([one.kept, two.kept]);
    expect(keptOne).toBe(keptTwo);
    expect(idb.data.get("dtls")).toBe(keptOne);
  });

  it("still gives a certificate (for this page) when IndexedDB fails or never answers", async () => {
    const generate = async () => certificate(300 * DAY);
    expect((await loadCertificate({ generate, indexedDB: memoryIndexedDB("fails") as unknown as IDBFactory, now: () => NOW })).certificate).not.toBeNull();
    expect((await loadCertificate({ generate, indexedDB: memoryIndexedDB("silent") as unknown as IDBFactory, now: () => NOW, storageWaitMs: 50 })).certificate).not.toBeNull();
    expect((await loadCertificate({ generate, indexedDB: null, now: () => NOW })).certificate).not.toBeNull();
  });

  it("is null only when the browser cannot make a certificate", async () => {
    const generate = () => Promise.reject(new Error("NotSupportedError"));
    expect((await loadCertificate({ generate, indexedDB: null, now: () => NOW })).certificate).toBeNull();
  });
});

describe("CertificateKeeper", () => {
  it("loads once, and again when the certificate is about to expire in a page left open", async () => {
    let now = NOW;
    let generated = 0;
    const idb = memoryIndexedDB();
    const keeper = new CertificateKeeper({
      generate: async () => (generated++, certificate(30 * DAY, now)),
      indexedDB: idb as unknown as IDBFactory,
      now: () => now,
    });
    const first = await keeper.get();
    expect(await keeper.get()).toBe(first);
    expect(generated).toBe(1);
    // 29.5 days on: less than a day left. Replaced, in storage too.
    now += 29.5 * DAY;
    const [renewed, same] = await Promise.all([keeper.get(), keeper.get()]);
    expect(renewed).not.toBe(first);
    expect(same).toBe(renewed);
    expect(generated).toBe(2);
    expect(renewed!.expires - now).toBeGreaterThan(DAY);
    await sleep(20);
    expect(idb.data.get("dtls")).toBe(renewed);
    expect(await keeper.get()).toBe(renewed);
  });
});
