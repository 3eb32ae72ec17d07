import type { LocalMediaState } from "../engine/media/local-media";
import { useI18n } from "./hooks";

/** One plain-language line per device that failed, saying what to do. */
export function MediaErrors({ state }: { state: LocalMediaState }) {
  const { t } = useI18n();
  const lines: string[] = [];
  if (state.camError) lines.push(t(`media.${state.camError}`, { device: t("media.camera") }));
  if (state.micError) lines.push(t(`media.${state.micError}`, { device: t("media.microphone") }));
  if (state.screenError) lines.push(t(`media.${state.screenError}`, { device: t("media.screen") }));
  if (!lines.length) return null;
  return (
    <div class="media-errors" role="alert" data-testid="media-error">
      {lines.map((l) => <p key={l}>{l}</p>)}
    </div>
  );
}
