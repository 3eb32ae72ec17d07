// The control bar's phone items (FEATURES §11): switching the camera, where there are two or more,
// and choosing the speaker. Both are secondary buttons (controls.tsx): round buttons on a wide
// screen, items of "More options" on a phone. A failed switch says so for a few seconds.

import type { ComponentChildren } from "preact";
import { useEffect, useState } from "preact/hooks";
import type { LocalMedia, LocalMediaState } from "../../engine/media/local-media";
import { useI18n } from "../hooks";
import type { BarAction } from "../room/bar-menu";
import { SpeakerDialog } from "./speaker-dialog";
import "./phone.css";

/** How long a failed switch stays said. */
const FLIP_ERROR_MS = 5000;

/** A camera with two arrows going round it: the usual "switch camera" sign. */
function FlipIcon() {
  return (
    <svg class="icon" viewBox="0 0 24 24" width="22" height="22" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true">
      <path d="M4 8.5h3l1.5-2h7l1.5 2h3v10H4z" />
      <path d="M9 13a3 3 0 0 1 5.2-2M15 13a3 3 0 0 1-5.2 2M14.5 9.3v1.9h-1.9M9.5 16.7v-1.9h1.9" />
    </svg>
  );
}

/** A speaker cone with sound waves. */
function SpeakerIcon() {
  return (
    <svg class="icon" viewBox="0 0 24 24" width="22" height="22" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true">
      <path d="M4 9.5h3.5L12 5.5v13l-4.5-4H4z" />
      <path d="M15.5 9a4 4 0 0 1 0 6M18 6.5a7.5 7.5 0 0 1 0 11" />
    </svg>
  );
}

/** The bar's phone items, and what they show over the call (the speaker dialog, a failed switch). */
export function usePhoneBar(media: LocalMedia, local: LocalMediaState, publishes: boolean): { secondary: BarAction[]; overlays: ComponentChildren } {
  const { t } = useI18n();
  const [speakerOpen, setSpeakerOpen] = useState(false);
  const [flipError, setFlipError] = useState(false);

  useEffect(() => {
    setFlipError(local.flipError !== null);
    if (local.flipError === null) return;
    const timer = setTimeout(() => setFlipError(false), FLIP_ERROR_MS);
    return () => clearTimeout(timer);
  }, [local.flipError]);

  const secondary: BarAction[] = [];
  // Only with a camera on to switch, and somewhere to switch it to.
  if (publishes && local.cam && local.devices.videoIn.length >= 2) {
    secondary.push({ testid: "flip-camera", icon: <FlipIcon />, label: t("phone.flip"), onSelect: () => void media.flipCamera() });
  }
  secondary.push({ testid: "speaker", icon: <SpeakerIcon />, label: t("phone.speaker"), onSelect: () => setSpeakerOpen(true) });

  const overlays = (
    <>
      {flipError && local.flipError && (
        <div class="toast" role="alert" data-testid="flip-error">
          {t("phone.flipFailed")} {t(`media.${local.flipError}`, { device: t("media.camera") })}
        </div>
      )}
      {speakerOpen && <SpeakerDialog media={media} local={local} onClose={() => setSpeakerOpen(false)} />}
    </>
  );
  return { secondary, overlays };
}
