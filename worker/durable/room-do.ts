// One Durable Object per room. It adapts the pure RoomCore to the runtime: hibernatable
// WebSockets in, the core's effects carried out by one executor, roster and chat in SQLite, voice
// recordings in R2 (their HTTP routes: voice-http.ts). A socket's attachment holds only the id of
// the member it carries; after hibernation or eviction this object is constructed anew and
// rebuilds everything else from storage. No timers here (a pending setTimeout keeps the object
// awake): grace periods, retention and dead-socket checks all run from one alarm.
//
// An id names a room only once `POST /api/rooms` has created it (create()); until then, and
// after a room is deleted, this object answers 404 and writes nothing, so that a made-up id
// costs no storage and cannot get around the room-creation limit.

import { DurableObject } from "cloudflare:workers";
import { assertNever, CloseCode, HEARTBEAT_PING, HEARTBEAT_PONG, parseClientMessage, type Mode, type ServerMessage } from "../../protocol/protocol";
import { SFU_BODY_MAX_BYTES } from "../../protocol/sfu";
import { roomConfig, type RoomConfig } from "../config";
import type { Env } from "../env";
import { readText, sfuPathOf } from "../realtime/sfu-proxy";
import type { Effect } from "../room/effects";
import { SocketGuard } from "../socket-guard";
import { roomExists } from "../storage/schema";
import { attachmentOf, newAttachment } from "./attachment";
import { openLiveRoom, type LiveRoom } from "./live-room";
import { check, hash, mint, type WorkHost } from "./off-thread";
import { countConstruction, type RunCounts } from "./run-stats";
import { SocketRegistry, tryClose, trySend } from "./sockets";
import { noRoom } from "./no-room";
import { fileKeyOf, serveRelayedFile, type FileRelayHost } from "./file-relay-http";
import { serveVoice, voiceKeyOf, type VoiceHost } from "./voice-http";

/**
 * Sockets that have not joined: at most this many per seat (the oldest is closed past that),
 * and for at most this long, which is plenty for a pre-join screen. Without a bound, anyone could
 * hold a room open with sockets that only heartbeat (the runtime answers those for free).
 */
const WAITING_PER_SEAT = 2;
const WAITING_DEADLINE_MS = 15 * 60_000;
/** How long an address whose member was expelled for abuse is refused by this room. */
const COOLDOWN_MS = 60_000;

export class RoomDO extends DurableObject<Env> {
  private readonly config: RoomConfig;
  /** Null while this id names no room (never created, or deleted). */
  private room: LiveRoom | null;
  private readonly guards = new WeakMap<WebSocket, SocketGuard>();
  /**
   * Sockets this room has closed. The runtime still delivers what they had already sent (a
   * flood can leave thousands of frames in flight); those are ignored without any work.
   */
  private readonly closing = new WeakSet<WebSocket>();
  /**
   * Sockets whose join is waiting for its credentials, or for its host key or passcode to be
   * checked. A second join meanwhile is refused at once: each would mint credentials of its own
   * (an API call, with Cloudflare's TURN), or run PBKDF2 again.
   */
  private readonly joining = new WeakSet<WebSocket>();
  /** What the work sent off the room's thread (off-thread.ts) needs of it. */
  private readonly work: WorkHost = {
    room: () => this.room,
    isClosing: (ws) => this.closing.has(ws),
    settled: (ws) => this.joining.delete(ws),
    execute: (ws, effects) => this.execute(ws, effects),
  };
  /** What the voice routes need of it. */
  private readonly voiceHost: VoiceHost = { room: () => this.room };
  /** What the relayed files' routes need of it: their upload's end tells the recipient. */
  private readonly fileHost: FileRelayHost = { room: () => this.room, execute: (effects) => void this.execute(null, effects) };
  /** When dead sockets were last looked for (by the alarm, or on the way through a frame). */
  private lastPrune = Date.now();
  /** How often this instance's code ran; read by tests. */
  readonly stats = { constructed: Date.now(), messageRuns: 0, alarmRuns: 0 };
  /** The same across constructions, for the benchmark; null unless STATS_ROUTE is on. */
  private readonly runs: RunCounts | null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.runs = env.STATS_ROUTE === "on" ? countConstruction(ctx.id.toString(), Date.now()) : null;
    this.config = roomConfig(env);
    this.room = roomExists(ctx.storage.sql) ? this.open() : null;
    // Heartbeats are answered by the runtime itself, so an idle room stays hibernated.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(HEARTBEAT_PING, HEARTBEAT_PONG));
  }

  private open(): LiveRoom {
    return openLiveRoom(this.ctx, this.env, this.config, () => this.nextAlarm());
  }

  /**
   * POST /api/rooms: this id is a room from now on, with the hash of its host key (the Worker
   * hands the key to the creator and forgets it), "ask to join" on or off, and its mode (a
   * meeting unless said otherwise). Idempotent.
   */
  async create(init?: { hostKeyHash: string; lobby: boolean; mode?: Mode }): Promise<void> {
    if (this.room) return;
    this.room = this.open();
    this.execute(null, this.room.core.created(init ? { hostKey: init.hostKeyHash, lobby: init.lobby, mode: init.mode ?? "meeting" } : undefined));
  }

  /** Whether this id names a room. */
  async exists(): Promise<boolean> {
    return this.room !== null;
  }

  /** The room's mode, or null when this id names no room (GET /api/rooms/:id, for a link's landing page). */
  async mode(): Promise<Mode | null> {
    return this.room?.core.mode ?? null;
  }

  /** An SFU proxy route (realtime/sfu-proxy.ts); the Worker has already checked that Realtime is configured. */
  private async serveSfu(room: LiveRoom | null, request: Request, path: string): Promise<Response> {
    if (!room) {
      // Read (bounded) before the answer: a body the object leaves unread fails workerd's pipe to it.
      await readText(request, SFU_BODY_MAX_BYTES);
      return noRoom();
    }
    if (!room.sfu) return Response.json({ error: "this deployment has no SFU (Cloudflare Realtime is not configured)", status: 501 }, { status: 501 });
    return room.sfu.handle(request, path);
  }

  /** Counts for the idle-cost benchmark; null unless STATS_ROUTE is on. */
  counters(): RunCounts | null {
    return this.runs;
  }

  /**
   * A room socket (the Worker has already checked the route, the upgrade header, the origin and
   * the address's rate), a voice recording's upload or playback (voice-http.ts), or an SFU proxy call (realtime/sfu-proxy.ts).
   */
  override async fetch(request: Request): Promise<Response> {
    const voiceKey = voiceKeyOf(new URL(request.url).pathname);
    if (voiceKey !== null) return serveVoice(this.voiceHost, request, voiceKey);
    const fileKey = fileKeyOf(new URL(request.url).pathname);
    if (fileKey !== null) return serveRelayedFile(this.fileHost, request, fileKey);
    const sfuPath = sfuPathOf(new URL(request.url).pathname);
    const room = this.room;
    if (sfuPath !== null) return this.serveSfu(room, request, sfuPath);
    if (!room) return noRoom();
    const now = Date.now();
    const addr = request.headers.get("CF-Connecting-IP");
    const until = addr ? room.cooldowns.until(addr, now) : null;
    if (until !== null) {
      const seconds = Math.ceil((until - now) / 1000);
      return Response.json({ error: `expelled from this room for abuse: try again in ${seconds} s`, status: 429 }, { status: 429, headers: { "Retry-After": String(seconds) } });
    }
    const { 0: client, 1: server } = new WebSocketPair();
    this.ctx.acceptWebSocket(server);
    server.serializeAttachment(newAttachment(now, addr));
    room.sockets.accepted(server, now, addr);
    // Too many sockets waiting to join: the one that has waited longest makes way. A stage has
    // more seats than a meeting (its audience), and so more room to wait.
    if (room.sockets.waitingCount > WAITING_PER_SEAT * room.core.capacity) {
      const oldest = room.sockets.oldestWaiting();
      if (oldest) this.dropWaiting(oldest, CloseCode.TooManyWaiting, "too many sockets waiting to join");
    }
    room.alarmClock.schedule();
    return new Response(null, { status: 101, webSocket: client });
  }

  // Synchronous but while ICE credentials are minted (a join, an `ice` request): the relay path
  // allocates no promise.
  override webSocketMessage(ws: WebSocket, frame: string | ArrayBuffer): void | Promise<void> {
    this.stats.messageRuns++;
    if (this.runs) this.runs.messageRuns++;
    const room = this.room;
    if (!room || this.closing.has(ws)) return;
    const now = Date.now();
    if (now - this.lastPrune > this.config.staleMs) this.pruneStale(now, ws);
    const guard = this.guardFor(ws, now);
    const admission = guard.admit(now);
    switch (admission) {
      case "ok":
        break;
      case "throttled":
        this.send(ws, { type: "error", code: "rate-limited", message: "too many frames: slow down" });
        return;
      case "drop":
        return;
      case "close":
        return this.expel(ws, CloseCode.RateLimited, "rate limit exceeded");
      default:
        return assertNever(admission);
    }
    const parsed = parseClientMessage(frame, this.config.maxFrameBytes);
    if (!parsed.ok) {
      this.send(ws, { type: "error", ...parsed.error });
      // An outdated tab (a deploy) is not abuse: closed, but its address is not cooled down.
      if (parsed.error.code === "bad-version") return this.expel(ws, CloseCode.BadVersion, parsed.error.message, false);
      return this.strike(ws, guard, parsed.error.code);
    }
    if (parsed.value.type === "join" && this.joining.has(ws)) {
      this.send(ws, { type: "error", code: "already-joined", message: "this socket is already joining" });
      return this.strike(ws, guard, "already-joined");
    }
    return this.execute(ws, room.core.handle(room.sockets.memberOf(ws), parsed.value, room.sockets.viaOf(ws)), guard);
  }

  override webSocketClose(ws: WebSocket, _code: number, _reason: string, _wasClean: boolean): void | Promise<void> {
    return this.forget(ws);
  }

  override webSocketError(ws: WebSocket, _error: unknown): void | Promise<void> {
    return this.forget(ws);
  }

  /** Housekeeping: dead sockets, members whose grace period ran out, a room long empty. */
  override async alarm(): Promise<void> {
    this.stats.alarmRuns++;
    if (this.runs) this.runs.alarmRuns++;
    const room = this.room;
    if (!room) return;
    room.alarmClock.fired();
    this.pruneStale(Date.now(), null);
    // Ends with a schedule effect (or deletes the room): the next alarm is always set from here.
    // Members whose grace period ended have their credentials revoked before the alarm is done.
    await this.execute(null, room.core.expire());
  }

  /**
   * Carries out the core's effects, in order, on behalf of `ws` (null for the alarm's). The one
   * place where effects meet the runtime. Returns a promise only while credentials are minted or
   * revoked: handed back to the runtime, it keeps the event alive until they are done (a revoke
   * not waited for may be cut off when the object goes idle). It never rejects (see mint and
   * IceIssuer.release), so a caller that cannot wait for it may drop it.
   */
  private execute(ws: WebSocket | null, effects: readonly Effect[], guard?: SocketGuard): Promise<void> | undefined {
    let pending: Promise<void> | undefined;
    const wait = (p: Promise<void>) => (pending = pending ? Promise.all([pending, p]).then(() => undefined) : p);
    for (const effect of effects) {
      const room = this.room;
      if (!room) return pending;
      switch (effect.kind) {
        case "send":
          room.fanOut.send(ws, effect.to, effect.msg);
          break;
        case "bind":
          if (ws) {
            // A socket that carried another member gets what that one was due; the member's old socket, likewise.
            const previous = room.sockets.memberOf(ws);
            if (previous !== null) room.fanOut.before(previous);
            room.fanOut.before(effect.peerId);
            room.sockets.bind(ws, effect.peerId);
          }
          break;
        case "replace": {
          room.fanOut.before(effect.peerId);
          // Unbound first, so that closing it does not make the member away.
          const old = room.sockets.socketOf(effect.peerId);
          if (old && old !== ws) {
            room.sockets.unbind(old);
            this.closing.add(old);
            tryClose(old, CloseCode.Replaced, "resumed on a newer connection");
          }
          break;
        }
        case "unbind":
          if (ws) room.sockets.unbind(ws);
          break;
        case "close":
          if (ws) this.shut(ws, effect.code, effect.reason);
          break;
        case "expel": {
          const expelled = ws ? this.expel(ws, effect.code, effect.reason) : undefined;
          if (expelled) wait(expelled);
          break;
        }
        case "bind-knock":
          if (ws) room.sockets.bindKnock(ws, effect.knock);
          break;
        case "end-knock": {
          const knocker = room.sockets.unbindKnock(effect.knock);
          if (knocker && effect.close) this.shut(knocker, effect.close.code, effect.close.reason);
          break;
        }
        case "close-peer": {
          room.fanOut.before(effect.peerId);
          // Unbound first, so that closing it does not make the member away.
          const peer = room.sockets.socketOf(effect.peerId);
          if (peer) {
            room.sockets.unbind(peer);
            this.shut(peer, effect.code, effect.reason);
          }
          break;
        }
        case "close-all":
          for (const s of room.sockets.all()) {
            room.sockets.unbind(s);
            this.shut(s, effect.code, effect.reason);
          }
          break;
        case "mint-ice": {
          // An admitted knock's welcome goes to the knocker's socket, not the admitter's.
          const target = effect.then === "welcome" && effect.knock !== undefined ? room.sockets.socketOfKnock(effect.knock) : ws;
          if (target) {
            if (effect.then === "welcome") this.joining.add(target);
            wait(mint(this.work, target, effect));
          }
          break;
        }
        case "check-join":
          if (ws) {
            this.joining.add(ws);
            wait(check(this.work, ws, effect));
          }
          break;
        case "hash-passcode":
          wait(hash(this.work, effect));
          break;
        case "release-ice":
          // Never rejects: the issuer logs a failed revoke, and the credentials' short life ends them anyway.
          wait(room.issuer.release(effect.peerId));
          break;
        case "schedule":
          room.alarmClock.schedule();
          break;
        case "strike": {
          const expelled = ws ? this.strike(ws, guard ?? this.guardFor(ws, Date.now()), "refused") : undefined;
          if (expelled) wait(expelled);
          break;
        }
        case "delete-voice":
          wait(deleteVoice(room, effect.keys));
          break;
        case "delete-files":
          wait(deleteFiles(room, effect.keys));
          break;
        case "delete-room":
          wait(this.deleteRoom(room));
          break;
        default:
          assertNever(effect);
      }
    }
    return pending;
  }

  /**
   * The room stood empty past its retention: everyone still connected (pre-join screens) is told
   * it is gone, and everything it stored is deleted, its alarm included (deleteAll, compatibility
   * date 2026-02-24 or later), and its voice recordings (everything under its prefix, whatever
   * SQLite still knew of). From now on this id answers 404, as if it had never been created.
   */
  private deleteRoom(room: LiveRoom): Promise<void> {
    this.room = null;
    for (const ws of room.sockets.all()) {
      this.closing.add(ws);
      tryClose(ws, CloseCode.RoomGone, "this room no longer exists");
    }
    // The runtime restarts an object whose storage fails; it then finds the room still there and
    // deletes it at the next alarm. Nothing better to do here.
    this.ctx.storage.deleteAll().catch(() => {});
    // A failure leaves the recordings to the bucket's lifecycle rule (README), the backstop.
    return Promise.all([
      room.voice.deleteAll().catch((e: unknown) => logBucketFailure("voice", "delete-room", e)),
      room.files.deleteAll().catch((e: unknown) => logBucketFailure("files", "delete-room", e)),
    ]).then(() => undefined);
  }

  /** The alarm's next due time: a core deadline, a waiting socket's deadline, or the next dead-socket check while there are sockets. */
  private nextAlarm(): number | null {
    const room = this.room;
    if (!room) return null;
    let next = room.core.nextDeadline();
    const consider = (t: number) => (next = next === null ? t : Math.min(next, t));
    const oldestWaiting = room.sockets.oldestWaitingSince();
    if (oldestWaiting !== null) consider(oldestWaiting + WAITING_DEADLINE_MS);
    if (room.sockets.size > 0) consider(Date.now() + this.config.pruneIntervalMs);
    return next;
  }

  /**
   * Closes sockets that stopped heartbeating (a frozen connection the runtime has not noticed),
   * and sockets that opened the room long ago and never joined. The alarm does this rarely (an
   * idle room should sleep); a room that wakes for a frame anyway does it on the way, at most once
   * per stale period, so that in a live room a dead member shows as away within about that period.
   */
  private pruneStale(now: number, except: WebSocket | null): void {
    const room = this.room;
    if (!room) return;
    this.lastPrune = now;
    this.closeOverdueWaiting(now, except);
    for (const ws of this.ctx.getWebSockets()) {
      if (ws === except || this.closing.has(ws)) continue; // it has just sent a frame: alive
      const lastBeat = this.ctx.getWebSocketAutoResponseTimestamp(ws)?.getTime() ?? attachmentOf(ws).opened;
      if (now - lastBeat > this.config.staleMs) {
        // Presumed dead, not misbehaving: its member becomes away and may still resume. Frames
        // it still had in flight are ignored (they would be refused as not joined, and counted).
        this.closing.add(ws);
        void this.forget(ws);
        tryClose(ws, CloseCode.HeartbeatTimeout, "no heartbeat");
      }
    }
  }

  /** Sockets that opened the room longer than WAITING_DEADLINE_MS ago and never joined. */
  private closeOverdueWaiting(now: number, except: WebSocket | null): void {
    for (const ws of this.room?.sockets.waitingSince(now - WAITING_DEADLINE_MS) ?? []) {
      if (ws !== except) this.dropWaiting(ws, CloseCode.JoinTimeout, "did not join in time");
    }
  }

  private dropWaiting(ws: WebSocket, code: CloseCode, reason: string): void {
    const knock = this.room?.sockets.viaOf(ws).knock ?? null;
    this.shut(ws, code, reason);
    if (knock !== null && this.room) void this.execute(null, this.room.core.knockClosed(knock));
  }

  /** Closes a socket the room is done with (its member, if any, unbound by the caller first). */
  private shut(ws: WebSocket, code: number, reason: string): void {
    this.closing.add(ws);
    this.room?.sockets.gone(ws);
    tryClose(ws, code, reason);
  }

  private guardFor(ws: WebSocket, now: number): SocketGuard {
    let guard = this.guards.get(ws);
    if (!guard) this.guards.set(ws, (guard = new SocketGuard(this.config, now)));
    return guard;
  }

  /** An invalid or refused frame; the socket is closed once it has used up its allowance. */
  private strike(ws: WebSocket, guard: SocketGuard, last: string): Promise<void> | undefined {
    return guard.strike(Date.now()) ? this.expel(ws, CloseCode.ProtocolViolation, `too many invalid frames (last: ${last})`) : undefined;
  }

  private send(ws: WebSocket, msg: ServerMessage): void {
    trySend(ws, JSON.stringify(msg));
  }

  /**
   * Closes a misbehaving socket; its member leaves at once (no grace period, no resume), and,
   * for abuse (floods, garbage), its address is refused by this room for a cool-down.
   */
  private expel(ws: WebSocket, code: number, reason: string, coolDown = true): Promise<void> | undefined {
    if (this.closing.has(ws)) return;
    this.closing.add(ws);
    const room = this.room;
    if (!room) {
      tryClose(ws, code, reason);
      return;
    }
    const { addr } = attachmentOf(ws);
    const id = room.sockets.unbind(ws);
    const { knock } = room.sockets.viaOf(ws);
    room.sockets.gone(ws);
    if (addr && coolDown) room.cooldowns.refuse(addr, Date.now() + COOLDOWN_MS, Date.now());
    const released = id ? this.execute(ws, room.core.expel(id)) : knock !== null ? this.execute(ws, room.core.knockClosed(knock)) : undefined;
    tryClose(ws, code, reason);
    return released;
  }

  /** The socket is gone or going: its member, once, becomes away (and may resume); its knock is withdrawn. */
  private forget(ws: WebSocket): Promise<void> | undefined {
    const room = this.room;
    if (!room) return;
    const id = room.sockets.unbind(ws);
    const { knock } = room.sockets.viaOf(ws);
    room.sockets.gone(ws);
    // Without a grace period the member is gone at once, and its credentials are revoked.
    if (id) return this.execute(ws, room.core.disconnect(id));
    return knock !== null ? this.execute(ws, room.core.knockClosed(knock)) : undefined;
  }
}

/** Recordings the room no longer keeps; a failure leaves them to the bucket's lifecycle rule. */
function deleteVoice(room: LiveRoom, keys: readonly string[]): Promise<void> {
  return room.voice.delete(keys).catch((e: unknown) => logBucketFailure("voice", "delete", e));
}

/** Relayed files whose transfer ended; a failure leaves them to the FILES bucket's lifecycle rule. */
function deleteFiles(room: LiveRoom, keys: readonly string[]): Promise<void> {
  return room.files.delete(keys).catch((e: unknown) => logBucketFailure("files", "delete", e));
}

/**
 * One line per failure, naming the bucket's contents and what failed (`voice-delete-failed`,
 * `files-delete-room-failed`…), never a key: a key names a member's recording or file.
 */
function logBucketFailure(contents: "voice" | "files", what: "delete" | "delete-room", e: unknown): void {
  console.warn(`${contents}-${what}-failed: ${e instanceof Error ? e.name : "unknown error"}`);
}
