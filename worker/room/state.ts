// The room's state as the handlers see it: the members (mirrored to the durable store on every
// change), the chat log, the settings, and the few questions every feature asks of them.

import { LIMITS, type PeerInfo, type RoomSettings } from "../../protocol/protocol";
import type { RoomConfig } from "../config";
import { TokenBucket } from "../socket-guard";
import { sendTo, type Effect } from "./effects";
import { MemberChat } from "./features/chat-quota";
import type { ChatLog, MemberStore, RoomDeps, StoredMember } from "./ports";

export function info(m: StoredMember): PeerInfo {
  return { id: m.id, name: m.name, media: m.media, joined: m.joined, away: m.awaySince !== null };
}

export class RoomState {
  readonly members = new Map<string, StoredMember>();
  /**
   * Rationed per member, in memory only: a resume keeps its member's allowance (reconnecting does
   * not buy fresh credentials), and a room woken from hibernation starts everyone afresh.
   */
  private readonly iceBuckets = new Map<string, TokenBucket>();
  /** Each member's chat and history rations, and its unread history reply; kept like iceBuckets. */
  private readonly chats = new Map<string, MemberChat>();

  constructor(
    readonly config: RoomConfig,
    readonly log: ChatLog,
    readonly store: MemberStore,
    readonly deps: RoomDeps,
  ) {}

  save(member: StoredMember): void {
    this.members.set(member.id, member);
    this.store.put(member);
  }

  /** Removes a member for good and tells the others; nothing if it is not (or no longer) here. */
  remove(peerId: string): Effect[] {
    if (!this.members.delete(peerId)) return [];
    this.iceBuckets.delete(peerId);
    this.chats.delete(peerId);
    this.store.delete(peerId);
    if (this.members.size === 0) this.store.setEmptySince(this.deps.now());
    return [sendTo(this.others(peerId), { type: "peer-left", id: peerId }), { kind: "release-ice", peerId }];
  }

  /** The connected members other than `peerId`: whom to tell about it (away members hear nothing). */
  others(peerId: string): string[] {
    const ids: string[] = [];
    for (const m of this.members.values()) if (m.id !== peerId && m.awaySince === null) ids.push(m.id);
    return ids;
  }

  roster(): PeerInfo[] {
    return [...this.members.values()].map(info);
  }

  get full(): boolean {
    return this.members.size >= this.config.capacity;
  }

  settings(): RoomSettings {
    return {
      capacity: this.config.capacity,
      maxFrameBytes: this.config.maxFrameBytes,
      nameMaxChars: LIMITS.nameMaxChars,
      chatMaxChars: LIMITS.chatMaxChars,
      heartbeatMs: this.config.heartbeatMs,
      uploadBudgetKbps: this.config.uploadBudgetKbps,
    };
  }

  /** A peer id no member has. */
  freshId(): string {
    let id: string;
    do id = this.deps.newPeerId();
    while (this.members.has(id));
    return id;
  }

  /** Takes one ICE request from the member's allowance; false when it is spent. */
  takeIceRequest(peerId: string, rate: { perSecond: number; burst: number }): boolean {
    const now = this.deps.now();
    let bucket = this.iceBuckets.get(peerId);
    if (!bucket) this.iceBuckets.set(peerId, (bucket = new TokenBucket(rate, now)));
    return bucket.take(now);
  }

  /** The member's chat allowance (chat-quota.ts), made on first use. */
  chatOf(peerId: string): MemberChat {
    let chat = this.chats.get(peerId);
    if (!chat) this.chats.set(peerId, (chat = new MemberChat(this.config, this.deps.now())));
    return chat;
  }
}
