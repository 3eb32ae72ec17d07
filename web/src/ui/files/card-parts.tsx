// What both file cards show: the file's name (cut in the middle, so that the extension stays in
// sight), a progress bar with its line of percent, speed and time left, and the dismiss button;
// and how a card keeps the focus when its buttons change under it.

import { useEffect, useRef } from "preact/hooks";
import type { Progress } from "../../engine/features/files-view";
import { useI18n } from "../hooks";
import { Icon } from "../icons";
import { progressLine } from "./file-text";

/** How many characters stay after the cut: the extension and a few before it ("…port.pdf"). */
const TAIL = 8;

/** [head, tail]: the head is the part that gives way (with an ellipsis) when the name is too long. */
export function splitName(name: string): [string, string] {
  // By code point, so that an emoji is never cut in half.
  const chars = Array.from(name);
  const dot = name.lastIndexOf(".");
  const ext = dot > 0 ? Array.from(name.slice(dot)).length : 0;
  const tail = ext > 0 && ext <= TAIL ? ext + 4 : TAIL;
  if (chars.length <= tail + 4) return [name, ""];
  return [chars.slice(0, -tail).join(""), chars.slice(-tail).join("")];
}

/** The name in full in its title (and to a screen reader, which reads both parts as one). */
export function FileName({ name, id }: { name: string; id: string }) {
  const [head, tail] = splitName(name);
  return (
    <span class="file-name" id={id} title={name}>
      <span class="head">{head}</span>
      {tail && <span class="tail">{tail}</span>}
    </span>
  );
}

interface FileProgressProps {
  /** Null: nothing measured yet (the bar is indeterminate). */
  progress: Progress | null;
  label: string;
  /** Words instead of the percent line (e.g. "Resuming…"). */
  text?: string | undefined;
}

export function FileProgress({ progress, label, text }: FileProgressProps) {
  const say = useI18n();
  const line = text ?? (progress ? progressLine(progress, say) : null);
  return (
    <div class="file-progress">
      {progress ? (
        <progress value={progress.bytesDone} max={Math.max(1, progress.bytesTotal)} aria-label={label} data-testid="file-progress" />
      ) : (
        <progress aria-label={label} data-testid="file-progress" />
      )}
      {line && <p class="file-line">{line}</p>}
    </div>
  );
}

export function DismissButton({ name, onDismiss }: { name: string; onDismiss: () => void }) {
  const { t } = useI18n();
  const label = t("files.dismiss", { file: name });
  return (
    <button type="button" class="file-dismiss" aria-label={label} title={label} onClick={onDismiss} data-testid="file-dismiss">
      <Icon name="close" />
    </button>
  );
}

/**
 * A card's buttons change with its status (Accept gives way to Cancel, Cancel to dismiss): the
 * button just pressed is gone, and the focus with it, back to the page's start. After a press
 * on this card (`pressed`), the focus goes to the card's first control once the status moves on.
 */
export function useKeepFocus<E extends HTMLElement>(status: string): { ref: { current: E | null }; pressed: () => void } {
  const ref = useRef<E>(null);
  const acted = useRef(false);
  useEffect(() => {
    if (!acted.current) return;
    acted.current = false;
    const active = document.activeElement;
    if (active === null || active === document.body) ref.current?.querySelector<HTMLElement>("button, a[href]")?.focus();
  }, [status]);
  return { ref, pressed: () => (acted.current = true) };
}
