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
 * certificate (the read, not the write) before its first connection: a storage that never answers
 * (a wedged profile, an upgrade blocked by another tab) must not keep the person out of the call.
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

/**
 * One short transaction: `fn` issues its requests and calls `done` with the answer; the database
 * is closed after, so that a test (or another tab) can delete it.
 */
async function withStore<T>(factory: IDBFactory, mode: IDBTransactionMode, fn: (store: IDBObjectStore, done: (value: T) => void) => void): Promise<T> {
  const db = await open(factory);
  try {
    const tx = db.transaction(STORE, mode);
    let answer: { value: T } | null = null;
    // Listened to before anything is awaited: the transaction may complete before our turn comes.
    const complete = new Promise<T>((resolve, reject) => {
      tx.oncomplete = () => (answer ? resolve(answer.value) : reject(new Error("IndexedDB gave no answer")));
      tx.onerror = tx.onabort = () => reject(tx.error ?? new Error("IndexedDB transaction failed"));
    });
    fn(tx.objectStore(STORE), (value) => (answer = { value }));
    return await complete;
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

/** A certificate we may start a connection with: not about to expire. */
const usable = (value: unknown, now: number): value is RTCCertificate => isCertificate(value) && value.expires - now > RENEW_BEFORE_MS;

export interface Loaded {
  /** The certificate to start with; null only if the browser cannot make one. */
  certificate: RTCCertificate | null;
  /**
   * The one to keep using once storage has had its say: `certificate`, or the one another tab
   * stored first while ours was being made. Not awaited by anyone joining.
   */
  kept: Promise<RTCCertificate | null>;
}

/**
 * This browser's certificate: the stored one if it is readable and not about to expire, else a
 * new one. The new one is stored only when the read said there was none (or an expiring one): a
 * read that failed or was slow says nothing about what is stored, and overwriting a good
 * certificate would change every code this browser shows. Then it is this page's only.
 */
export async function loadCertificate(deps: CertificateDeps = browserDeps()): Promise<Loaded> {
  const { indexedDB: factory } = deps;
  const wait = deps.storageWaitMs ?? STORAGE_WAIT_MS;
  let readable = false;
  if (factory) {
    try {
      const stored = await within(
        wait,
        withStore<unknown>(factory, "readonly", (s, done) => {
          const get = s.get(KEY);
          get.onsuccess = () => done(get.result);
        }),
      );
      if (usable(stored, deps.now())) return { certificate: stored, kept: Promise.resolve(stored) };
      readable = true;
    } catch (e) {
      log({ event: "safety", step: "certificate unreadable", detail: String(e) });
    }
  }
  let fresh: RTCCertificate;
  try {
    fresh = await deps.generate();
  } catch (e) {
    log({ event: "safety", step: "no certificate", detail: String(e) });
    return { certificate: null, kept: Promise.resolve(null) };
  }
  if (!factory || !readable) return { certificate: fresh, kept: Promise.resolve(fresh) };
  return { certificate: fresh, kept: store(factory, fresh, deps.now(), wait) };
}

/**
 * Stores `fresh` unless a usable certificate is there by now (another tab, meanwhile): read and
 * written in one readwrite transaction, which IndexedDB runs alone on the store, so two tabs
 * cannot both win. The one stored is the one to keep; `fresh` if storage fails.
 */
async function store(factory: IDBFactory, fresh: RTCCertificate, now: number, wait: number): Promise<RTCCertificate> {
  try {
    return await within(
      wait,
      withStore<RTCCertificate>(factory, "readwrite", (s, done) => {
        const get = s.get(KEY);
        get.onsuccess = () => {
          const stored: unknown = get.result;
          if (usable(stored, now)) return done(stored);
          s.put(fresh, KEY).onsuccess = () => done(fresh);
        };
      }),
    );
  } catch (e) {
    // Kept in memory for this page: stable until a reload.
    log({ event: "safety", step: "certificate not stored", detail: String(e) });
    return fresh;
  }
}

/**
 * The page's certificate, loaded once (started at app start, so that joining rarely waits for it)
 * and again when it is about to expire: a page may stay open longer than a certificate lives.
 */
export class CertificateKeeper {
  private certificate: RTCCertificate | null = null;
  private loading: Promise<RTCCertificate | null> | null = null;
  private renewing = false;

  constructor(private readonly deps: CertificateDeps = browserDeps()) {}

  get(): Promise<RTCCertificate | null> {
    const c = this.certificate;
    const expiring = c !== null && c.expires - this.deps.now() <= RENEW_BEFORE_MS;
    if (this.loading === null || (expiring && !this.renewing)) this.loading = this.load();
    return this.loading;
  }

  private async load(): Promise<RTCCertificate | null> {
    this.renewing = true;
    try {
      const { certificate, kept } = await loadCertificate(this.deps);
      this.certificate = certificate;
      // Another tab's, stored first: the next connections (after a rejoin) use it, as a reload would.
      void kept.then((k) => {
        if (k && k !== this.certificate && this.certificate === certificate) {
          this.certificate = k;
          this.loading = Promise.resolve(k);
        }
      });
      return certificate;
    } catch {
      return null;
    } finally {
      this.renewing = false;
    }
  }
}

let shared: CertificateKeeper | null = null;

/** This browser's certificate for this page (see CertificateKeeper). */
export function dtlsCertificate(): Promise<RTCCertificate | null> {
  shared ??= new CertificateKeeper();
  return shared.get();
}
