// The room socket: connects, joins, keeps a heartbeat, reconnects with backoff, and hands out
// validated server frames. It knows no DOM and no WebRTC. The reconnecting socket is partysocket's
// (a well-kept implementation of exactly this policy); its own send queue is switched off because
// frames queued while offline must follow our `join`, not precede it.

import ReconnectingWebSocket from "partysocket/ws";
import {
  HEARTBEAT_PING,
  PROTOCOL_VERSION,
  parseServerMessage,
  type ClientMessage,
  type MediaState,
  type ServerMessage,
} from "../../../protocol/protocol";
import { Emitter } from "./emitter";
import { log } from "./log";

/** connecting → joined → (reconnecting → joined)* → closed */
export type SignalingStatus = "connecting" | "joined" | "reconnecting" | "closed";

export interface JoinInfo {
  name: string;
  media: MediaState;
}

export interface SignalingOptions {
  url: string;
  join: () => JoinInfo & { since?: number; resume?: { id: string; token: string } };
  /** For tests: a WebSocket constructor. */
  WebSocket?: typeof WebSocket;
}

type Events = {
  message: ServerMessage;
  status: SignalingStatus;
  /** The room closed the socket for good (room full, bad version, kicked). */
  refused: { code: number; reason: string };
};

/** Close codes after which reconnecting would only repeat the refusal. */
const FINAL_CLOSE_CODES = new Set([4400, 4409, 4426, 4429]);

/**
 * Backoff between reconnection attempts: 0.5 s growing by 1.6× to 8 s, plus up to half of that
 * again at random, so that a room full of clients cut off together does not reconnect in lockstep.
 */
export const RECONNECT_POLICY = {
  minReconnectionDelay: 500,
  maxReconnectionDelay: 8_000,
  reconnectionDelayGrowFactor: 1.6,
  connectionTimeout: 6_000,
  maxEnqueuedMessages: 0,
  jitter: 0.5,
} as const;

/**
 * A socket that stays silent this long (no frame, no pong) is dead even if the browser has not
 * noticed: a frozen connection (sleeping laptop, switched network, proxy) can stay "open" for
 * minutes. Pings go out every heartbeat/2, so this is about two unanswered pings.
 */
export const silenceLimitMs = (heartbeatMs: number) => heartbeatMs + 1000;

export class SignalingClient extends Emitter<Events> {
  private readonly ws: ReconnectingWebSocket;
  private statusValue: SignalingStatus = "connecting";
  private heartbeat: ReturnType<typeof setInterval> | null = null;
  private lastHeard = 0;
  private destroyed = false;

  constructor(private readonly options: SignalingOptions) {
    super();
    const { jitter, ...policy } = RECONNECT_POLICY;
    // partysocket has no jitter of its own; its URL provider runs after its backoff delay, so the
    // random extra wait goes there.
    const url = async () => {
      const retry = this.ws?.retryCount ?? 0;
      if (retry > 0) {
        const base = Math.min(policy.maxReconnectionDelay, policy.minReconnectionDelay * policy.reconnectionDelayGrowFactor ** (retry - 1));
        await new Promise((r) => setTimeout(r, Math.random() * jitter * base));
      }
      return options.url;
    };
    this.ws = new ReconnectingWebSocket(url, [], {
      ...policy,
      ...(options.WebSocket ? { WebSocket: options.WebSocket } : {}),
    });
    this.ws.addEventListener("open", this.onOpen);
    this.ws.addEventListener("message", this.onMessage);
    this.ws.addEventListener("close", this.onClose);
  }

  get status(): SignalingStatus {
    return this.statusValue;
  }

  /** Sends when joined; returns false (and sends nothing) otherwise, so callers can queue. */
  send(msg: ClientMessage): boolean {
    if (this.destroyed) throw new Error("SignalingClient used after destroy");
    if (this.statusValue !== "joined") return false;
    this.ws.send(JSON.stringify(msg));
    return true;
  }

  /** Leaves the room and stops reconnecting. */
  destroy(): void {
    if (this.destroyed) return;
    if (this.statusValue === "joined") this.ws.send(JSON.stringify({ type: "leave" } satisfies ClientMessage));
    this.destroyed = true;
    this.stopHeartbeat();
    this.ws.removeEventListener("open", this.onOpen);
    this.ws.removeEventListener("message", this.onMessage);
    this.ws.removeEventListener("close", this.onClose);
    this.ws.close(1000, "left");
    this.setStatus("closed");
    this.removeAllListeners();
  }

  private readonly onOpen = () => {
    const join = this.options.join();
    const msg: ClientMessage = {
      type: "join",
      v: PROTOCOL_VERSION,
      name: join.name,
      media: join.media,
      ...(join.since !== undefined ? { since: join.since } : {}),
      ...(join.resume ? { resume: join.resume } : {}),
    };
    this.lastHeard = Date.now();
    this.ws.send(JSON.stringify(msg));
  };

  private readonly onMessage = (e: MessageEvent) => {
    this.lastHeard = Date.now();
    const msg = parseServerMessage(e.data);
    if (!msg) return; // heartbeat replies and frames from a newer server we do not understand
    if (msg.type === "welcome") {
      this.startHeartbeat(msg.settings.heartbeatMs);
      this.setStatus("joined");
    }
    this.emit("message", msg);
  };

  private readonly onClose = (e: CloseEvent) => {
    this.stopHeartbeat();
    if (FINAL_CLOSE_CODES.has(e.code)) {
      this.ws.close();
      this.setStatus("closed");
      this.emit("refused", { code: e.code, reason: e.reason });
      return;
    }
    if (this.statusValue !== "closed") this.setStatus(this.statusValue === "connecting" ? "connecting" : "reconnecting");
  };

  private startHeartbeat(ms: number) {
    this.stopHeartbeat();
    this.lastHeard = Date.now();
    this.heartbeat = setInterval(() => {
      if (Date.now() - this.lastHeard > silenceLimitMs(ms)) {
        log({ event: "signaling", status: "dead", detail: "no heartbeat reply" });
        this.stopHeartbeat();
        this.setStatus("reconnecting");
        this.ws.reconnect(4000, "heartbeat timeout");
        return;
      }
      this.ws.send(HEARTBEAT_PING);
    }, ms / 2);
  }

  private stopHeartbeat() {
    if (this.heartbeat !== null) clearInterval(this.heartbeat);
    this.heartbeat = null;
  }

  private setStatus(s: SignalingStatus) {
    if (s === this.statusValue) return;
    this.statusValue = s;
    log({ event: "signaling", status: s });
    this.emit("status", s);
  }
}
