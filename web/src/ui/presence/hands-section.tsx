// The people panel's first section while hands are up: who raised one, in the order raised (a
// numbered list, its number written out so that it is read out too), with "Lower all" for a host or co-host and
// "Lower hand" beside one's own.

import { useId } from "preact/hooks";
import { useI18n } from "../hooks";
import { Icon } from "../icons";
import "./presence.css";

interface HandsSectionProps {
  /** Raised hands, oldest first. */
  hands: readonly string[];
  selfId: string | null;
  labels: ReadonlyMap<string, string>;
  /** Whose hand this panel may name (on a stage, a viewer sees only its own). */
  shows: (id: string) => boolean;
  /** Present for a host or co-host. */
  onLowerAll?: (() => void) | undefined;
  onLowerOwn: () => void;
}

export function HandsSection({ hands, selfId, labels, shows, onLowerAll, onLowerOwn }: HandsSectionProps) {
  const { t } = useI18n();
  const headingId = useId();
  if (hands.length === 0) return null;
  const listed = hands.map((id, i) => ({ id, place: i + 1 })).filter((h) => h.id === selfId || shows(h.id));
  if (listed.length === 0) return null;
  return (
    <section class="hands-section" aria-labelledby={headingId} data-testid="hands-section">
      <div class="hands-head">
        <h3 id={headingId}>{t("hands.title")}</h3>
        {onLowerAll && (
          <button type="button" class="hands-lower-all" onClick={onLowerAll} data-testid="lower-all-hands">
            {t("hands.lowerAll")}
          </button>
        )}
      </div>
      <ol class="hands-list" data-testid="hands-list">
        {listed.map(({ id, place }) => {
          const self = id === selfId;
          const label = labels.get(id) ?? "";
          return (
            <li key={id} value={place} data-testid="hand-entry" data-peer={id} data-place={place}>
              <span class="hand-place">{place}</span>
              <Icon name="hand" />
              <span class="name">{self ? t("room.youSuffix", { name: label }) : label}</span>
              {self && (
                <button type="button" class="hand-lower" onClick={onLowerOwn} data-testid="lower-own-hand">
                  {t("hands.lower")}
                </button>
              )}
            </li>
          );
        })}
      </ol>
    </section>
  );
}
