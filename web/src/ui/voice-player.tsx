// A voice message in the chat: the browser's own audio controls (keyboard and screen-reader
// ready, and what Safari plays best), with the duration beside them. The duration is the file's
// when the browser reports one, else the message's: a WebM without a Duration element reports
// Infinity (recordings are fixed before upload, webm-duration.ts; this covers any that slip by).

import { useEffect, useRef, useState } from "preact/hooks";
import { useI18n } from "./hooks";
import { clock } from "./voice-text";

interface VoicePlayerProps {
  /** Null until the room has given us a media token: the duration shows, nothing plays yet. */
  src: string | null;
  durationMs: number;
}

export function VoicePlayer({ src, durationMs }: VoicePlayerProps) {
  const { t } = useI18n();
  const [seconds, setSeconds] = useState<number | null>(null);
  // The playback URL carries this member's media token, which a rejoin may replace. A new URL
  // would restart the element, so the one it has is kept until it fails.
  const [current, setCurrent] = useState(src);
  const latest = useRef(src);
  latest.current = src;
  useEffect(() => {
    if (current === null && src !== null) setCurrent(src);
  }, [src]);
  const readDuration = (e: { currentTarget: HTMLAudioElement }) => {
    const d = e.currentTarget.duration;
    if (Number.isFinite(d) && d > 0) setSeconds(d);
  };
  const shownMs = seconds !== null ? seconds * 1000 : durationMs;
  return (
    <div class="voice-player">
      {current && (
        <audio
          controls
          preload="metadata"
          src={current}
          aria-label={t("voice.message")}
          data-testid="voice-audio"
          onLoadedMetadata={readDuration}
          onDurationChange={readDuration}
          onError={() => {
            if (latest.current && latest.current !== current) setCurrent(latest.current);
          }}
        />
      )}
      <span class="voice-duration">{clock(shownMs)}</span>
    </div>
  );
}
