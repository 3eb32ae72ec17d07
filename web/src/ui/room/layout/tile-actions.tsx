// A tile's own buttons: pin it (the speaker layout, this tile large) and full screen (the tile
// element itself, so its name and buttons come along; Esc leaves, as the browser says). A double
// click on the tile does the same as the full-screen button. Where the browser cannot put an
// element in full screen (iPhone Safari: only a <video>, and then without our controls) there is
// no button rather than one that does nothing.

import type { RefObject } from "preact";
import { useEffect, useState } from "preact/hooks";
import { useI18n } from "../../hooks";
import { LayoutIcon } from "./layout-icons";

interface TileActionsProps {
  /** The tile's element: what goes full screen, and where a double click is heard. */
  tile: RefObject<HTMLElement | null>;
  /** The id of the element that names the tile: each button says whose tile it acts on. */
  nameId: string;
  pinned: boolean;
  onPin: () => void;
}

const canFullscreen = () => typeof document !== "undefined" && document.fullscreenEnabled === true;

export function TileActions({ tile, nameId, pinned, onPin }: TileActionsProps) {
  const { t } = useI18n();
  const full = useFullscreen(tile);
  const fullscreenable = canFullscreen();
  return (
    <div class="tile-actions">
      <button type="button" class={`tile-action${pinned ? " active" : ""}`} aria-pressed={pinned} aria-label={pinned ? t("layout.unpin") : t("layout.pin")} aria-describedby={nameId} title={pinned ? t("layout.unpin") : t("layout.pin")} onClick={onPin} data-testid="tile-pin">
        <LayoutIcon name={pinned ? "unpin" : "pin"} />
      </button>
      {fullscreenable && (
        <button type="button" class="tile-action" aria-label={full ? t("layout.exitFullscreen") : t("layout.fullscreen")} aria-describedby={nameId} title={full ? t("layout.exitFullscreen") : t("layout.fullscreen")} onClick={() => toggleFullscreen(tile.current)} data-testid="tile-fullscreen">
          <LayoutIcon name={full ? "fullscreen-exit" : "fullscreen"} />
        </button>
      )}
    </div>
  );
}

/** Whether this tile is the document's full-screen element now; a double click on it toggles that. */
function useFullscreen(tile: RefObject<HTMLElement | null>): boolean {
  const [full, setFull] = useState(false);
  useEffect(() => {
    const el = tile.current;
    if (!el) return;
    const onChange = () => setFull(document.fullscreenElement === el);
    // A double click on a button is two presses of it, not a wish for full screen.
    const onDoubleClick = (e: MouseEvent) => {
      // Not from a control, nor from a popover drawn in the top layer but still inside the tile (a
      // double click there selects a number).
      if (!(e.target instanceof Element && e.target.closest("button, a, input, [popover], .pop")) && canFullscreen()) toggleFullscreen(el);
    };
    document.addEventListener("fullscreenchange", onChange);
    el.addEventListener("dblclick", onDoubleClick);
    return () => {
      document.removeEventListener("fullscreenchange", onChange);
      el.removeEventListener("dblclick", onDoubleClick);
    };
  }, [tile]);
  return full;
}

function toggleFullscreen(el: HTMLElement | null): void {
  if (!el) return;
  // Refused without a user gesture or by a permissions policy: the tile simply stays where it is.
  if (document.fullscreenElement === el) void document.exitFullscreen().catch(() => {});
  else void el.requestFullscreen().catch(() => {});
}
