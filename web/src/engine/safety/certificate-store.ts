// One DTLS certificate per browser, kept in IndexedDB: every peer connection presents it, so our
// fingerprint (and with it every safety code) stays the same across ICE restarts, reconnects
// and reloads. Without it each RTCPeerConnection makes a certificate of its own, and a reload
// would look to the others exactly like someone in the middle.
//
// RTCCertificate is structured-cloneable in Chromium and Firefox (WebRTC 1.0 section 4.10.2): the
// private key goes into IndexedDB without ever being exported. When IndexedDB fails (a private
// window, storage blocked) the certificate lives in memory for this page: stable across
// reconnects, new on a reload.

import { log } from "../log";

const DB = "roomlink-safety";
const STORE = "certificates";
const KEY = "dtls";
/** A year; Chromium may shorten it. A certificate about to expire is replaced (and the peers are warned). */
const LIFETIME_MS = 365 * 24 * 3600 * 1000;
/** Replaced this long before it expires, so that no call starts with a certificate that dies midway. */
const RENEW_BEFORE_MS = 24 * 3600 * 1000;
/**
 * How long one IndexedDB step may take before we go on without it. The room waits for the
 * certificate before its first connection: a storage that never answers (a wedged profile, an
 * upgrade blocked by another tab) must not keep the person out of the call.
 */
const STORAGE_WAIT_MS = 3000;

export interface CertificateDeps {
  generate(): Promise<RTCCertificate>;
  /** The browser's IndexedDB; null where there is none. */
  indexedDB: IDBFactory | null;
  now(): number;
  /** How long a storage step may take; STORAGE_WAIT_MS unless a test says otherwise. */
  storageWaitMs?: number;
}

const browserDeps = (): CertificateDeps => ({
  generate: () => RTCPeerConnection.generateCertificate({ name: "ECDSA", namedCurve: "P-256", expires: LIFETIME_MS } as AlgorithmIdentifier),
  indexedDB: typeof indexedDB === "undefined" ? null : indexedDB,
  now: () => Date.now(),
});

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error("IndexedDB request failed"));
  });
}

function open(factory: IDBFactory): Promise<IDBDatabase> {
  const req = factory.open(DB, 1);
  req.onupgradeneeded = () => req.result.createObjectStore(STORE);
  // Another tab holding an older version open: refused rather than left waiting.
  req.onblocked = () => req.onerror?.(new Event("blocked"));
  return request(req);
}

/** Reads and writes in one short transaction each; the database is closed after, so that a test (or another tab) can delete it. */
async function withStore<T>(factory: IDBFactory, mode: IDBTransactionMode, fn: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await open(factory);
  try {
    const tx = db.transaction(STORE, mode);
    // Listened to before anything is awaited: the transaction may complete before our turn comes.
    const done = new Promise<void>((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onerror = tx.onabort = () => reject(tx.error ?? new Error("IndexedDB transaction failed"));
    });
    const [result] = await Promise.all([request(fn(tx.objectStore(STORE))), done]);
    return result;
  } finally {
    db.close();
  }
}

function within<T>(ms: number, promise: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`IndexedDB did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

const isCertificate = (value: unknown): value is RTCCertificate =>
  typeof value === "object" && value !== null && typeof (value as RTCCertificate).expires === "number" && typeof (value as RTCCertificate).getFingerprints === "function";

/**
 * This browser's certificate: the stored one if it is readable and not about to expire, else a
 * new one (stored if IndexedDB takes it). Null only if the browser cannot make one: then every
 * connection makes its own, and codes change on every new connection.
 */
export async function loadCertificate(deps: CertificateDeps = browserDeps()): Promise<RTCCertificate | null> {
  const { indexedDB: factory } = deps;
  const wait = deps.storageWaitMs ?? STORAGE_WAIT_MS;
  if (factory) {
    try {
      const stored = await within(wait, withStore(factory, "readonly", (s) => s.get(KEY)));
      if (isCertificate(stored) && stored.expires - deps.now() > RENEW_BEFORE_MS) return stored;
    } catch (e) {
      log({ event: "safety", step: "certificate unreadable", detail: String(e) });
    }
  }
  let fresh: RTCCertificate;
  try {
    fresh = await deps.generate();
  } catch (e) {
    log({ event: "safety", step: "no certificate", detail: String(e) });
    return null;
  }
  if (factory) {
    try {
      await within(wait, withStore(factory, "readwrite", (s) => s.put(fresh, KEY)));
    } catch (e) {
      // Kept in memory for this page (the caller holds it): stable until a reload.
      log({ event: "safety", step: "certificate not stored", detail: String(e) });
    }
  }
  return fresh;
}

let shared: Promise<RTCCertificate | null> | null = null;

/** The page's certificate, loaded once (started at app start, so that joining never waits for it). */
export function dtlsCertificate(): Promise<RTCCertificate | null> {
  shared ??= loadCertificate().catch(() => null);
  return shared;
}
