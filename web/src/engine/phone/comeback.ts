// When a call must pick itself up (FEATURES §11, "Background" and "Network change"): the page
// comes back to the front, or the network comes back or changes under it. This only notices; the
// session decides what each means (room-session.ts: restart ended tracks, resume the socket,
// restart ICE).
//
// - `visibilitychange` to visible after the page was hidden, and `pageshow` with `persisted` (the
//   page came back from the back-forward cache, where nothing ran): a phone may have ended the
//   camera and microphone meanwhile, and the socket may be waiting out a long backoff that the
//   throttled timers of a hidden tab stretched further (Chrome throttles them to once a minute
//   after 5 minutes hidden).
// - `online`: the browser has a network again.
// - `navigator.connection` `change` (Network Information API, Chromium only): fires for a new kind
//   of network (Wi-Fi to cellular), when every candidate pair of the old one is dead
//   (gfodor/p2pcf#12); it also fires when the estimated bandwidth or round trip moves, which
//   changes nothing for ICE. `type` tells the two apart where the browser reports it (Android);
//   where it does not, a change counts as `online` does.

/** What the page comes back from. */
export type ReturnCause = "visible" | "pageshow";

export interface ComebackActions {
  /** The page is in front again after being hidden, or restored from the back-forward cache. */
  returned(cause: ReturnCause): void;
  /** The network came back (`moved` false) or is a different one now (`moved` true). */
  network(moved: boolean): void;
}

type Listen<T extends string, E = Event> = {
  addEventListener(type: T, listener: (e: E) => void): void;
  removeEventListener(type: T, listener: (e: E) => void): void;
};

/** The parts of window, document and navigator.connection this listens to; injected for tests. */
export interface ComebackHost {
  window: Listen<"online" | "pageshow", Event | PageTransitionEvent>;
  document: Listen<"visibilitychange"> & { readonly visibilityState: DocumentVisibilityState };
  /** Absent outside Chromium. */
  connection?: (Listen<"change"> & { readonly type?: string }) | undefined;
}

/** The page's own window, document and connection. */
export function pageHost(): ComebackHost {
  const connection = (navigator as Navigator & { connection?: ComebackHost["connection"] }).connection;
  return { window, document, connection };
}

export class Comeback {
  private hidden: boolean;
  private networkType: string | undefined;
  private disposed = false;

  constructor(
    private readonly actions: ComebackActions,
    private readonly host: ComebackHost = pageHost(),
  ) {
    this.hidden = host.document.visibilityState === "hidden";
    this.networkType = host.connection?.type;
    host.window.addEventListener("online", this.onOnline);
    host.window.addEventListener("pageshow", this.onPageShow);
    host.document.addEventListener("visibilitychange", this.onVisibility);
    host.connection?.addEventListener("change", this.onConnection);
  }

  /** Stops listening; the listeners added are exactly the ones removed. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.host.window.removeEventListener("online", this.onOnline);
    this.host.window.removeEventListener("pageshow", this.onPageShow);
    this.host.document.removeEventListener("visibilitychange", this.onVisibility);
    this.host.connection?.removeEventListener("change", this.onConnection);
  }

  private readonly onOnline = () => this.actions.network(false);

  private readonly onPageShow = (e: Event | PageTransitionEvent) => {
    // The first load's pageshow is not a return; only a page restored from the cache is.
    if ("persisted" in e && e.persisted) this.actions.returned("pageshow");
  };

  private readonly onVisibility = () => {
    const hidden = this.host.document.visibilityState === "hidden";
    const back = this.hidden && !hidden;
    this.hidden = hidden;
    if (back) this.actions.returned("visible");
  };

  private readonly onConnection = () => {
    const type = this.host.connection?.type;
    const moved = type !== undefined && type !== this.networkType;
    this.networkType = type;
    // A type still reported and the same: only the estimates moved.
    if (type !== undefined && !moved) return;
    this.actions.network(moved);
  };
}
