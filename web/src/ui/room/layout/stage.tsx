// The call's tiles: this device's camera (and screen, when sharing), then each participant's
// camera and screen, laid out as chooseLayout says: face to face for two, a grid, or one large
// tile over a strip. On a stage only speakers have tiles: a viewer publishes nothing, so neither
// its own self-view nor anyone else's view of it would show anything but an empty frame.
//
// Every tile keeps its element whatever the layout: the tiles are one keyed list in one parent,
// always in the same order, and CSS (layout.css) places each by its slot. A tile moved into
// another parent would be a new <video>, and a speaker's voice (which plays through it) would
// stutter each time the active speaker changed.

import { useEffect, useRef, useState } from "preact/hooks";
import type { LocalMedia, LocalMediaState } from "../../../engine/media/local-media";
import type { SessionState } from "../../../engine/session/room-session";
import { storedPipCorner, storePipCorner } from "../../../stored";
import { useI18n } from "../../hooks";
import { Tile, type TileProps } from "../../tile";
import { chooseLayout, placeOf, tileKey, type Layout, type LayoutTile } from "./choose-layout";
import { nextCorner, type Corner } from "./corners";
import { PipActions, PipShow, usePipDrag } from "./pip";
import type { LayoutChoiceState } from "./use-layout-choice";
import "../layout.css";

interface StageProps {
  name: string;
  state: SessionState;
  local: LocalMediaState;
  media: LocalMedia;
  /** Everyone's label, same names told apart (distinct-names.ts). */
  labels: ReadonlyMap<string, string>;
  /** Whether we are on the stage (always, in a meeting): a viewer has no self-view. */
  selfTile: boolean;
  layout: LayoutChoiceState;
}

type StageTile = TileProps & LayoutTile;

export function Stage({ name, state, local, media, labels, selfTile, layout: choice }: StageProps) {
  const { t } = useI18n();
  const tiles = stageTiles({ name, state, local, media, labels, selfTile }, t);
  const [pinned, setPinned] = useState<string | null>(null);
  const [corner, setCorner] = useState<Corner>(storedPipCorner);
  const [pipHidden, setPipHidden] = useState(false);
  const stage = useRef<HTMLElement>(null);
  const pip = useRef<HTMLDivElement>(null);

  // A pin outlives nothing: once its tile is gone (they left, the share stopped), it is forgotten.
  const pinGone = pinned !== null && !tiles.some((tile) => tile.key === pinned);
  useEffect(() => {
    if (pinGone) setPinned(null);
  }, [pinGone]);

  const layout = chooseLayout({ tiles, pinned, choice: choice.choice, choseDuringShare: choice.choseDuringShare, activeSpeaker: state.presence.activeSpeaker });
  const moveTo = (next: Corner) => {
    setCorner(next);
    storePipCorner(next);
  };
  usePipDrag(pip, stage, layout.kind === "one-to-one" && !pipHidden, moveTo);

  return (
    <section
      ref={stage}
      class="stage"
      style={stageStyle(layout)}
      data-testid="grid"
      data-layout={layout.kind}
      data-cause={layout.kind === "speaker" ? layout.cause : undefined}
      data-strip={layout.kind === "speaker" ? String(layout.strip.length) : undefined}
      data-pip-corner={layout.kind === "one-to-one" ? corner : undefined}
      data-pip-hidden={layout.kind === "one-to-one" && pipHidden ? "" : undefined}
    >
      {tiles.map(({ key, peer: _peer, ...tile }) => {
        const place = placeOf(layout, key);
        const strip = layout.kind === "speaker" ? layout.strip.indexOf(key) : -1;
        const hidden = place === "pip" && pipHidden;
        return (
          <div
            key={key}
            ref={place === "pip" ? pip : undefined}
            class={`slot ${place ?? "cell"}`}
            // In the strip, after the flexible column that centres it (layout.css).
            style={strip >= 0 ? { gridColumn: String(strip + 2) } : undefined}
            data-slot={place ?? "cell"}
            data-main={place === "main" ? "" : undefined}
            hidden={hidden}
          >
            <Tile {...tile} pin={{ pinned: pinned === key, toggle: () => setPinned(pinned === key ? null : key) }} />
            {place === "pip" && <PipActions onMove={() => moveTo(nextCorner(corner))} onHide={() => setPipHidden(true)} />}
          </div>
        );
      })}
      {layout.kind === "one-to-one" && pipHidden && <PipShow key="pip-show" corner={corner} onShow={() => setPipHidden(false)} />}
    </section>
  );
}

/** The grid's columns and rows, as square as the count allows; the strip's length. */
function stageStyle(layout: Layout): Record<string, string> {
  if (layout.kind === "grid") {
    const count = layout.cells.length;
    const columns = Math.max(1, Math.ceil(Math.sqrt(count)));
    return { "--cols": String(columns), "--rows": String(Math.max(1, Math.ceil(count / columns))) };
  }
  if (layout.kind === "speaker") return { "--strip": String(layout.strip.length) };
  return {};
}

type Translate = ReturnType<typeof useI18n>["t"];

function stageTiles({ name, state, local, media, labels: names, selfTile }: Omit<StageProps, "layout">, t: Translate): StageTile[] {
  const selfLabel = (state.selfId !== null && names.get(state.selfId)) || name;
  const tiles: StageTile[] = [];
  if (selfTile) {
    tiles.push({ key: tileKey("camera", null), peer: null, id: "self", label: t("room.youSuffix", { name: selfLabel }), stream: media.cameraStream, media: { mic: local.mic, cam: local.cam, screen: local.screen }, kind: "camera", self: true, mirrored: local.facing !== "environment" });
    if (local.screen && media.tracks.screenStream) {
      tiles.push({ key: tileKey("screen", null), peer: null, id: "self-screen", label: t("room.yourScreen"), stream: media.tracks.screenStream, media: { mic: false, cam: true, screen: true }, kind: "screen", self: true });
    }
  }
  const audioOnly = new Set(state.stage.videoOffFrom);
  for (const p of state.participants) {
    // In a meeting every seat is "speaker": this only ever hides a stage's viewers.
    if (p.seat !== "speaker") continue;
    const label = names.get(p.id) ?? p.name;
    // Someone whose signaling dropped is shown as reconnecting, even while their media still flows.
    const connection = p.away ? "reconnecting" : p.connection;
    tiles.push({ key: tileKey("camera", p.id), peer: p.id, id: p.id, label, stream: p.camera, media: p.media, kind: "camera", connection, sinkId: local.choice.audioOut, audioOnly: audioOnly.has(p.id) });
    if (p.screen) tiles.push({ key: tileKey("screen", p.id), peer: p.id, id: p.id, label: t("room.screenOf", { name: label }), stream: p.screen, media: p.media, kind: "screen", connection, sinkId: local.choice.audioOut });
  }
  return tiles;
}
