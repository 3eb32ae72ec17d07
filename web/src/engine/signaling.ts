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
  join: () => JoinInfo & { since?: number };
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

export const RECONNECT_POLICY = {
  minReconnectionDelay: 500,
  maxReconnectionDelay: 10_000,
  reconnectionDelayGrowFactor: 1.6,
  connectionTimeout: 6_000,
  maxEnqueuedMessages: 0,
} as const;

export class SignalingClient extends Emitter<Events> {
  private readonly ws: ReconnectingWebSocket;
  private statusValue: SignalingStatus = "connecting";
  private heartbeat: ReturnType<typeof setInterval> | null = null;
  private destroyed = false;

  constructor(private readonly options: SignalingOptions) {
    super();
    this.ws = new ReconnectingWebSocket(options.url, [], {
      ...RECONNECT_POLICY,
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
    const msg: ClientMessage = { type: "join", v: PROTOCOL_VERSION, name: join.name, media: join.media, ...(join.since !== undefined ? { since: join.since } : {}) };
    this.ws.send(JSON.stringify(msg));
  };

  private readonly onMessage = (e: MessageEvent) => {
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
    this.heartbeat = setInterval(() => this.ws.send(HEARTBEAT_PING), ms);
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
