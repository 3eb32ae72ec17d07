import { useEffect, useRef, useState } from "preact/hooks";
import { LIMITS } from "../../../protocol/protocol";
import type { ChatItem, Recording } from "../engine/session/room-session";
import type { VoiceRecorder } from "../engine/voice/recorder";
import { PickFiles } from "./files/pick-files";
import { useI18n } from "./hooks";
import type { MessageKey } from "../i18n/i18n";
import { Icon } from "./icons";
import { errorText } from "./room/refusal-text";
import { type VoiceActions, VoiceItem } from "./voice-item";
import { VoiceComposer } from "./voice-recorder";

/** What the chat needs for voice messages: the recorder, the session's actions, and where a message plays. */
export interface ChatVoice extends VoiceActions {
  recorder: VoiceRecorder;
  /**
   * Whether this page can upload: only when the app and the API share an origin (the API answers
   * no CORS preflight, so a split deploy's PUT would fail). Recordings still play either way.
   */
  canRecord: boolean;
  send: (recording: Recording) => void;
  /** The room's playback URL of a recording, or null before the welcome gave us a media token. */
  urlOf: (key: string) => string | null;
}

/** Names and messages are rendered as text nodes only: nothing a peer sends becomes markup. */
interface ChatPanelProps {
  items: readonly ChatItem[];
  selfId: string | null;
  /** The labels of the people present, same names told apart; an author who left keeps the name they wrote under. */
  labels: ReadonlyMap<string, string>;
  onSend: (text: string) => void;
  voice: ChatVoice;
  /** Sends files peer to peer to everyone we are connected with; null when that is nobody (no paperclip then). */
  onSendFiles: ((files: File[]) => void) | null;
}

/** The chat's system notes, by what happened. */
const SYSTEM_TEXT: Record<Extract<ChatItem, { kind: "system" }>["event"], MessageKey> = {
  joined: "chat.joined",
  left: "chat.left",
  "recording-started": "recording.note.started",
  "recording-stopped": "recording.note.stopped",
};

export function ChatPanel({ items, selfId, labels, onSend, voice, onSendFiles }: ChatPanelProps) {
  const { t, lang } = useI18n();
  const [draft, setDraft] = useState("");
  const list = useRef<HTMLOListElement>(null);
  useEffect(() => {
    list.current?.scrollTo({ top: list.current.scrollHeight });
  }, [items.length]);
  const time = new Intl.DateTimeFormat(lang, { hour: "2-digit", minute: "2-digit" });
  // The room refused a message for now: it waits in the list (unconfirmed) and goes out again by itself.
  // Held messages are the ones the room refused as chat-throttled (they go out again by themselves).
  const slowDown = items.some((i) => i.kind === "pending" && i.held) ? errorText("chat-throttled") : null;

  const send = () => {
    if (!draft.trim()) return;
    onSend(draft);
    setDraft("");
  };

  return (
    <section class="panel chat" aria-label={t("room.chat")}>
      {/* Focusable, so that a keyboard can scroll the conversation (WCAG 2.1.1). */}
      <ol ref={list} class="messages" data-testid="chat-list" tabIndex={0} aria-label={t("room.chat")}>
        {items.length === 0 && <li class="empty">{t("chat.empty")}</li>}
        {items.map((item) => {
          if (item.kind === "system") {
            return <li key={item.key} class="system" data-testid="chat-system">{t(SYSTEM_TEXT[item.event], { name: item.name })}</li>;
          }
          if (item.kind === "pending") {
            if (item.voice) {
              const { url, durationMs, status, error } = item.voice;
              const meta = status === "failed" ? t("room.you") : `${t("room.you")} · ${t("chat.sending")}`;
              return <VoiceItem key={item.cid} src={url} durationMs={durationMs} mine meta={meta} pending={{ cid: item.cid, status, error, actions: voice }} />;
            }
            return (
              <li key={item.cid} class="msg mine pending" data-testid="chat-pending">
                <div class="meta">{t("room.you")} · {t("chat.sending")}</div>
                <div class="text">{item.text}</div>
              </li>
            );
          }
          const m = item.message;
          const meta = (
            <>
              <span class="author">{m.from === selfId ? t("room.you") : (labels.get(m.from) ?? m.name)}</span> · {time.format(m.ts)}
            </>
          );
          if (m.voice) {
            // Our own keeps its pending item's key (the cid): the same player, still playing.
            const src = item.localUrl ?? voice.urlOf(m.voice.key);
            return <VoiceItem key={item.localUrl ? m.cid : m.seq} src={src} durationMs={m.voice.durationMs} mine={m.from === selfId} meta={meta} seq={m.seq} text={m.text} />;
          }
          return (
            <li key={m.seq} class={`msg${m.from === selfId ? " mine" : ""}`} data-testid="chat-message" data-seq={m.seq}>
              <div class="meta">{meta}</div>
              <div class="text">{m.text}</div>
            </li>
          );
        })}
      </ol>
      {slowDown && <p class="chat-slow-down" role="status" data-testid="chat-slow-down">{t(slowDown)}</p>}
      <VoiceComposer recorder={voice.recorder} canRecord={voice.canRecord} onSendVoice={voice.send} onSubmit={send}>
        <textarea
          rows={1}
          maxLength={LIMITS.chatMaxChars}
          value={draft}
          placeholder={t("chat.placeholder")}
          aria-label={t("chat.placeholder")}
          data-testid="chat-input"
          onInput={(e) => setDraft(e.currentTarget.value)}
          onKeyDown={(e) => {
            // Enter sends; Shift+Enter makes a new line; Enter while composing (IME) is not a send.
            if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
              e.preventDefault();
              send();
            }
          }}
        />
        {/* The file itself goes peer to peer, not into the chat: its card shows in the room's file tray. */}
        {onSendFiles && (
          <PickFiles onPick={onSendFiles} label={t("files.send")} iconOnly class="file-pick" testid="file-pick" inputTestid="file-input">
            <Icon name="paperclip" />
          </PickFiles>
        )}
        <button type="submit" data-testid="chat-send">{t("chat.send")}</button>
      </VoiceComposer>
    </section>
  );
}
