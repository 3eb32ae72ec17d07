// Reactions rising over the sender's tile for REACTION_SHOW_MS, and, for those with no tile (a
// stage's viewers), over the corner of the call with their name. The engine keeps
// `state.reactions`; this only decides what is still on screen, and drops each one on time even
// if no other change re-renders the call.

import { useEffect, useState } from "preact/hooks";
import { REACTION_SHOW_MS, type ReactionItem } from "../../engine/features/presence-view";
import { useI18n } from "../hooks";
import { REACTION_EMOJI, reactionName } from "./emoji";

/** At most this many at once over one tile: a burst from a whole room must not bury the video. */
const MAX_SHOWN = 8;

/** Those of `items` still on screen; re-renders when the oldest is due to go. */
export function useVisibleReactions(items: readonly ReactionItem[]): ReactionItem[] {
  const [now, setNow] = useState(() => performance.now());
  const visible = items.filter((r) => now - r.at < REACTION_SHOW_MS);
  const next = visible.length > 0 ? Math.min(...visible.map((r) => r.at)) + REACTION_SHOW_MS : null;
  // Keyed on the newest reaction, not the list: callers filter a new array on every render.
  const newest = items.at(-1)?.key ?? "";
  useEffect(() => {
    setNow(performance.now());
  }, [newest]);
  useEffect(() => {
    if (next === null) return;
    const timer = setTimeout(() => setNow(performance.now()), Math.max(0, next - performance.now()) + 20);
    return () => clearTimeout(timer);
  }, [next]);
  return visible.slice(-MAX_SHOWN);
}

/** A spread across the tile that stays put for one reaction (its key), so re-renders do not make it jump. */
function lane(key: string): number {
  let h = 0;
  for (const c of key) h = (h * 31 + c.charCodeAt(0)) | 0;
  return 15 + (Math.abs(h) % 70);
}

export function ReactionBubble({ item, name }: { item: ReactionItem; name: string }) {
  const { t } = useI18n();
  // Begun where it would be by now: a tile mounted late (a layout change) shows it mid-flight, not anew.
  const elapsed = Math.max(0, performance.now() - item.at);
  return (
    <span
      class="reaction"
      role="img"
      // A crowd member's reaction reaches other crowd members by an id they do not know (protocol/features/crowd.ts): no name then.
      aria-label={name ? t("reactions.from", { name, reaction: t(reactionName(item.code)) }) : t(reactionName(item.code))}
      data-testid="reaction"
      data-code={item.code}
      data-from={item.from}
      style={{ "--x": `${lane(item.key)}%`, "--show": `${REACTION_SHOW_MS}ms`, animationDelay: `-${Math.round(elapsed)}ms` }}
    >
      {REACTION_EMOJI[item.code]}
    </span>
  );
}

/** Over one tile: the reactions of `from`. */
export function TileReactions({ items, name }: { items: readonly ReactionItem[]; name: string }) {
  const shown = useVisibleReactions(items);
  if (shown.length === 0) return null;
  return (
    <div class="reactions-layer">
      {shown.map((r) => <ReactionBubble key={r.key} item={r} name={name} />)}
    </div>
  );
}

/** Over the call's corner: reactions from people without a tile, each with the sender's name. */
export function UntiledReactions({ items, labels }: { items: readonly ReactionItem[]; labels: ReadonlyMap<string, string> }) {
  const shown = useVisibleReactions(items);
  if (shown.length === 0) return null;
  return (
    <div class="reactions-corner" data-testid="reactions-corner">
      {shown.map((r) => {
        const name = labels.get(r.from) ?? "";
        return (
          <span key={r.key} class="reaction-with-name" style={{ "--show": `${REACTION_SHOW_MS}ms`, animationDelay: `-${Math.round(Math.max(0, performance.now() - r.at))}ms` }}>
            <ReactionBubble item={r} name={name} />
            <span class="reaction-name" aria-hidden="true">{name}</span>
          </span>
        );
      })}
    </div>
  );
}
