// The chat box with its microphone: press (click, Enter, Space) to record, and a bar with the
// time against the limit, the input level, Cancel and Send. On a touch screen the microphone is
// also held to record, as in messengers: press and hold, release to send, slide away to cancel.
// The recording itself is the engine's (engine/voice/recorder.ts); this only renders its state.

import type { ButtonHTMLAttributes, ComponentChildren } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { VOICE_MAX_MS } from "../../../protocol/protocol";
import type { VoiceRecorder } from "../engine/voice/recorder";
import type { Recording } from "../engine/voice/types";
import { useEngineState, useI18n } from "./hooks";
import { Icon } from "./icons";
import { LevelMeter } from "./level-meter";
import { clock, recorderErrorText } from "./voice-text";

/** A finger that moves this far from where it pressed has slid away: the recording is dropped. */
const SLIDE_CANCEL_PX = 60;
/** A touch shorter than this was a tap, not a hold: nothing worth sending was recorded. */
const MIN_HOLD_MS = 400;

interface VoiceComposerProps {
  recorder: VoiceRecorder;
  /** False where uploads cannot work (chat-panel.tsx ChatVoice): no mic button. */
  canRecord?: boolean;
  onSendVoice: (recording: Recording) => void;
  /** The text message's submit. */
  onSubmit: () => void;
  /** The text input and its Send button, shown while not recording. */
  children: ComponentChildren;
}

export function VoiceComposer({ recorder, canRecord = true, onSendVoice, onSubmit, children }: VoiceComposerProps) {
  const { t } = useI18n();
  const state = useEngineState(recorder)!;
  const [holding, setHolding] = useState(false);
  const [hint, setHint] = useState(false);
  const hold = useRef<{ id: number; x: number; y: number; at: number } | null>(null);
  /** How the last press came: a touch's click is not a second start (the hold handled it). */
  const lastPointer = useRef("");
  const mic = useRef<HTMLButtonElement>(null);
  const sendButton = useRef<HTMLButtonElement>(null);
  const wasActive = useRef(false);
  const active = state.phase !== "idle";
  const clicked = active && !holding;

  // A recording nobody can see (the chat closed) is dropped.
  useEffect(() => () => recorder.cancel(), [recorder]);
  useEffect(() => {
    // Pressed by click or key: Enter now sends. Done: back to the microphone, where the user was.
    if (clicked && state.phase === "recording") sendButton.current?.focus();
    if (!active && wasActive.current && (document.activeElement === document.body || document.activeElement === null)) mic.current?.focus();
    wasActive.current = active;
  }, [state.phase, clicked]);

  const send = async () => {
    const recording = await recorder.stop();
    if (recording) onSendVoice(recording);
  };
  const endHold = () => {
    hold.current = null;
    setHolding(false);
  };

  const micEvents: ButtonHTMLAttributes<HTMLButtonElement> = {
    onPointerDown: (e) => {
      lastPointer.current = e.pointerType;
      if (e.pointerType !== "touch" || active) return;
      e.preventDefault();
      e.currentTarget.setPointerCapture(e.pointerId);
      hold.current = { id: e.pointerId, x: e.clientX, y: e.clientY, at: Date.now() };
      setHolding(true);
      setHint(false);
      void recorder.start();
    },
    onPointerMove: (e) => {
      const h = hold.current;
      if (!h || e.pointerId !== h.id || Math.hypot(e.clientX - h.x, e.clientY - h.y) <= SLIDE_CANCEL_PX) return;
      endHold();
      recorder.cancel();
    },
    onPointerUp: (e) => {
      const h = hold.current;
      if (!h || e.pointerId !== h.id) return;
      endHold();
      if (Date.now() - h.at >= MIN_HOLD_MS) void send();
      else {
        recorder.cancel();
        setHint(true);
      }
    },
    onPointerCancel: () => {
      if (!hold.current) return;
      endHold();
      recorder.cancel();
    },
    onClick: (e) => {
      // A keyboard's click has no pointer (detail 0); a touch's was the hold.
      if (lastPointer.current === "touch" && e.detail !== 0) return;
      setHint(false);
      void recorder.start();
    },
    // A long press would otherwise open the context menu (or select text) under the finger.
    onContextMenu: (e) => e.preventDefault(),
  };

  const live = state.phase === "recording" ? t("voice.recording") : state.atLimit ? t("voice.limitReached", { count: VOICE_MAX_MS / 60_000 }) : "";
  return (
    <>
      <p class="sr-only" role="status">{live}</p>
      {state.atLimit && <p class="hint voice-note">{live}</p>}
      {hint && <p class="hint voice-note">{t("voice.holdToRecord")}</p>}
      {state.error && <p class="voice-error" role="alert" data-testid="voice-error">{t(recorderErrorText(state.error))}</p>}
      <form
        class="composer"
        onSubmit={(e) => {
          e.preventDefault();
          if (!active) onSubmit();
        }}
        onKeyDown={(e) => {
          if (e.key === "Escape" && active) recorder.cancel();
        }}
      >
        {active ? <RecordingBar elapsedMs={state.elapsedMs} level={state.level} holding={holding} /> : children}
        <button ref={mic} type="button" class={`voice-mic${holding ? " holding" : ""}`} hidden={clicked || !canRecord} aria-label={t("voice.record")} title={t("voice.record")} data-testid="voice-record" {...micEvents}>
          <Icon name="mic" />
        </button>
        {clicked && (
          <>
            {/* An icon with its name: a phone's composer has no room for Kyrgyz «Жокко чыгаруу» beside the timer and Send. */}
            <button type="button" class="voice-cancel" onClick={() => recorder.cancel()} aria-label={t("dialog.cancel")} title={t("dialog.cancel")} data-testid="voice-cancel"><Icon name="discard" /></button>
            <button ref={sendButton} type="button" class="primary" disabled={state.phase === "starting"} onClick={() => void send()} data-testid="voice-send">{t("chat.send")}</button>
          </>
        )}
      </form>
    </>
  );
}

function RecordingBar({ elapsedMs, level, holding }: { elapsedMs: number; level: number; holding: boolean }) {
  const { t } = useI18n();
  const elapsed = clock(elapsedMs);
  const limit = clock(VOICE_MAX_MS);
  return (
    <div class="voice-bar" role="group" aria-label={t("voice.recording")} data-testid="voice-recording">
      <span class="voice-dot" aria-hidden="true" />
      <span class="voice-elapsed" role="timer" aria-label={t("voice.elapsed", { elapsed, limit })} data-testid="voice-elapsed">{elapsed} / {limit}</span>
      <LevelMeter level={level} testid="voice-level" />
      {holding && <span class="hint">{t("voice.slideToCancel")}</span>}
    </div>
  );
}
