// What the composite recording draws each frame: the stage's tiles as the page lays them out now,
// read from the DOM (ui/room/layout/stage.tsx renders them), so that the recording shows the call
// as the recorder sees it, layout changes, pins and shares included. Asked 30 times a second: a
// query and a rect per tile, nothing more.

import type { CompositeTile } from "../../engine/recording/contract";

/** The stage element (stage.tsx's section); null while there is none (a refusal screen, a lobby). */
const stageElement = (): HTMLElement | null => document.querySelector<HTMLElement>('[data-testid="grid"]');

/**
 * The tiles with their places as fractions of the stage, in the order to draw them: a picture in
 * picture last (it sits over the main tile); hidden ones (a dismissed self-view) not at all.
 * `selfName` names our own camera tile, whose label on screen says "(you)".
 */
export function readLayout(selfName: string, root: ParentNode = document): CompositeTile[] {
  const stage = root === document ? stageElement() : root.querySelector<HTMLElement>('[data-testid="grid"]');
  if (!stage) return [];
  const box = stage.getBoundingClientRect();
  if (box.width <= 0 || box.height <= 0) return [];
  const tiles: Array<CompositeTile & { over: boolean }> = [];
  for (const figure of stage.querySelectorAll<HTMLElement>("figure.tile")) {
    const rect = figure.getBoundingClientRect();
    if (rect.width <= 0 || rect.height <= 0) continue;
    const self = figure.classList.contains("self");
    const screen = figure.classList.contains("screen");
    // A tile whose camera is off (or whose video does not come: a full stage) draws its avatar: the name on a plain tile.
    const video = figure.querySelector(".avatar") ? null : figure.querySelector("video");
    const label = figure.querySelector("figcaption .name")?.textContent ?? "";
    tiles.push({
      video,
      name: self && !screen ? selfName : label,
      x: (rect.left - box.left) / box.width,
      y: (rect.top - box.top) / box.height,
      w: rect.width / box.width,
      h: rect.height / box.height,
      self,
      screen,
      over: figure.closest('[data-slot="pip"]') !== null,
    });
  }
  // A stable sort: the page's order otherwise.
  tiles.sort((a, b) => Number(a.over) - Number(b.over));
  return tiles.map(({ over: _over, ...tile }) => tile);
}
