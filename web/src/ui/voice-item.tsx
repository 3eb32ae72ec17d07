// A voice message as a chat item: the author and time (or "sending…"), the player, and for the
// sender's own failed message why, with Send again (where it can work) and Delete. One component
// for both, keyed by cid while it is ours (chat-panel.tsx), so that when the room confirms it the
// same player stays, still playing.

import type { ComponentChildren } from "preact";
import { canRetry, type VoiceFailure } from "../engine/voice/types";
import { useI18n } from "./hooks";
import { VoicePlayer } from "./voice-player";
import { voiceFailureText } from "./voice-text";

export interface VoiceActions {
  retry: (cid: string) => void;
  discard: (cid: string) => void;
}

interface VoiceItemProps {
  /** Where it plays: this device's own copy, or the room's URL (null until the welcome gave a token). */
  src: string | null;
  durationMs: number;
  mine: boolean;
  meta: ComponentChildren;
  /** A message the room has stored. */
  seq?: number;
  text?: string;
  /** Ours, not yet stored: its state, and what a failure offers. */
  pending?: { cid: string; status: "uploading" | "sending" | "failed"; error: VoiceFailure | null; actions: VoiceActions };
}

export function VoiceItem({ src, durationMs, mine, meta, seq, text, pending }: VoiceItemProps) {
  const { t } = useI18n();
  const failed = pending?.status === "failed" ? pending.error : null;
  const cls = `msg voice${mine ? " mine" : ""}${pending ? " pending" : ""}${failed ? " failed" : ""}`;
  return (
    <li class={cls} data-testid="voice-message" data-seq={seq} data-duration-ms={durationMs} data-status={pending?.status ?? "sent"}>
      <div class="meta">{meta}</div>
      <VoicePlayer src={src} durationMs={durationMs} />
      {text && <div class="text">{text}</div>}
      {failed && pending && (
        <>
          <p class="voice-error" role="alert" data-testid="voice-error">{t(voiceFailureText(failed))}</p>
          <div class="voice-actions">
            {canRetry(failed) && <button type="button" onClick={() => pending.actions.retry(pending.cid)} data-testid="voice-retry">{t("voice.retry")}</button>}
            <button type="button" onClick={() => pending.actions.discard(pending.cid)} data-testid="voice-discard">{t("voice.discard")}</button>
          </div>
        </>
      )}
    </li>
  );
}
