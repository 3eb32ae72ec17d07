import { useId, useRef } from "preact/hooks";
import type { MediaState } from "../../../protocol/protocol";
import type { PeerState } from "../engine/session/room-session";
import { useI18n } from "./hooks";
import { Icon } from "./icons";
import { useSpeaking } from "./presence/context";
import { TilePresence } from "./presence/tile-presence";
import { TileActions } from "./room/layout/tile-actions";
import { TileSafety } from "./safety/tile-safety";
import { Video } from "./video";
import { useVideoSize } from "./video-size";

export interface TileProps {
  id: string;
  label: string;
  stream: MediaStream | null;
  media: MediaState;
  kind: "camera" | "screen";
  self?: boolean;
  /** Shown as in a mirror; by default our own camera is (a rear camera is not: ui/phone/). */
  mirrored?: boolean;
  connection?: PeerState;
  sinkId?: string | null;
  /** On a full stage the speaker sends us its audio only: an avatar, not a black frame, and no "camera off" badge (it is on). */
  audioOnly?: boolean;
  /** The layout's pin on this tile (room/layout/); without it the tile has no pin or full-screen button. */
  pin?: { pinned: boolean; toggle: () => void };
}

/** One person (or one shared screen) in the grid. */
export function Tile(p: TileProps) {
  const { t } = useI18n();
  const showVideo = p.kind === "screen" || (p.media.cam && p.stream !== null && !p.audioOnly);
  const connection = p.connection && p.connection !== "connected" ? p.connection : null;
  const ref = useRef<HTMLElement>(null);
  const nameId = useId();
  const speaking = useSpeaking(p.id, p.kind);
  useVideoSize(ref, p.id, p.kind === "camera" && !p.self);
  return (
    <figure ref={ref} class={`tile ${p.kind}${p.self ? " self" : ""}${speaking ? " speaking" : ""}`} data-speaking={speaking ? "true" : undefined} data-testid={`tile-${p.kind}-${p.self ? "self" : p.id}`} data-peer={p.id} data-connection={p.connection ?? "self"}>
      {/* The element stays mounted while the camera is off, so remote audio keeps playing. */}
      <Video stream={p.stream} muted={p.self ?? false} mirrored={p.mirrored ?? (p.self && p.kind === "camera")} fit={p.kind === "screen" ? "contain" : "cover"} sinkId={p.sinkId ?? null} />
      {!showVideo && (
        <div class="avatar" aria-hidden="true">
          <span>{[...p.label][0]?.toUpperCase() ?? "?"}</span>
        </div>
      )}
      <figcaption>
        {p.kind === "camera" && !p.media.mic && <span class="badge" title={t("room.muted")} data-testid="mic-off"><Icon name="mic" off /></span>}
        {p.kind === "camera" && !p.media.cam && <span class="badge" title={t("room.camOffBadge")} data-testid="cam-off"><Icon name="cam" off /></span>}
        <span class="name" id={nameId}>{p.label}</span>
      </figcaption>
      {connection && <div class={`conn ${connection}`} data-testid="conn-state">{t(`conn.${connection}`)}</div>}
      <TilePresence peerId={p.id} kind={p.kind} self={p.self} mic={p.media.mic} />
      {p.kind === "camera" && !p.self && <TileSafety peerId={p.id} />}
      {p.pin && <TileActions tile={ref} nameId={nameId} pinned={p.pin.pinned} onPin={p.pin.toggle} />}
    </figure>
  );
}
