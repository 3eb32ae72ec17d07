// A microphone that fills with the person's voice: the level feed reports every 100 ms, so the
// fill is a CSS variable set on the element, not component state (ten renders a second per tile
// would be wasted work). Subscribed only while mounted: a muted or hidden tile costs nothing.

import { useEffect, useRef } from "preact/hooks";
import type { LevelFeed } from "../../engine/features/presence-view";

/** Levels are RMS values: speech sits around 0.05–0.3, so the fill is stretched to read as full at about 0.35. */
const FULL_AT = 0.35;

export function MicLevel({ peerId, feed }: { peerId: string; feed: LevelFeed | null }) {
  const ref = useRef<HTMLSpanElement>(null);
  useEffect(() => {
    const el = ref.current;
    if (!feed || !el) return;
    let last = -1;
    const off = feed.subscribe((levels) => {
      const level = Math.min(1, (levels.get(peerId) ?? 0) / FULL_AT);
      // Tenths: the fill is 11 px of a 16 px icon, so finer steps are not seen, and each change is
      // a repaint of the tile's corner (an SVG's transform is painted, not composited). A room's
      // hiss after noise suppression wobbles in the hundredths: in tenths it stays at 0 and costs
      // nothing. No CSS transition either: one running back to back, ten times a second, kept
      // every page painting every frame (+30 % of a core over a 4-member mesh's pages).
      const rounded = Math.round(level * 10) / 10;
      if (rounded === last) return;
      last = rounded;
      el.style.setProperty("--level", String(rounded));
    });
    return () => {
      off();
      el.style.removeProperty("--level");
    };
  }, [feed, peerId]);
  return (
    <span class="mic-level" ref={ref} data-testid="mic-level" aria-hidden="true">
      <svg class="icon" viewBox="0 0 24 24" width="16" height="16" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round">
        <rect class="mic-fill" x="9" y="3" width="6" height="11" rx="3" fill="currentColor" stroke="none" />
        <rect x="9" y="3" width="6" height="11" rx="3" />
        <path d="M5.5 11a6.5 6.5 0 0 0 13 0M12 17.5V21M8.5 21h7" />
      </svg>
    </span>
  );
}
