// The room socket: connects, joins, keeps a heartbeat, reconnects with backoff, and hands out
// validated server frames. It knows no DOM and no WebRTC.
//
// It connects as soon as it is made and joins only when asked: the app opens it when the pre-join
// screen appears, so that by the time someone presses Join the socket is usually open already and
// joining costs one round trip instead of a connection set-up and a round trip.

import {
  CloseCode,
  DEFAULT_HEARTBEAT_MS,
  HEARTBEAT_PING,
  PROTOCOL_VERSION,
  parseServerMessage,
  type ClientMessage,
  type MediaState,
  type ServerMessage,
} from "../../../../protocol/protocol";
import { Emitter } from "../emitter";
import { log } from "../log";
import { ReconnectingSocket } from "./reconnecting-socket";

/** connecting → joined → (reconnecting → joined)* → closed */
export type SignalingStatus = "connecting" | "joined" | "reconnecting" | "closed";

export interface JoinInfo {
  name: string;
  media: MediaState;
}

export interface SignalingOptions {
  url: string;
  /** For tests. */
  WebSocket?: typeof WebSocket;
}

/** Who is asking to come in: the room's host key, its passcode, this browser's lobby id. */
export interface JoinCredentials {
  hostKey?: string;
  passcode?: string;
  device?: string;
}

/**
 * What to join with; asked again on every reconnect, so that it can resume. Null holds the join:
 * the socket stays open without joining (a knock the host denied must not knock again by itself
 * when the socket comes back; a room that wants a passcode waits for the person to type it).
 */
export type JoinProvider = () => (JoinInfo & JoinCredentials & { since?: number; resume?: { id: string; token: string } }) | null;

type Events = {
  message: ServerMessage;
  status: SignalingStatus;
  /**
   * The room closed the socket for good: room full, bad version, a flood or protocol violation,
   * our seat taken over by a newer socket of the same member (another tab resumed it), or a
   * host's decision (removed, meeting ended, room locked, this browser blocked from knocking).
   */
  refused: { code: number; reason: string };
  /** The socket was closed, not for good: it reconnects. The code tells a knock that expired (4412). */
  lost: { code: number; reason: string };
};

/**
 * Close codes after which reconnecting would only repeat the refusal. Replaced (4410) is among
 * them: the newer socket holding our seat is us (another tab or a resumed page); coming back
 * would take the seat from it, and it would take it back, forever (docs/protocol.md, close codes).
 */
export const FINAL_CLOSE_CODES: ReadonlySet<number> = new Set<number>([
  CloseCode.ProtocolViolation,
  CloseCode.Replaced,
  CloseCode.RoomGone,
  CloseCode.RoomFull,
  CloseCode.BadVersion,
  CloseCode.RateLimited,
  CloseCode.Removed,
  CloseCode.Ended,
  CloseCode.KnockBlocked,
  CloseCode.Locked,
]);

/**
 * A socket that stays silent this long (no frame, no pong) is dead even if the browser has not
 * noticed: a frozen connection (sleeping laptop, switched network, proxy) can stay "open" for
 * minutes. Pings go out every heartbeat/2, so this is about two unanswered pings.
 */
export const silenceLimitMs = (heartbeatMs: number) => heartbeatMs + 1000;

export class SignalingClient extends Emitter<Events> {
  private readonly socket: ReconnectingSocket;
  private statusValue: SignalingStatus = "connecting";
  private heartbeat: ReturnType<typeof setInterval> | null = null;
  private lastHeard = 0;
  private joinWith: JoinProvider | null = null;
  private destroyed = false;

  constructor(private readonly options: SignalingOptions) {
    super();
    this.socket = new ReconnectingSocket(
      options.url,
      { open: () => this.onOpen(), message: (data) => this.onMessage(data), lost: (code, reason) => this.onLost(code, reason) },
      undefined,
      options.WebSocket,
    );
  }

  get status(): SignalingStatus {
    return this.statusValue;
  }

  /** Joins the room: now if the socket is open, else as soon as it opens (and again after every reconnect). */
  join(provider: JoinProvider): void {
    if (this.destroyed) throw new Error("SignalingClient used after destroy");
    if (this.joinWith) throw new Error("SignalingClient.join called twice");
    this.joinWith = provider;
    if (this.socket.state === "open") this.sendJoin();
  }

  /**
   * Asks the provider again and sends the join now, if the socket is open and not joined: a knock
   * after a denial, a join with the passcode just typed. Closed, it joins when it opens.
   */
  rejoin(): void {
    if (this.destroyed) throw new Error("SignalingClient used after destroy");
    if (!this.joinWith) throw new Error("SignalingClient.rejoin called before join");
    if (this.socket.state === "open" && this.statusValue !== "joined") this.sendJoin();
  }

  /** Sends when joined; returns false (and sends nothing) otherwise, so callers can queue. */
  send(msg: ClientMessage): boolean {
    if (this.destroyed) throw new Error("SignalingClient used after destroy");
    if (this.statusValue !== "joined") return false;
    return this.socket.send(JSON.stringify(msg));
  }

  /**
   * The network came back or the page is in front again: a socket waiting out its backoff
   * connects now. `moved` (a different network): an open socket is dropped and replaced at once,
   * since its TCP connection died with the old network and the heartbeat would take a while to
   * say so; the rejoin resumes our seat.
   */
  resume(moved = false): void {
    if (this.destroyed) return;
    if (moved && this.socket.state === "open") {
      this.stopHeartbeat();
      if (this.statusValue !== "connecting") this.setStatus("reconnecting");
      this.socket.reconnect();
      return;
    }
    this.socket.resume();
  }

  /** Leaves the room and stops reconnecting. */
  destroy(): void {
    if (this.destroyed) return;
    if (this.statusValue === "joined") this.socket.send(JSON.stringify({ type: "leave" } satisfies ClientMessage));
    this.destroyed = true;
    this.stopHeartbeat();
    this.socket.close(1000, "left");
    this.setStatus("closed");
    this.removeAllListeners();
  }

  private onOpen() {
    // Not joined yet, the socket still needs a heartbeat: the room prunes silent sockets.
    this.startHeartbeat(DEFAULT_HEARTBEAT_MS);
    if (this.joinWith) this.sendJoin();
  }

  private sendJoin() {
    const join = this.joinWith!();
    if (!join) return;
    const msg: ClientMessage = {
      type: "join",
      v: PROTOCOL_VERSION,
      name: join.name,
      media: join.media,
      ...(join.since !== undefined ? { since: join.since } : {}),
      ...(join.resume ? { resume: join.resume } : {}),
      ...(join.hostKey ? { hostKey: join.hostKey } : {}),
      ...(join.passcode ? { passcode: join.passcode } : {}),
      ...(join.device ? { device: join.device } : {}),
    };
    this.lastHeard = Date.now();
    this.socket.send(JSON.stringify(msg));
  }

  private onMessage(data: unknown) {
    this.lastHeard = Date.now();
    const msg = parseServerMessage(data);
    if (!msg) return; // heartbeat replies and frames from a newer server we do not understand
    if (msg.type === "welcome") {
      this.startHeartbeat(msg.settings.heartbeatMs);
      this.setStatus("joined");
    }
    this.emit("message", msg);
  }

  private onLost(code: number, reason: string) {
    this.stopHeartbeat();
    if (FINAL_CLOSE_CODES.has(code)) {
      this.socket.close();
      this.setStatus("closed");
      this.emit("refused", { code, reason });
      return;
    }
    if (this.statusValue !== "connecting") this.setStatus("reconnecting");
    this.emit("lost", { code, reason });
  }

  private startHeartbeat(ms: number) {
    this.stopHeartbeat();
    this.lastHeard = Date.now();
    this.heartbeat = setInterval(() => {
      if (Date.now() - this.lastHeard > silenceLimitMs(ms)) {
        log({ event: "signaling", status: "dead", detail: "no heartbeat reply" });
        this.stopHeartbeat();
        if (this.statusValue !== "connecting") this.setStatus("reconnecting");
        this.socket.reconnect();
        return;
      }
      this.socket.send(HEARTBEAT_PING);
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
