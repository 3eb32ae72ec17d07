// A WebSocket that comes back by itself: a small state machine with an explicit backoff policy.
//
// Why not partysocket, which does this well: it cost 4.4 KB of the 25 KB the whole app may weigh
// (gzipped), and we used little of it. Its send queue had to be switched off (frames queued
// while offline must follow our `join`), its jitter had to be bolted on through the URL provider,
// and the liveness check (heartbeat) lives in SignalingClient anyway. What remains is this.
//
//   connecting ──open──▶ open ──close/error/reconnect()──▶ waiting ──delay/resume()──▶ connecting
//        └──timeout/close──────────────────────────────────▶ waiting
//   any ──close()──▶ closed (final)

export type SocketState = "connecting" | "open" | "waiting" | "closed";

export interface BackoffPolicy {
  minDelayMs: number;
  maxDelayMs: number;
  growFactor: number;
  /** Up to this fraction of the delay is added at random, so that clients cut off together do not return in lockstep. */
  jitter: number;
  /** A connection attempt that has not opened by then is abandoned. */
  connectTimeoutMs: number;
  /**
   * A connection must stay open this long before the backoff starts over: a server that accepts
   * and closes at once (overloaded, or refusing us in a way we do not recognise) would otherwise
   * be retried at the shortest delay forever. partysocket's `minUptime`.
   */
  minUptimeMs: number;
}

export const BACKOFF: BackoffPolicy = { minDelayMs: 500, maxDelayMs: 8000, growFactor: 1.6, jitter: 0.5, connectTimeoutMs: 6000, minUptimeMs: 5000 };

/** The wait before attempt number `retry` (1 = the first retry), before jitter. */
export function backoffDelay(policy: BackoffPolicy, retry: number): number {
  return Math.min(policy.maxDelayMs, policy.minDelayMs * policy.growFactor ** Math.max(0, retry - 1));
}

export interface SocketHandlers {
  open(): void;
  message(data: unknown): void;
  /** The connection was lost (not by close()); a reconnection is planned. */
  lost(code: number, reason: string): void;
}

export class ReconnectingSocket {
  private ws: WebSocket | null = null;
  private stateValue: SocketState = "connecting";
  private retries = 0;
  /** When the current connection opened (Date.now()); null while not open. */
  private openedAt: number | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly url: string,
    private readonly handlers: SocketHandlers,
    private readonly policy: BackoffPolicy = BACKOFF,
    private readonly WS: typeof WebSocket = WebSocket,
    private readonly random: () => number = Math.random,
  ) {
    this.connect();
  }

  get state(): SocketState {
    return this.stateValue;
  }

  /** Sends if open; returns whether it did. */
  send(data: string): boolean {
    if (this.stateValue !== "open" || !this.ws) return false;
    this.ws.send(data);
    return true;
  }

  /** Drops the current connection (a frozen one, say) and connects again at once. */
  reconnect(): void {
    if (this.stateValue === "closed") return;
    this.drop(4000, "reconnect");
    this.retries = 0;
    this.openedAt = null;
    this.connect();
  }

  /**
   * Connects now if waiting out a backoff (the network is back, the page is in front again);
   * otherwise nothing. The retry count stays, so a server that still refuses is not hammered.
   */
  resume(): void {
    if (this.stateValue !== "waiting") return;
    this.clearTimer();
    this.connect();
  }

  /** Closes for good. */
  close(code = 1000, reason = ""): void {
    if (this.stateValue === "closed") return;
    this.drop(code, reason);
    this.stateValue = "closed";
  }

  private connect() {
    this.stateValue = "connecting";
    const ws = new this.WS(this.url);
    this.ws = ws;
    this.timer = setTimeout(() => this.onLost(ws, 4000, "connect timeout"), this.policy.connectTimeoutMs);
    ws.onopen = () => {
      if (ws !== this.ws) return;
      this.clearTimer();
      this.openedAt = Date.now();
      this.stateValue = "open";
      this.handlers.open();
    };
    ws.onmessage = (e) => {
      if (ws === this.ws) this.handlers.message(e.data);
    };
    ws.onclose = (e) => this.onLost(ws, e.code, e.reason);
    ws.onerror = () => this.onLost(ws, 1006, "error");
  }

  private onLost(ws: WebSocket, code: number, reason: string) {
    if (ws !== this.ws || this.stateValue === "closed" || this.stateValue === "waiting") return;
    this.drop(4000, reason);
    this.stateValue = "waiting";
    if (this.openedAt !== null && Date.now() - this.openedAt >= this.policy.minUptimeMs) this.retries = 0;
    this.openedAt = null;
    this.retries++;
    const delay = backoffDelay(this.policy, this.retries);
    this.timer = setTimeout(() => this.connect(), delay + this.random() * this.policy.jitter * delay);
    this.handlers.lost(code, reason);
  }

  /** Detaches and closes the current socket, and cancels any pending timer. */
  private drop(code: number, reason: string) {
    this.clearTimer();
    const ws = this.ws;
    this.ws = null;
    if (!ws) return;
    ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
    try {
      ws.close(code, reason);
    } catch {
      // Not open yet, or already closed.
    }
  }

  private clearTimer() {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }
}
