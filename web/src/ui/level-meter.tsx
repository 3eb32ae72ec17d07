// A microphone's input level as a meter, for the pre-join screen and the voice recorder.

import { useI18n } from "./hooks";

/** `level` 0..1 (an RMS). Reported as a whole percentage: a level such as 3e-7 would reach ARIA as "3e-7", which is no valid number. */
export function LevelMeter({ level, testid }: { level: number; testid?: string }) {
  const { t } = useI18n();
  const percent = Number.isFinite(level) ? Math.round(Math.min(1, Math.max(0, level)) * 100) : 0;
  return (
    <div class="meter" role="meter" aria-label={t("prejoin.level")} aria-valuemin={0} aria-valuemax={100} aria-valuenow={percent} data-testid={testid}>
      <div style={{ width: `${percent}%` }} />
    </div>
  );
}
