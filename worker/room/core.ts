// The room's behaviour, free of sockets and storage: given who sent what, it answers with the
// effects the adapter must carry out (room/effects.ts). The Durable Object (durable/room-do.ts)
// only translates between this and the runtime. The room relays signaling; it never looks
// inside it.
//
// Members outlive their sockets for a grace period: a dropped socket makes its member "away",
// and a join that presents the member's resume token within the grace period takes the same
// seat back, so the others see no leave and no join.

import { assertNever, type ClientMessage, type ClientType, type IceConfig, type Mode, type PeerInfo, type RoomSettings, type TransportState } from "../../protocol/protocol";
import type { RoomConfig } from "../config";
import type { SfuSessionStore } from "../realtime/session-store";
import type { SfuCaller } from "../realtime/sfu-proxy";
import { refuse, SCHEDULE, sendTo, type CheckJoin, type Effect, type JoinChecked, type MintIce } from "./effects";
import { passcodeHashed } from "./features/access";
import { promoteTempHost, reviewHosts, settleHosts, tempHostDue } from "./features/hosts";
import { iceMinted } from "./features/ice";
import { admit, joinChecked } from "./features/join";
import { expireKnocks, knockDeadline, knockGone } from "./features/lobby";
import { audienceDeadline, audienceDue, settleCrowd } from "./features/crowd";
import { capacityOf } from "./features/seats";
import { sfuCaller } from "./features/sfu";
import { reviewTransport, transportDue } from "./features/transport";
import { claimRelayUpload, relayDeadline, relayFetchable, relayStored, relayUploadFailed, sweepRelays, type RelayVerdict } from "./features/file-relay";
import { claimUpload, playable, uploaded, uploadFailed, type VoiceVerdict } from "./features/voice";
import { forbiddenText, may, type Handler, type Handlers, type MessageOf } from "./handler";
import { HANDLERS } from "./handlers";
import {
  DEFAULT_ACCESS,
  NO_VIA,
  type AccessStore,
  type ChatLog,
  type FileRelayStore,
  type MemberStore,
  type ModeStore,
  type RoomDeps,
  type StoredMember,
  type TransportStore,
  type Via,
  type VoiceStore,
} from "./ports";
import { RoomState } from "./state";

/**
 * Frames after which the room's counts (members, viewers, mode) may have changed: the transport
 * is reviewed after them (features/transport.ts), and after nothing else on the relay's path.
 */
const RECOUNT: ReadonlySet<ClientType> = new Set<ClientType>(["join", "leave", "admit", "remove", "end-meeting", "set-mode", "set-seat", "leave-stage"]);

export class RoomCore {
  private readonly room: RoomState;

  constructor(
    config: RoomConfig,
    log: ChatLog,
    store: MemberStore,
    deps: RoomDeps,
    /** The handler table; tests swap entries to exercise permissions no real message needs yet. */
    private readonly handlers: Handlers = HANDLERS,
    /** Access settings, knocks and what the room remembers against devices (in memory if not given). */
    gate?: AccessStore,
    /** Meeting or stage (in memory if not given). */
    modes?: ModeStore,
    /** Voice uploads (in memory if not given). */
    voices?: VoiceStore,
    /** Mesh or SFU, and when it last switched (in memory if not given). */
    transports?: TransportStore,
    /** The SFU sessions members created through the proxy (realtime/session-store.ts); none without an SFU. */
    sfuSessions: SfuSessionStore | null = null,
    /** Files relayed through the bucket (in memory if not given). */
    relays?: FileRelayStore,
  ) {
    this.room = new RoomState(config, log, store, deps, gate, modes, voices, transports, sfuSessions, relays);
  }

  /**
   * Rebuilds the roster from storage after the object was constructed anew. Members whose socket
   * did not survive (eviction closed it) become away, so they can still resume. Knocks whose
   * socket did not survive are gone (nobody is there to let in).
   */
  restore(connected: ReadonlySet<string>, knocking: ReadonlySet<string> = new Set()): void {
    const now = this.room.deps.now();
    for (const m of this.room.store.all()) {
      if (connected.has(m.id) && m.awaySince !== null) this.room.save({ ...m, awaySince: null });
      else if (!connected.has(m.id) && m.awaySince === null) this.room.save({ ...m, awaySince: now });
      else this.room.adopt(m);
    }
    for (const id of [...this.room.knocks.keys()]) if (!knocking.has(id)) this.room.dropKnock(id);
    settleHosts(this.room);
    this.room.crowd.restored();
  }

  has(peerId: string): boolean {
    return this.room.members.has(peerId);
  }

  get size(): number {
    return this.room.members.size;
  }

  /** Most members the room takes in its current mode (a stage takes more than a meeting). */
  get capacity(): number {
    return capacityOf(this.room);
  }

  get mode(): Mode {
    return this.room.mode.mode;
  }

  roster(): PeerInfo[] {
    return this.room.roster();
  }

  settings(): RoomSettings {
    return this.room.settings();
  }

  /** Mesh or SFU, as the welcome says it. */
  transport(): TransportState {
    return this.room.transportState();
  }

  /**
   * A validated frame from a socket; `sender` is the member its attachment names, or null before
   * it joined; `via` what else the room knows about the socket (its knock, its address).
   */
  handle(sender: string | null, msg: ClientMessage, via: Via = NO_VIA): Effect[] {
    let from = this.member(sender);
    // Any frame after a resume's welcome shows the client has its new token: the old one ends.
    if (from !== null && from.prevToken !== null) this.room.save((from = { ...from, prevToken: null }));
    const effects = this.dispatch(msg.type, msg, from, via);
    return this.settled(sender, RECOUNT.has(msg.type) ? this.recounted(effects) : effects);
  }

  /**
   * Every step's effects end here: what the crowd may not hear is dropped, members that came into
   * or out of each other's sight are told (features/crowd.ts), and the audience's count goes out
   * when due.
   */
  private settled(sender: string | null, effects: Effect[]): Effect[] {
    const out = settleCrowd(this.room, sender, effects);
    const count = audienceDue(this.room);
    return count.length ? [...out, ...count] : out;
  }

  /** `effects`, then the transport switch they made due, if any (features/transport.ts). */
  private recounted(effects: Effect[]): Effect[] {
    const review = reviewTransport(this.room);
    return review.length ? [...effects, ...review] : effects;
  }

  /** The one place where a handler's declared permission is enforced. */
  private dispatch<K extends ClientMessage["type"]>(type: K, msg: MessageOf<K>, from: StoredMember | null, via: Via): Effect[] {
    const handler: Handler<MessageOf<K>> = this.handlers[type];
    if (handler.who === "any") return handler.run(this.room, from, msg, via);
    if (from === null) return refuse("not-joined", `send "join" before "${type}"`);
    // Every role is a member: the relay path (signal) does no lookup here.
    if (handler.who !== "member" && !may(from.role, handler.who)) return refuse("forbidden", forbiddenText(handler.who, type));
    return handler.run(this.room, from, msg);
  }

  /**
   * The credentials a `mint-ice` effect asked for are ready: what follows for the socket that
   * caused it (for a knock admitted from the lobby, the knocker's socket).
   */
  minted(sender: string | null, mint: MintIce, ice: IceConfig, via: Via = NO_VIA): Effect[] {
    const from = this.member(sender);
    switch (mint.then) {
      case "welcome":
        return this.settled(sender, this.recounted(admit(this.room, from, mint, ice, via)));
      case "ice":
        return this.settled(sender, iceMinted(from, mint.peerId, ice));
      default:
        return assertNever(mint);
    }
  }

  /** What a `check-join` effect asked about the join's host key or passcode is known: the join goes on. */
  checked(sender: string | null, via: Via, check: CheckJoin, result: JoinChecked): Effect[] {
    return this.settled(sender, joinChecked(this.room, this.member(sender), via, check, result));
  }

  /** A passcode a host set has been hashed (`hash-passcode`). */
  passcodeHashed(seq: number, record: string): Effect[] {
    return this.settled(null, passcodeHashed(this.room, seq, record));
  }

  /** A PUT of a voice recording presents its capability: may it upload, and what (features/voice.ts)? Spends the capability. */
  claimUpload(key: string, cap: string | null): VoiceVerdict {
    return claimUpload(this.room, key, cap);
  }

  /** The claimed recording is stored; false if the room forgot it meanwhile (delete the object). */
  uploaded(key: string, bytes: number): boolean {
    return uploaded(this.room, key, bytes);
  }

  /** The claimed upload was refused or failed: nothing was stored. */
  uploadFailed(key: string): void {
    uploadFailed(this.room, key);
  }

  /** A GET or HEAD of a voice recording with a media token: may it play? */
  playable(key: string, token: string | null): VoiceVerdict {
    return playable(this.room, key, token);
  }

  /** A PUT of a relayed file presents its capability: may it upload, and what (features/file-relay.ts)? Spends the capability. */
  claimRelayUpload(key: string, cap: string | null): RelayVerdict {
    return claimRelayUpload(this.room, key, cap);
  }

  /** The claimed file is stored: the recipient hears it is ready. Null if the room forgot it meanwhile (delete the object). */
  relayStored(key: string): Effect[] | null {
    const effects = relayStored(this.room, key);
    return effects && this.settled(null, effects);
  }

  /** The claimed upload was refused or failed: the transfer ends for both. */
  relayUploadFailed(key: string): Effect[] {
    return this.settled(null, relayUploadFailed(this.room, key));
  }

  /** A GET or HEAD of a relayed file with a media token: is it the recipient's, and stored? */
  relayFetchable(key: string, token: string | null): RelayVerdict {
    return relayFetchable(this.room, key, token);
  }

  /** An SFU proxy call presents a media token: which member is calling, if any (features/sfu.ts)? */
  sfuCaller(token: string | null): SfuCaller | null {
    return sfuCaller(this.room, token);
  }

  /** A knocker's socket is gone (closed, dropped, or closed by the room): its knock is withdrawn. */
  knockClosed(knock: string): Effect[] {
    const effects = knockGone(this.room, knock);
    return this.settled(null, effects.length ? [...effects, SCHEDULE] : effects);
  }

  /**
   * The member's socket is gone without a `leave`: it becomes away for the grace period.
   * Idempotent: a socket may report both an error and a close.
   */
  disconnect(peerId: string): Effect[] {
    const m = this.room.members.get(peerId);
    if (!m || m.awaySince !== null) return [];
    if (this.room.config.graceMs <= 0) return this.settled(null, this.recounted([...this.room.remove(peerId), ...reviewHosts(this.room), SCHEDULE]));
    this.room.save({ ...m, awaySince: this.room.deps.now() });
    return this.settled(null, [sendTo(this.room.others(peerId), { type: "peer-presence", id: peerId, away: true }), ...reviewHosts(this.room), SCHEDULE]);
  }

  /** Removes a member at once, without a grace period (it broke the rules). */
  expel(peerId: string): Effect[] {
    const gone = this.room.remove(peerId);
    return gone.length ? this.settled(null, this.recounted([...gone, ...reviewHosts(this.room), SCHEDULE])) : gone;
  }

  /**
   * The room was just created (POST /api/rooms): it is empty, so the retention clock starts now.
   * A room nobody ever joins is deleted like one everybody left. `hostKey` is the host key's
   * hash; `lobby` whether newcomers knock from the start; `mode` a meeting (the default) or a
   * stage, live from now on.
   */
  created(init: { hostKey: string | null; lobby: boolean; mode?: Mode } = { hostKey: null, lobby: false }): Effect[] {
    this.room.gate.setAccess({ ...DEFAULT_ACCESS, hostKey: init.hostKey, lobby: init.lobby });
    if (init.mode === "stage") this.room.setMode({ mode: "stage", liveSince: this.room.deps.now() });
    this.room.store.setEmptySince(this.room.deps.now());
    this.room.crowd.closeStep();
    return [SCHEDULE];
  }

  /**
   * Ends the grace period of members away for too long, expires knocks nobody answered, hands
   * over to a temporary host when none has been present long enough, and deletes a room that has
   * stood empty past its retention: its chat, its roster, everything (privacy, and no storage kept
   * forever).
   */
  expire(): Effect[] {
    const { config, store, deps } = this.room;
    const now = deps.now();
    const effects: Effect[] = [];
    for (const m of [...this.room.members.values()]) {
      if (m.awaySince !== null && now - m.awaySince >= config.graceMs) effects.push(...this.room.remove(m.id));
    }
    effects.push(...expireKnocks(this.room), ...reviewHosts(this.room), ...promoteTempHost(this.room), ...reviewTransport(this.room), ...sweepRelays(this.room, now));
    const emptySince = store.emptySince();
    if (this.room.members.size === 0 && emptySince !== null && now - emptySince >= config.retentionMs) return [...effects, { kind: "delete-room" }];
    effects.push(SCHEDULE);
    return this.settled(null, effects);
  }

  /** When `expire` has work to do next, or null. */
  nextDeadline(): number | null {
    const { config, store } = this.room;
    let next: number | null = null;
    const consider = (t: number | null) => {
      if (t !== null) next = next === null ? t : Math.min(next, t);
    };
    for (const m of this.room.members.values()) if (m.awaySince !== null) consider(m.awaySince + config.graceMs);
    consider(knockDeadline(this.room));
    consider(tempHostDue(this.room));
    consider(transportDue(this.room));
    consider(relayDeadline(this.room));
    consider(audienceDeadline(this.room));
    const emptySince = store.emptySince();
    if (emptySince !== null) consider(emptySince + config.retentionMs);
    return next;
  }

  private member(id: string | null): StoredMember | null {
    return id === null ? null : (this.room.members.get(id) ?? null);
  }
}
