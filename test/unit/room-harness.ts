// Builds a RoomCore over in-memory ports with a controllable clock and predictable ids (p1, p2…,
// tokens token-1…, 22-character keys k000…1…), and runs a join through both of its stages as the
// Durable Object does.

import type { ClientMessage, IceConfig, ServerMessage } from "../../protocol/protocol";
import { roomConfig } from "../../worker/config";
import { RoomCore } from "../../worker/room/core";
import type { Effect, MintIce, Outgoing, Target } from "../../worker/room/effects";
import type { Handlers } from "../../worker/room/handler";
import { MemoryAccessStore } from "../../worker/storage/access-memory";
import { MemoryModeStore } from "../../worker/storage/mode-memory";
import { MemoryVoiceStore } from "../../worker/storage/voice-memory";
import { MemoryChatLog, MemoryMemberStore } from "./memory-chat-log";

export const media = { mic: true, cam: true, screen: false };
/** The room's id in the harness (22 base64url characters, like a real one). */
export const ROOM_ID = "RoomRoomRoomRoomRoom00";

export const ICE: IceConfig = { iceServers: [{ urls: ["turn:127.0.0.1:3478"], username: "u", credential: "c" }], expiresAt: 1, relay: "available" };

export type Welcome = Extract<ServerMessage, { type: "welcome" }>;
export type JoinMessage = Extract<ClientMessage, { type: "join" }>;

/** The frames among the effects, in order. */
export const sends = (effects: readonly Effect[]): Array<{ to: Target; msg: Outgoing }> =>
  effects.flatMap((e) => (e.kind === "send" ? [{ to: e.to, msg: e.msg }] : []));
export const mintOf = (effects: readonly Effect[]): MintIce | undefined => effects.find((e): e is MintIce => e.kind === "mint-ice");
export const kinds = (effects: readonly Effect[]) => effects.map((e) => e.kind);

export function makeRoom(vars: Record<string, string> = {}, options: { handlers?: Handlers; peerIds?: string[]; gate?: MemoryAccessStore } = {}) {
  let n = 0;
  let tokens = 0;
  let keys = 0;
  const clock = { now: 1_000 };
  const log = new MemoryChatLog();
  const store = new MemoryMemberStore();
  const gate = options.gate ?? new MemoryAccessStore();
  // Shared by every core `build` makes, like the object's storage across evictions.
  const modes = new MemoryModeStore();
  const voices = new MemoryVoiceStore();
  const newKey = () => `k${String(++keys).padStart(21, "0")}`;
  const newPeerId = () => options.peerIds?.shift() ?? `p${++n}`;
  const deps = { room: ROOM_ID, now: () => clock.now, newToken: () => `token-${++tokens}`, newPeerId, newKey };
  const build = () => new RoomCore(roomConfig(vars), log, store, deps, options.handlers, gate, modes, voices);
  const room = build();
  const joinMessage = (name: string, extra: { since?: number; resume?: { id: string; token: string } } = {}): JoinMessage => ({
    type: "join", v: 1, name, media, ...(extra.since !== undefined ? { since: extra.since } : {}), ...(extra.resume ? { resume: extra.resume } : {}),
  });
  /** Both stages of a join, as the Durable Object runs them: decide, mint (here: ICE), admit. */
  const join = (name: string, extra: { since?: number; resume?: { id: string; token: string }; core?: RoomCore } = {}) => {
    const core = extra.core ?? room;
    const decided = core.handle(null, joinMessage(name, extra));
    const mint = mintOf(decided);
    const effects = mint ? core.minted(null, mint, ICE) : decided;
    const welcome = sends(effects).find((s) => s.msg.type === "welcome")?.msg as Welcome | undefined;
    return { decided, effects, welcome: welcome!, you: welcome?.you };
  };
  return { room, log, store, gate, modes, voices, join, joinMessage, clock, build };
}
