// The self-view's corner in a call of two: which comes next for the "move" button, and which is
// nearest where a drag let go. Pure, so the rules are unit tests (test/unit/layouts.test.ts).

export type Corner = "bottom-right" | "bottom-left" | "top-left" | "top-right";

/** Clockwise from the default, bottom right (out of the way of the name, bottom left). */
export const CORNERS: readonly Corner[] = ["bottom-right", "bottom-left", "top-left", "top-right"];

export const isCorner = (value: unknown): value is Corner => CORNERS.includes(value as Corner);

export const nextCorner = (corner: Corner): Corner => CORNERS[(CORNERS.indexOf(corner) + 1) % CORNERS.length]!;

interface Box {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** The corner of `area` nearest the centre of `box` (both in the same coordinates). */
export function nearestCorner(box: Box, area: Box): Corner {
  const x = box.left + box.width / 2 - area.left;
  const y = box.top + box.height / 2 - area.top;
  const vertical = y < area.height / 2 ? "top" : "bottom";
  const horizontal = x < area.width / 2 ? "left" : "right";
  return `${vertical}-${horizontal}`;
}
