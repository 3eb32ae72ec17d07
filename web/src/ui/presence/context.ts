// What a tile needs of presence, handed down once from the room (room.tsx) instead of through every
// layout's props: who speaks, each connection's quality, the reactions on screen, the audio levels'
// feed, the raised hands and everyone's label. A tile asks by its peer id; the self tile's id is
// "self", which means selfId here.

import { type ComponentChildren, createContext, h, type JSX } from "preact";
import { useContext } from "preact/hooks";
import { type LevelFeed, NO_PRESENCE, type PresenceView, type ReactionItem } from "../../engine/features/presence-view";

export interface PresenceInfo {
  presence: PresenceView;
  reactions: readonly ReactionItem[];
  /** Null until the presence engine provides one (or in a room with no audio to measure). */
  levels: LevelFeed | null;
  /** Raised hands, oldest first. */
  hands: readonly string[];
  selfId: string | null;
  /** Everyone's label, same names told apart (room/distinct-names.ts). */
  labels: ReadonlyMap<string, string>;
}

export const NO_PRESENCE_INFO: PresenceInfo = { presence: NO_PRESENCE, reactions: [], levels: null, hands: [], selfId: null, labels: new Map() };

export const PresenceContext = createContext<PresenceInfo>(NO_PRESENCE_INFO);

/** `tree` with `info` provided to every tile in it. */
export const withPresence = (info: PresenceInfo, tree: ComponentChildren): JSX.Element => h(PresenceContext.Provider, { value: info }, tree);

export const usePresence = (): PresenceInfo => useContext(PresenceContext);

/** A tile's peer id as presence knows it: "self" is selfId (null before the welcome). */
export const peerOf = (tileId: string, info: Pick<PresenceInfo, "selfId">): string | null => (tileId === "self" ? info.selfId : tileId);

/** Whether the person of a camera tile speaks now (a shared screen's tile never rings). */
export function useSpeaking(tileId: string, kind: "camera" | "screen"): boolean {
  const info = usePresence();
  const id = peerOf(tileId, info);
  return kind === "camera" && id !== null && info.presence.speaking.includes(id);
}
