import { describe, expect, it } from "vitest";
import { chooseLayout, isLayoutChoice, placeOf, tileKey, type LayoutInput, type LayoutTile } from "../../web/src/ui/room/layout/choose-layout";
import { CORNERS, isCorner, nearestCorner, nextCorner } from "../../web/src/ui/room/layout/corners";

const camera = (peer: string | null): LayoutTile => ({ key: tileKey("camera", peer), kind: "camera", peer });
const screen = (peer: string | null): LayoutTile => ({ key: tileKey("screen", peer), kind: "screen", peer });

const input = (tiles: LayoutTile[], more: Partial<LayoutInput> = {}): LayoutInput => ({ tiles, pinned: null, choice: "auto", choseDuringShare: false, activeSpeaker: null, ...more });

const me = camera(null);
const [aigul, bakyt, cholpon] = [camera("a"), camera("b"), camera("c")];

describe("auto", () => {
  it("puts two people face to face: the other large, ours in the corner", () => {
    expect(chooseLayout(input([me, aigul]))).toEqual({ kind: "one-to-one", main: aigul.key, pip: me.key });
  });

  it("is a grid for three or more", () => {
    expect(chooseLayout(input([me, aigul, bakyt]))).toEqual({ kind: "grid", cells: [me.key, aigul.key, bakyt.key] });
  });

  it("is a grid of one when we are alone, and an empty one with nobody on a stage", () => {
    expect(chooseLayout(input([me]))).toEqual({ kind: "grid", cells: [me.key] });
    expect(chooseLayout(input([]))).toEqual({ kind: "grid", cells: [] });
  });

  it("is not face to face without our own tile (a stage's viewer watching one speaker)", () => {
    expect(chooseLayout(input([aigul]))).toEqual({ kind: "grid", cells: [aigul.key] });
  });

  it("shows a shared screen large, the cameras in the strip, theirs or ours", () => {
    expect(chooseLayout(input([me, aigul, screen("a")]))).toEqual({ kind: "speaker", cause: "screen", main: screen("a").key, strip: [me.key, aigul.key] });
    expect(chooseLayout(input([me, screen(null), aigul]))).toEqual({ kind: "speaker", cause: "screen", main: screen(null).key, strip: [me.key, aigul.key] });
  });

  it("of two shares, shows the active speaker's, else another person's before ours", () => {
    const tiles = [me, screen(null), aigul, screen("a"), bakyt, screen("b")];
    expect(chooseLayout(input(tiles, { activeSpeaker: "b" }))).toMatchObject({ main: screen("b").key });
    expect(chooseLayout(input(tiles))).toMatchObject({ main: screen("a").key });
  });
});

describe("a chosen layout", () => {
  it("grid is a grid, even for two", () => {
    expect(chooseLayout(input([me, aigul], { choice: "grid" }))).toEqual({ kind: "grid", cells: [me.key, aigul.key] });
  });

  it("speaker shows the active speaker large, else the first other person", () => {
    expect(chooseLayout(input([me, aigul, bakyt, cholpon], { choice: "speaker", activeSpeaker: "b" }))).toEqual({ kind: "speaker", cause: "speaker", main: bakyt.key, strip: [me.key, aigul.key, cholpon.key] });
    expect(chooseLayout(input([me, aigul, bakyt], { choice: "speaker" }))).toMatchObject({ main: aigul.key });
    // An active speaker who has left (or has no tile on a stage) is passed over.
    expect(chooseLayout(input([me, aigul, bakyt], { choice: "speaker", activeSpeaker: "gone" }))).toMatchObject({ main: aigul.key });
  });

  it("speaker with nobody else shows us", () => {
    expect(chooseLayout(input([me], { choice: "speaker" }))).toEqual({ kind: "speaker", cause: "speaker", main: me.key, strip: [] });
  });

  it("gives way to a share that starts, unless it was chosen while the share runs", () => {
    const tiles = [me, aigul, bakyt, screen("a")];
    expect(chooseLayout(input(tiles, { choice: "grid" }))).toMatchObject({ kind: "speaker", cause: "screen" });
    expect(chooseLayout(input(tiles, { choice: "grid", choseDuringShare: true }))).toEqual({ kind: "grid", cells: tiles.map((t) => t.key) });
    expect(chooseLayout(input(tiles, { choice: "speaker", choseDuringShare: true, activeSpeaker: "b" }))).toMatchObject({ kind: "speaker", cause: "speaker", main: bakyt.key });
    // "Auto" chosen during a share is the share large.
    expect(chooseLayout(input(tiles, { choice: "auto", choseDuringShare: true }))).toMatchObject({ cause: "screen", main: screen("a").key });
  });
});

describe("a pin", () => {
  it("makes the layout speaker with the pinned tile large, whatever was chosen", () => {
    const tiles = [me, aigul, bakyt, screen("a")];
    for (const choice of ["auto", "grid", "speaker"] as const) {
      expect(chooseLayout(input(tiles, { choice, pinned: bakyt.key, activeSpeaker: "a" }))).toEqual({ kind: "speaker", cause: "pinned", main: bakyt.key, strip: [me.key, aigul.key, screen("a").key] });
    }
  });

  it("of ourselves, in a call of two, turns face to face into speaker", () => {
    expect(chooseLayout(input([me, aigul], { pinned: me.key }))).toEqual({ kind: "speaker", cause: "pinned", main: me.key, strip: [aigul.key] });
  });

  it("whose tile is gone is ignored", () => {
    expect(chooseLayout(input([me, aigul], { pinned: screen("a").key }))).toEqual({ kind: "one-to-one", main: aigul.key, pip: me.key });
  });
});

describe("placeOf", () => {
  it("says where each tile sits", () => {
    const oneToOne = chooseLayout(input([me, aigul]));
    expect([placeOf(oneToOne, aigul.key), placeOf(oneToOne, me.key), placeOf(oneToOne, bakyt.key)]).toEqual(["main", "pip", null]);
    const speaker = chooseLayout(input([me, aigul, bakyt], { choice: "speaker" }));
    expect([aigul, me, bakyt].map((t) => placeOf(speaker, t.key))).toEqual(["main", "strip", "strip"]);
    const grid = chooseLayout(input([me, aigul, bakyt]));
    expect([aigul, me, cholpon].map((t) => placeOf(grid, t.key))).toEqual(["cell", "cell", null]);
  });
});

describe("stored values", () => {
  it("are read back only when they are a known choice or corner", () => {
    expect(["auto", "grid", "speaker", "tiles", null].map(isLayoutChoice)).toEqual([true, true, true, false, false]);
    expect(["top-left", "middle", undefined].map(isCorner)).toEqual([true, false, false]);
  });
});

describe("the self-view's corner", () => {
  it("goes round all four, clockwise, back to where it started", () => {
    let corner = CORNERS[0]!;
    const seen = [corner];
    for (let i = 0; i < 4; i++) seen.push((corner = nextCorner(corner)));
    expect(seen).toEqual(["bottom-right", "bottom-left", "top-left", "top-right", "bottom-right"]);
  });

  it("after a drag, settles in the corner nearest the picture's centre", () => {
    const area = { left: 100, top: 50, width: 800, height: 600 };
    const at = (x: number, y: number) => nearestCorner({ left: x - 50, top: y - 40, width: 100, height: 80 }, area);
    expect([at(150, 100), at(850, 100), at(150, 600), at(850, 600)]).toEqual(["top-left", "top-right", "bottom-left", "bottom-right"]);
    // Just past the middle counts for the far side; outside the stage, for the nearest edge.
    expect(at(501, 349)).toBe("top-right");
    expect(at(-300, 2000)).toBe("bottom-left");
  });
});
