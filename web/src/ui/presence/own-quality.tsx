// This device's connection in the controls bar: small bars and, where there is room, the hint in
// words ("Connected through the relay"); it opens the same kind of details as a tile's bars.

import type { OwnQuality } from "../../engine/features/presence-view";
import { useI18n } from "../hooks";
import { Popover } from "./popover";
import { OwnDetails } from "./quality-details";
import { QualityBars } from "./quality-bars";
import { gradeText, hintText } from "./quality-text";
import "./presence.css";

export function OwnQualityButton({ quality }: { quality: OwnQuality }) {
  const say = useI18n();
  const { t } = say;
  const grade = gradeText(quality.grade, say);
  const hint = hintText(quality, say);
  return (
    <Popover
      button={{
        class: `own-quality${hint ? " has-hint" : ""}`,
        // Named by its words (WCAG 2.5.3: the name holds the visible text); on a phone the words
        // are hidden from sight only, so the name stays whole.
        title: hint ? `${t("quality.ownButton", { grade })}. ${hint}` : t("quality.ownButton", { grade }),
        testid: "own-quality",
        content: (
          <>
            <QualityBars grade={quality.grade} />
            <span class="sr-only">{t("quality.ownButton", { grade })}. </span>
            <span class="own-quality-text">{hint ?? t("quality.summary", { grade })}</span>
          </>
        ),
      }}
      panel={{ class: "quality-pop", label: t("quality.yours"), testid: "quality-details" }}
    >
      {() => <OwnDetails quality={quality} />}
    </Popover>
  );
}
