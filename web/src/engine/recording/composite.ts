// Draws one frame of the recording: the tiles where the stage has them (`layout()`, read every
// frame), cameras filling their tile (cover), screens whole (contain), our own camera as the
// others see it (not mirrored), a placeholder with the name for a camera that is off, and a name
// label on each tile.

import type { CompositeTile } from "./contract";
import type { FrameSource } from "./frame-copies";

const BACKGROUND = "#111317";
const PLACEHOLDER = "#2a2e36";
const LABEL_BACK = "rgba(0, 0, 0, 0.55)";
const TEXT = "#f2f4f8";
const GAP = 4;

export interface DrawOptions {
  /** Name labels on the tiles (the self recording has one tile and no label). */
  labels: boolean;
  /** What to draw for a tile's video (frame-copies.ts: a copy of its frame), or null for the placeholder. */
  source(video: HTMLVideoElement): FrameSource | null;
}

/** Fits a source of `sw`×`sh` into the box: cover crops the overflow, contain letterboxes. */
export function fit(sw: number, sh: number, box: { x: number; y: number; w: number; h: number }, mode: "cover" | "contain") {
  const scale = mode === "cover" ? Math.max(box.w / sw, box.h / sh) : Math.min(box.w / sw, box.h / sh);
  const w = sw * scale;
  const h = sh * scale;
  return { x: box.x + (box.w - w) / 2, y: box.y + (box.h - h) / 2, w, h };
}

export function drawFrame(g: CanvasRenderingContext2D, width: number, height: number, tiles: readonly CompositeTile[], options: DrawOptions): void {
  g.fillStyle = BACKGROUND;
  g.fillRect(0, 0, width, height);
  for (const tile of tiles) {
    const box = {
      x: Math.round(tile.x * width) + GAP / 2,
      y: Math.round(tile.y * height) + GAP / 2,
      w: Math.round(tile.w * width) - GAP,
      h: Math.round(tile.h * height) - GAP,
    };
    if (box.w <= 0 || box.h <= 0) continue;
    g.save();
    g.beginPath();
    g.rect(box.x, box.y, box.w, box.h);
    g.clip();
    // Before a video's first frame the placeholder stands in.
    const frame = tile.video ? options.source(tile.video) : null;
    if (frame) {
      const at = fit(frame.width, frame.height, box, tile.screen ? "contain" : "cover");
      // Drawn straight: the stage mirrors our own camera with CSS, the recording does not.
      g.drawImage(frame.image, at.x, at.y, at.w, at.h);
    } else {
      placeholder(g, box, tile.name);
    }
    if (options.labels && tile.name) label(g, box, tile.name);
    g.restore();
  }
}

function placeholder(g: CanvasRenderingContext2D, box: { x: number; y: number; w: number; h: number }, name: string): void {
  g.fillStyle = PLACEHOLDER;
  g.fillRect(box.x, box.y, box.w, box.h);
  if (!name) return;
  const size = Math.max(14, Math.min(48, Math.round(box.h / 6)));
  g.fillStyle = TEXT;
  g.font = `${size}px system-ui, sans-serif`;
  g.textAlign = "center";
  g.textBaseline = "middle";
  g.fillText(name, box.x + box.w / 2, box.y + box.h / 2, box.w - 16);
}

function label(g: CanvasRenderingContext2D, box: { x: number; y: number; w: number; h: number }, name: string): void {
  const size = Math.max(12, Math.min(22, Math.round(box.h / 14)));
  g.font = `${size}px system-ui, sans-serif`;
  g.textAlign = "left";
  g.textBaseline = "middle";
  const pad = Math.round(size / 2);
  const w = Math.min(g.measureText(name).width + pad * 2, box.w - pad * 2);
  const h = size + pad;
  const x = box.x + pad;
  const y = box.y + box.h - h - pad;
  g.fillStyle = LABEL_BACK;
  g.fillRect(x, y, w, h);
  g.fillStyle = TEXT;
  g.fillText(name, x + pad, y + h / 2, w - pad * 2);
}
