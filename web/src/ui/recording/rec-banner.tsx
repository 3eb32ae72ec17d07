// The REC sign, on every screen while anyone records: "REC · Ana, Bakyt", from the room's word
// (everyone's screens agree; ours too). Under it, our own recording's time and size with its Stop.
// A screen reader hears who records once per change (a live region that exists before it
// changes), not the clock.

import { useEffect, useRef, useState } from "preact/hooks";
import type { OwnRecording } from "../../engine/session/room-session";
import { formatSize } from "../files/file-text";
import { useI18n, useNow } from "../hooks";
import { formatElapsed } from "../room/stage-bar";
import { RecIcon } from "./rec-icon";
import "./recording.css";

interface RecBannerProps {
  /** Who records, in the order they started. */
  names: readonly string[];
  own: OwnRecording | null;
  onStop: () => void;
}

export function RecBanner({ names, own, onStop }: RecBannerProps) {
  const say = useI18n();
  const { t } = say;
  const now = useNow(1000, own?.phase === "recording");
  const heard = useAnnouncement(names);
  let status: string | null = null;
  if (own?.phase === "recording") status = t("recording.own", { elapsed: formatElapsed(Math.max(own.elapsedMs, now - own.startedAt)), size: formatSize(own.bytes, say) });
  else if (own?.phase === "starting") status = t("recording.starting");
  else if (own?.phase === "stopping") status = t("recording.stopping");
  return (
    <>
      {names.length > 0 && (
        <p class="rec-sign" data-testid="rec-banner" data-names={names.join("\n")}>
          <span class="rec-dot" aria-hidden="true" />
          {t("recording.banner", { names: names.join(", ") })}
        </p>
      )}
      {own && (
        <div class="rec-own" data-testid="rec-own" data-phase={own.phase}>
          {/* Not a live region: a clock read out every second would drown everything else. */}
          <span class="rec-own-status">{status}</span>
          <button class="rec-stop" onClick={onStop} disabled={own.phase === "stopping"} data-testid="rec-stop">
            <RecIcon stop />
            {t("recording.stop")}
          </button>
        </div>
      )}
      <p class="sr-only" role="status" data-testid="rec-announce">{heard}</p>
    </>
  );
}

/** The words for the live region: empty at first (what was there when we came is the sign's), then each change of who records. */
function useAnnouncement(names: readonly string[]): string {
  const { t } = useI18n();
  const [heard, setHeard] = useState("");
  const key = names.join("\n");
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      // A late joiner walks into a recording: that is news too, once.
      if (names.length === 0) return;
    }
    setHeard(names.length > 0 ? t("recording.bannerSr", { names: names.join(", ") }) : t("recording.bannerSrNone"));
  }, [key, t]);
  return heard;
}
