// Which tile goes where: a pure function from the call's tiles and the person's choices to a
// layout. It knows no DOM and no Preact, so every rule below is a unit test (test/unit/layouts.test.ts).
//
// - one-to-one: exactly one other camera and ours, nothing shared: they fill the stage, we are a
//   small picture in a corner (as FaceTime and Meet do for a call of two).
// - grid: everyone the same size.
// - speaker: one tile large, the rest in a strip. The large one is, in this order: a pinned tile,
//   a shared screen (unless the person picked another layout while it runs), the active speaker,
//   the first other person.

/** What the person picks in the layout menu; remembered on this device (stored.ts). */
export type LayoutChoice = "auto" | "grid" | "speaker";

export const LAYOUT_CHOICES: readonly LayoutChoice[] = ["auto", "grid", "speaker"];

export const isLayoutChoice = (value: unknown): value is LayoutChoice => LAYOUT_CHOICES.includes(value as LayoutChoice);

/** One tile as the layout sees it. */
export interface LayoutTile {
  /** Unique among the tiles (tileKey). */
  key: string;
  kind: "camera" | "screen";
  /** The participant it shows; null for this device's own tiles. */
  peer: string | null;
}

/** The one key of a tile: a participant has a camera tile and, while sharing, a screen tile. */
export const tileKey = (kind: LayoutTile["kind"], peer: string | null): string => `${kind}-${peer ?? "self"}`;

export interface LayoutInput {
  /** In the order the stage lists them (ours first, then the others as the roster has them). */
  tiles: readonly LayoutTile[];
  /** The key of the tile the person pinned, if any; a key no tile has any more is ignored. */
  pinned: string | null;
  choice: LayoutChoice;
  /** The person picked a layout while the current screen sharing runs: that choice holds over the share. */
  choseDuringShare: boolean;
  /** The participant heard last (presence-view.ts); never us. */
  activeSpeaker: string | null;
}

/** What made a speaker layout: the strip's reason for being there, for tests and styling. */
export type SpeakerCause = "pinned" | "screen" | "speaker";

export type Layout =
  | { kind: "grid"; cells: readonly string[] }
  | { kind: "one-to-one"; main: string; pip: string }
  | { kind: "speaker"; cause: SpeakerCause; main: string; strip: readonly string[] };

export type Place = "cell" | "main" | "pip" | "strip";

export function chooseLayout({ tiles, pinned, choice, choseDuringShare, activeSpeaker }: LayoutInput): Layout {
  const keys = tiles.map((t) => t.key);
  const speaker = (cause: SpeakerCause, main: string): Layout => ({ kind: "speaker", cause, main, strip: keys.filter((k) => k !== main) });

  if (pinned !== null && keys.includes(pinned)) return speaker("pinned", pinned);

  const share = largeShare(tiles, activeSpeaker);
  if (share && (choice === "auto" || !choseDuringShare)) return speaker("screen", share);

  if (choice === "grid") return { kind: "grid", cells: keys };
  if (choice === "speaker") {
    const main = cameraOf(tiles, activeSpeaker) ?? tiles.find((t) => t.peer !== null && t.kind === "camera")?.key ?? keys[0];
    return main === undefined ? { kind: "grid", cells: [] } : speaker("speaker", main);
  }

  // Auto: face to face for two, a grid otherwise (a share was handled above).
  const ours = tiles.find((t) => t.peer === null && t.kind === "camera");
  const theirs = tiles.filter((t) => t.peer !== null);
  if (tiles.length === 2 && ours && theirs.length === 1 && theirs[0]!.kind === "camera") return { kind: "one-to-one", main: theirs[0]!.key, pip: ours.key };
  return { kind: "grid", cells: keys };
}

/** Where a tile sits in a layout; null for a tile the layout does not know. */
export function placeOf(layout: Layout, key: string): Place | null {
  switch (layout.kind) {
    case "grid":
      return layout.cells.includes(key) ? "cell" : null;
    case "one-to-one":
      return key === layout.main ? "main" : key === layout.pip ? "pip" : null;
    case "speaker":
      return key === layout.main ? "main" : layout.strip.includes(key) ? "strip" : null;
    default:
      return layout satisfies never;
  }
}

/** The screen to show large: the active speaker's, else the first other person's, else ours. */
function largeShare(tiles: readonly LayoutTile[], activeSpeaker: string | null): string | null {
  const screens = tiles.filter((t) => t.kind === "screen");
  const pick = screens.find((t) => t.peer !== null && t.peer === activeSpeaker) ?? screens.find((t) => t.peer !== null) ?? screens[0];
  return pick?.key ?? null;
}

function cameraOf(tiles: readonly LayoutTile[], peer: string | null): string | null {
  if (peer === null) return null;
  return tiles.find((t) => t.kind === "camera" && t.peer === peer)?.key ?? null;
}
