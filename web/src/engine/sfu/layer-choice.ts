// Which simulcast layer to pull of a peer's camera: the smallest that still fills its tile, one
// lower while our downlink loses packets. Pure: the transport feeds it the tile's size (in device
// pixels), the inbound loss it measured and the layer pulled now, and re-pulls when the answer
// differs (the proxy has no `tracks/update`).
//
// Layers are the publisher's rids, highest first (SfuTrack.rids); each is taken to halve the one
// before (our own publisher sends "h", "m" ½, "l" ¼: simulcast.ts), from the highest layer's
// height as the publisher announces it (SfuTrack.height: 360 for the app's 640×360 camera), or
// FULL_HEIGHT pixels when it does not say. Taken as 720 when it was 360, a 300 px tile pulled
// the 180p layer. Only the order is certain: too big a layer wastes download, too small a one
// looks soft, and neither breaks the call.

export const FULL_HEIGHT = 720;

/** A layer is enough if it has at least this share of the tile's height (a slight upscale is invisible). */
export const FILL_SHARE = 0.8;

/**
 * Going up needs the tile to want this much more than the current layer gives, so that a tile
 * resized around a boundary (a window dragged, a panel opened) does not re-pull at every step.
 */
export const UP_MARGIN = 1.25;

/** Inbound loss (0..1 over the last stats interval) from which the link counts as poor: the next lower layer is taken. */
export const POOR_LOSS = 0.05;
/** A poor link counts as good again only below this loss (hysteresis: a layer change must not flap). */
export const GOOD_LOSS = 0.02;

/** A simulcast camera's layers as its publisher announced them. */
export interface Layers {
  /** The publisher's rids, highest quality first. */
  rids: readonly string[];
  /** The highest layer's height in pixels; null when not announced. */
  topHeight: number | null;
}

export interface LayerInput extends Layers {
  /** The tile's video height in device pixels; null when unknown (not rendered yet). */
  tileHeight: number | null;
  /** Our downlink is poor now (nextVerdict). */
  poor: boolean;
  /** The rid pulled now, if any. */
  current: string | null;
}

/** The rid to pull; null without simulcast (one layer: nothing to choose). */
export function chooseRid({ rids, topHeight, tileHeight, poor, current }: LayerInput): string | null {
  if (rids.length === 0) return null;
  const heightOf = (index: number) => (topHeight ?? FULL_HEIGHT) / 2 ** index;
  const lowest = rids.length - 1;
  // Unknown size: the middle layer (a tile in a grid of a few), never the full one by default.
  let index = Math.min(1, lowest);
  if (tileHeight !== null && tileHeight > 0) {
    index = 0;
    // The smallest layer that fills the tile: walk down while the next one still does.
    while (index < lowest && heightOf(index + 1) >= tileHeight * FILL_SHARE) index++;
    const at = current === null ? -1 : rids.indexOf(current);
    // Hysteresis: stay on a smaller current layer unless the tile clearly outgrew it.
    if (at > index && heightOf(at) * UP_MARGIN >= tileHeight * FILL_SHARE) index = at;
  }
  if (poor) index = Math.min(lowest, index + 1);
  return rids[index]!;
}

/**
 * A poor link counts as good again only after this many good intervals in a row (of the stats
 * poll, 2 s each): down at once, since a layer the link cannot carry freezes the picture; up
 * slowly, since every re-pull costs a keyframe and a moment of loss, and one good reading after a
 * lossy stretch taken as a recovery had the layers go down and up every few seconds.
 */
export const GOOD_INTERVALS_TO_RECOVER = 3;

/** The downlink's verdict, and how many good intervals in a row a poor one has had so far. */
export interface LinkVerdict {
  poor: boolean;
  goodRun: number;
}

export const LINK_GOOD: LinkVerdict = { poor: false, goodRun: 0 };

/**
 * The next verdict from the last one and the loss over the last interval: poor from POOR_LOSS;
 * good again only below GOOD_LOSS for GOOD_INTERVALS_TO_RECOVER intervals in a row (a reading
 * between the two lines breaks the run); unchanged while the loss is unknown (a re-pulled layer
 * resets the counters: that must not read as a recovery, nor as a good interval).
 */
export function nextVerdict(before: LinkVerdict, loss: number | null): LinkVerdict {
  if (loss === null) return before;
  if (loss >= POOR_LOSS) return { poor: true, goodRun: 0 };
  if (!before.poor) return LINK_GOOD;
  if (loss >= GOOD_LOSS) return { poor: true, goodRun: 0 };
  const goodRun = before.goodRun + 1;
  return goodRun >= GOOD_INTERVALS_TO_RECOVER ? LINK_GOOD : { poor: true, goodRun };
}

/** Inbound video loss over an interval from two readings of (packetsReceived, packetsLost) summed over the pulled video. */
export function intervalLoss(before: { received: number; lost: number } | null, after: { received: number; lost: number }): number | null {
  if (before === null) return null;
  const received = after.received - before.received;
  const lost = Math.max(0, after.lost - before.lost);
  if (received < 0 || received + lost === 0) return null;
  return lost / (received + lost);
}
