// The call's tiles: this device's camera (and screen, when sharing), then each participant's
// camera and screen, in a grid as square as the count allows. On a stage only speakers have
// tiles: a viewer publishes nothing, so neither its own self-view nor anyone else's view of it
// would show anything but an empty frame.

import type { LocalMedia, LocalMediaState } from "../../engine/media/local-media";
import type { SessionState } from "../../engine/session/room-session";
import { useI18n } from "../hooks";
import { Tile, type TileProps } from "../tile";

interface GridProps {
  name: string;
  state: SessionState;
  local: LocalMediaState;
  media: LocalMedia;
  /** Everyone's label, same names told apart (distinct-names.ts). */
  labels: ReadonlyMap<string, string>;
  /** Whether we are on the stage (always, in a meeting): a viewer has no self-view. */
  selfTile: boolean;
}

export function Grid({ name, state, local, media, labels: names, selfTile }: GridProps) {
  const { t } = useI18n();
  const selfLabel = (state.selfId !== null && names.get(state.selfId)) || name;
  const tiles: TileProps[] = [];
  if (selfTile) {
    tiles.push({ id: "self", label: t("room.youSuffix", { name: selfLabel }), stream: media.cameraStream, media: { mic: local.mic, cam: local.cam, screen: local.screen }, kind: "camera", self: true });
    if (local.screen && media.tracks.screenStream) {
      tiles.push({ id: "self-screen", label: t("room.yourScreen"), stream: media.tracks.screenStream, media: { mic: false, cam: true, screen: true }, kind: "screen", self: true });
    }
  }
  const audioOnly = new Set(state.stage.videoOffFrom);
  for (const p of state.participants) {
    // In a meeting every seat is "speaker": this only ever hides a stage's viewers.
    if (p.seat !== "speaker") continue;
    const label = names.get(p.id) ?? p.name;
    // Someone whose signaling dropped is shown as reconnecting, even while their media still flows.
    const connection = p.away ? "reconnecting" : p.connection;
    tiles.push({ id: p.id, label, stream: p.camera, media: p.media, kind: "camera", connection, sinkId: local.choice.audioOut, audioOnly: audioOnly.has(p.id) });
    if (p.screen) tiles.push({ id: p.id, label: t("room.screenOf", { name: label }), stream: p.screen, media: p.media, kind: "screen", connection, sinkId: local.choice.audioOut });
  }
  const columns = Math.max(1, Math.ceil(Math.sqrt(tiles.length)));
  return (
    <section class="grid" style={{ "--cols": String(columns), "--rows": String(Math.max(1, Math.ceil(tiles.length / columns))) }} data-testid="grid">
      {tiles.map((tile) => <Tile key={`${tile.kind}-${tile.id}`} {...tile} />)}
    </section>
  );
}
