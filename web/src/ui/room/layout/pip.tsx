// Our own picture in a corner of a call of two: its buttons (another corner, hide), the button
// that brings it back, and dragging it to the nearest corner with a mouse or a finger.

import type { RefObject } from "preact";
import { useEffect, useRef } from "preact/hooks";
import { useI18n } from "../../hooks";
import { nearestCorner, type Corner } from "./corners";
import { LayoutIcon } from "./layout-icons";

export function PipActions({ onMove, onHide }: { onMove: () => void; onHide: () => void }) {
  const { t } = useI18n();
  return (
    <div class="pip-actions">
      <button type="button" class="pip-action" aria-label={t("layout.pipMove")} title={t("layout.pipMove")} onClick={onMove} data-testid="pip-move">
        <LayoutIcon name="corner" />
      </button>
      <button type="button" class="pip-action" aria-label={t("layout.pipHide")} title={t("layout.pipHide")} onClick={onHide} data-testid="pip-hide">
        <LayoutIcon name="hide" />
      </button>
    </div>
  );
}

/** In the hidden picture's corner, so that it is found where the picture was. */
export function PipShow({ corner, onShow }: { corner: Corner; onShow: () => void }) {
  const { t } = useI18n();
  return (
    <button type="button" class="pip-show" data-corner={corner} onClick={onShow} data-testid="pip-show">
      <LayoutIcon name="show" />
      <span>{t("layout.pipShow")}</span>
    </button>
  );
}

/** A press that travels less than this (px) is a tap, not a drag. */
const DRAG_SLOP = 6;

/**
 * Lets `pip` be dragged within `stage`; on release it settles in the corner nearest to where it
 * was let go. The element follows the pointer by a transform (no re-render per move).
 */
export function usePipDrag(pip: RefObject<HTMLElement | null>, stage: RefObject<HTMLElement | null>, active: boolean, onCorner: (corner: Corner) => void): void {
  // The room re-renders often (levels, stats): the listeners stay, and call the latest handler.
  const settle = useRef(onCorner);
  settle.current = onCorner;
  useEffect(() => {
    const el = pip.current;
    const area = stage.current;
    if (!active || !el || !area) return;
    let start: { x: number; y: number; id: number } | null = null;
    let dragging = false;
    const reset = () => {
      start = null;
      dragging = false;
      el.style.transform = "";
      el.classList.remove("dragging");
    };
    const onDown = (e: PointerEvent) => {
      // The picture's own buttons are pressed, not dragged.
      if (e.button !== 0 || (e.target instanceof Element && e.target.closest("button"))) return;
      start = { x: e.clientX, y: e.clientY, id: e.pointerId };
      el.setPointerCapture(e.pointerId);
    };
    const onMove = (e: PointerEvent) => {
      if (!start || e.pointerId !== start.id) return;
      const dx = e.clientX - start.x;
      const dy = e.clientY - start.y;
      if (!dragging && Math.hypot(dx, dy) < DRAG_SLOP) return;
      dragging = true;
      el.classList.add("dragging");
      el.style.transform = `translate(${dx}px, ${dy}px)`;
    };
    const onUp = (e: PointerEvent) => {
      if (!start || e.pointerId !== start.id) return;
      const moved = dragging;
      const box = el.getBoundingClientRect();
      reset();
      if (moved) settle.current(nearestCorner(box, area.getBoundingClientRect()));
    };
    el.addEventListener("pointerdown", onDown);
    el.addEventListener("pointermove", onMove);
    el.addEventListener("pointerup", onUp);
    el.addEventListener("pointercancel", reset);
    return () => {
      el.removeEventListener("pointerdown", onDown);
      el.removeEventListener("pointermove", onMove);
      el.removeEventListener("pointerup", onUp);
      el.removeEventListener("pointercancel", reset);
      reset();
    };
  }, [active]);
}
