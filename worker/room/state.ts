// The room's state as the handlers see it: the members (mirrored to the durable store on every
// change), the lobby's knocks, the room's access settings and its mode (likewise), the chat log,
// the voice uploads, the settings, and the few questions every feature asks of them.

import { inCrowd, LIMITS, type AccessState, type Knock, type PeerInfo, type ReactionBatch, type Role, type RoomSettings, type StageState, type TransportState } from "../../protocol/protocol";
import type { RoomConfig } from "../config";
import type { SfuSessionStore } from "../realtime/session-store";
import { type Admission, type GuardPolicy, SocketGuard, TokenBucket } from "../socket-guard";
import { MemoryAccessStore } from "../storage/access-memory";
import { MemoryModeStore } from "../storage/mode-memory";
import { MemoryTransportStore } from "../storage/transport-memory";
import { MemoryVoiceStore } from "../storage/voice-memory";
import { MemoryFileRelayStore } from "../storage/file-relay-memory";
import { relaysOfGone } from "./features/file-relay-gone";
import { sendTo, type Effect } from "./effects";
import { MemberChat } from "./features/chat-quota";
import { CrowdLedger } from "./features/crowd-ledger";
import type { AccessStore, ChatLog, FileRelayStore, MemberStore, ModeStore, RoomAccess, RoomDeps, RoomMode, RoomTransport, StoredKnock, StoredMember, TransportStore, VoiceStore } from "./ports";

export function info(m: StoredMember): PeerInfo {
  return { id: m.id, name: m.name, media: m.media, joined: m.joined, away: m.awaySince !== null, role: m.role, seat: m.seat, recording: m.recording, sfu: m.sfu };
}

/** Roles that may let knocks in (and hear about them). */
export const isAdmitter = (role: Role): boolean => role === "host" || role === "cohost" || role === "temp-host";
/** Roles that hold the room for good (a temporary host gives way to them). */
export const isKeeper = (role: Role): boolean => role === "host" || role === "cohost";

export const knockInfo = (k: StoredKnock): Knock => ({ id: k.id, name: k.name, at: k.at });

export class RoomState {
  readonly members = new Map<string, StoredMember>();
  /** The lobby's queue, in the order they knocked. */
  readonly knocks = new Map<string, StoredKnock>();
  /** Bumped by every passcode change, so that a hash still running for an older one is dropped. */
  passcodeSeq = 0;
  /** Whether an admitter was present when the knocks were last told (features/hosts.ts). */
  admitterWasPresent = false;
  /**
   * Rationed per member, in memory only: a resume keeps its member's allowance (reconnecting does
   * not buy fresh credentials), and a room woken from hibernation starts everyone afresh.
   */
  private readonly iceBuckets = new Map<string, TokenBucket>();
  /** Each member's chat and history rations, and its unread history reply; kept like iceBuckets. */
  private readonly chats = new Map<string, MemberChat>();
  /** Each member's ration of hand changes (features/stage.ts); kept like iceBuckets. */
  private readonly hands = new Map<string, SocketGuard>();
  /** Each member's ration of voice upload capabilities (features/voice.ts); kept like iceBuckets. */
  private readonly voiceBuckets = new Map<string, TokenBucket>();
  /** Each member's ration of file offers (features/file-relay.ts); kept like iceBuckets. */
  private readonly fileOffers = new Map<string, TokenBucket>();
  /** Each member's ration of reactions (features/reactions.ts); kept like iceBuckets. */
  private readonly reactionGuards = new Map<string, SocketGuard>();
  /** Each member's ration of recording announcements (features/recording.ts); kept like iceBuckets. */
  private readonly recordingGuards = new Map<string, SocketGuard>();
  /** Each member's ration of SFU track announcements (features/transport.ts); kept like iceBuckets. */
  private readonly sfuGuards = new Map<string, SocketGuard>();
  /**
   * The reactions of the last REACTION_RECENT_MS, oldest first, for the welcome
   * (features/reactions.ts). In memory only, unlike everything a late joiner must see for good: a
   * reaction is worth seconds, and storing each would be a write per click. Hibernation forgets
   * them, which loses nothing: the runtime hibernates a room only after it has been idle for some
   * seconds (about ten), when what it held is at or past its ten seconds anyway.
   */
  readonly reactions: ReactionBatch[] = [];
  /**
   * The room's ration of reaction deliveries (features/reactions.ts), made on the first reaction:
   * one token per frame sent, so a big audience's clicks cannot multiply past it.
   */
  private reactionFanOut: TokenBucket | null = null;
  /** Who is in the crowd, who moved in or out of it in this step, and the count sent (features/crowd-ledger.ts). */
  readonly crowd = new CrowdLedger();

  constructor(
    readonly config: RoomConfig,
    readonly log: ChatLog,
    readonly store: MemberStore,
    readonly deps: RoomDeps,
    readonly gate: AccessStore = new MemoryAccessStore(),
    private readonly modes: ModeStore = new MemoryModeStore(),
    readonly voices: VoiceStore = new MemoryVoiceStore(),
    private readonly transports: TransportStore = new MemoryTransportStore(),
    /** Which member created each SFU session through this room's proxy; null without an SFU. */
    readonly sfuSessions: SfuSessionStore | null = null,
    /** Files relayed through the bucket (features/file-relay.ts). */
    readonly relays: FileRelayStore = new MemoryFileRelayStore(),
  ) {
    for (const k of gate.knocks().sort((a, b) => a.at - b.at)) this.knocks.set(k.id, k);
  }

  save(member: StoredMember): void {
    const mode = this.mode.mode;
    const old = this.members.get(member.id);
    this.crowd.changed(member.id, old ? inCrowd(mode, old) : null, inCrowd(mode, member));
    this.members.set(member.id, member);
    this.store.put(member);
  }

  /** A member read back from storage as it was (RoomCore.restore): counted, not written. */
  adopt(member: StoredMember): void {
    this.members.set(member.id, member);
    this.crowd.changed(member.id, null, inCrowd(this.mode.mode, member));
  }

  /**
   * Removes a member for good and tells the others; nothing if it is not (or no longer) here. A
   * raised hand goes with it, and everyone hears the hands that are left (one frame, and only
   * then: clients need not prune the list themselves).
   */
  remove(peerId: string): Effect[] {
    const hand = this.members.get(peerId)?.hand ?? null;
    if (!this.forget(peerId)) return [];
    const effects: Effect[] = [sendTo(this.others(peerId), { type: "peer-left", id: peerId })];
    if (hand !== null) effects.push(sendTo(this.others(peerId), { type: "stage", stage: this.stageState() }));
    effects.push({ kind: "release-ice", peerId });
    // Its relayed files end, and what they stored goes.
    effects.push(...relaysOfGone(this, peerId));
    return effects;
  }

  /** Removes a member without telling anyone (everyone's socket is being closed); true if it was here. */
  forget(peerId: string): boolean {
    const gone = this.members.get(peerId);
    if (!gone) return false;
    this.members.delete(peerId);
    this.crowd.changed(peerId, inCrowd(this.mode.mode, gone), null);
    this.iceBuckets.delete(peerId);
    this.chats.delete(peerId);
    this.hands.delete(peerId);
    this.voiceBuckets.delete(peerId);
    this.fileOffers.delete(peerId);
    // The ends kept for its resume: there will be none.
    this.relays.forgetEnds(peerId);
    this.reactionGuards.delete(peerId);
    this.recordingGuards.delete(peerId);
    this.sfuGuards.delete(peerId);
    this.store.delete(peerId);
    if (this.members.size === 0) this.store.setEmptySince(this.deps.now());
    return true;
  }

  /** The connected members other than `peerId`: whom to tell about it (away members hear nothing). */
  others(peerId: string): string[] {
    const ids: string[] = [];
    for (const m of this.members.values()) if (m.id !== peerId && m.awaySince === null) ids.push(m.id);
    return ids;
  }

  /** Every connected member. */
  present(): StoredMember[] {
    return [...this.members.values()].filter((m) => m.awaySince === null);
  }

  /** The connected members who may admit knocks: whom to tell about the lobby. */
  admitters(): string[] {
    return this.present().filter((m) => isAdmitter(m.role)).map((m) => m.id);
  }

  roster(): PeerInfo[] {
    return [...this.members.values()].map(info);
  }

  settings(): RoomSettings {
    return {
      capacity: this.config.capacity,
      stageViewers: this.config.stageViewers,
      maxFrameBytes: this.config.maxFrameBytes,
      nameMaxChars: LIMITS.nameMaxChars,
      chatMaxChars: LIMITS.chatMaxChars,
      heartbeatMs: this.config.heartbeatMs,
      uploadBudgetKbps: this.config.uploadBudgetKbps,
      meshMax: this.config.meshMax,
      meshViewers: this.config.meshViewers,
      sfuMeetingMax: this.config.sfuMeetingMax,
    };
  }

  /** Mesh or SFU, and since when (features/transport.ts). */
  get transport(): RoomTransport {
    return this.transports.transport();
  }

  setTransport(t: RoomTransport): void {
    this.transports.setTransport(t);
  }

  /** `welcome.transport` and the `transport` frame. */
  transportState(): TransportState {
    return { kind: this.transports.transport().kind, sfu: this.config.sfu };
  }

  /** Meeting or stage (features/stage.ts). */
  get mode(): RoomMode {
    return this.modes.mode();
  }

  /** Switches the mode; members whose crowd flag it changes are noted (features/crowd.ts tells them). */
  setMode(mode: RoomMode): void {
    const before = this.modes.mode().mode;
    this.modes.setMode(mode);
    if (before === mode.mode) return;
    for (const m of this.members.values()) this.crowd.changed(m.id, inCrowd(before, m), inCrowd(mode.mode, m));
  }

  /**
   * The mode and the raised hands, as everyone knows them: every member's with a hand up (away
   * ones too: a hand outlives a dropped socket), oldest first, ids breaking a tie.
   */
  stageState(): StageState {
    const { mode, liveSince } = this.modes.mode();
    const up = [...this.members.values()].filter((m) => m.hand !== null);
    up.sort((a, b) => (a.hand ?? 0) - (b.hand ?? 0) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return { mode, hands: up.map((m) => m.id), liveSince };
  }

  get access(): RoomAccess {
    return this.gate.access();
  }

  /** What everyone may know about how the room is entered: never the passcode or its hash. */
  publicAccess(): AccessState {
    const a = this.gate.access();
    return { lobby: a.lobby, locked: a.locked, passcode: a.passcode !== null, recording: a.recording };
  }

  /** The lobby's queue as admitters see it, oldest first. */
  knockList(): Knock[] {
    return [...this.knocks.values()].map(knockInfo);
  }

  addKnock(knock: StoredKnock): void {
    this.knocks.set(knock.id, knock);
    this.gate.putKnock(knock);
  }

  dropKnock(id: string): StoredKnock | null {
    const knock = this.knocks.get(id);
    if (!knock) return null;
    this.knocks.delete(id);
    this.gate.deleteKnock(id);
    return knock;
  }

  /** A peer id no member has. */
  freshId(taken: ReadonlySet<string> = new Set()): string {
    let id: string;
    do id = this.deps.newPeerId();
    while (this.members.has(id) || taken.has(id));
    return id;
  }

  /** A knock id no knock has (drawn like a peer id, which it looks like on the wire). */
  freshKnockId(): string {
    let id: string;
    do id = this.deps.newPeerId();
    while (this.knocks.has(id));
    return id;
  }

  /** Takes one ICE request from the member's allowance; false when it is spent. */
  takeIceRequest(peerId: string, rate: { perSecond: number; burst: number }): boolean {
    const now = this.deps.now();
    let bucket = this.iceBuckets.get(peerId);
    if (!bucket) this.iceBuckets.set(peerId, (bucket = new TokenBucket(rate, now)));
    return bucket.take(now);
  }

  /** Takes one voice upload from the member's allowance; false when it is spent. */
  takeVoiceUpload(peerId: string, rate: { perSecond: number; burst: number }, now: number): boolean {
    let bucket = this.voiceBuckets.get(peerId);
    if (!bucket) this.voiceBuckets.set(peerId, (bucket = new TokenBucket(rate, now)));
    return bucket.take(now);
  }

  /** Takes one file offer from the member's allowance; false when it is spent. */
  takeFileOffer(peerId: string, rate: { perSecond: number; burst: number }, now: number): boolean {
    let bucket = this.fileOffers.get(peerId);
    if (!bucket) this.fileOffers.set(peerId, (bucket = new TokenBucket(rate, now)));
    return bucket.take(now);
  }

  /** One hand change against the member's ration, guarded like a socket's frames (socket-guard.ts). */
  admitHand(peerId: string, policy: GuardPolicy): Admission {
    const now = this.deps.now();
    let guard = this.hands.get(peerId);
    if (!guard) this.hands.set(peerId, (guard = new SocketGuard(policy, now)));
    return guard.admit(now);
  }

  /** One recording announcement against the member's ration, guarded like hands. */
  admitRecording(peerId: string, policy: GuardPolicy): Admission {
    const now = this.deps.now();
    let guard = this.recordingGuards.get(peerId);
    if (!guard) this.recordingGuards.set(peerId, (guard = new SocketGuard(policy, now)));
    return guard.admit(now);
  }

  /** One SFU track announcement against the member's ration, guarded like hands. */
  admitSfuTracks(peerId: string, policy: GuardPolicy): Admission {
    const now = this.deps.now();
    let guard = this.sfuGuards.get(peerId);
    if (!guard) this.sfuGuards.set(peerId, (guard = new SocketGuard(policy, now)));
    return guard.admit(now);
  }

  /**
   * Whether the room may send `frames` more reaction frames now (one batch to that many members).
   * A batch larger than the burst could never go: no room holds that many (members ≤ 1000 viewers
   * and the speakers, the burst 4000), and the check below says so rather than refusing forever.
   */
  admitReactionFanOut(rate: { perSecond: number; burst: number }, frames: number): boolean {
    const now = this.deps.now();
    this.reactionFanOut ??= new TokenBucket(rate, now);
    return this.reactionFanOut.take(now, Math.min(frames, rate.burst));
  }

  /** One frame of `count` reactions against the member's ration, each one a token; guarded like hands. */
  admitReactions(peerId: string, policy: GuardPolicy, count: number): Admission {
    const now = this.deps.now();
    let guard = this.reactionGuards.get(peerId);
    if (!guard) this.reactionGuards.set(peerId, (guard = new SocketGuard(policy, now)));
    return guard.admit(now, count);
  }

  /** The member's chat allowance (chat-quota.ts), made on first use. */
  chatOf(peerId: string): MemberChat {
    let chat = this.chats.get(peerId);
    if (!chat) this.chats.set(peerId, (chat = new MemberChat(this.config, this.deps.now())));
    return chat;
  }
}
