// A modal dialog on the platform's <dialog>: showModal() gives the focus trap, the inert page
// behind and Escape to close; the focus goes back where it was (see the cleanup for why by hand). Named by
// its heading (aria-labelledby), as axe's aria-dialog-name asks.

import type { ComponentChildren } from "preact";
import { useEffect, useId, useRef } from "preact/hooks";

interface DialogProps {
  title: string;
  onClose: () => void;
  children: ComponentChildren;
  testid?: string;
  class?: string;
}

export function Dialog({ title, onClose, children, testid, class: cls }: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const close = useRef(onClose);
  close.current = onClose;
  useEffect(() => {
    const dialog = ref.current!;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    dialog.showModal();
    // Escape (and the browser's own close) closes it; the owner unmounts it.
    const onCancel = (e: Event) => {
      e.preventDefault();
      close.current();
    };
    dialog.addEventListener("cancel", onCancel);
    return () => {
      dialog.removeEventListener("cancel", onCancel);
      dialog.close();
      // The platform gives the focus back only to a dialog still in the page, and Preact may have
      // taken it out before this runs: the focus then falls to the body. Give it back ourselves,
      // once the removal is done, unless something else has taken it meanwhile.
      queueMicrotask(() => {
        const now = document.activeElement;
        if (opener?.isConnected && (now === null || now === document.body)) opener.focus({ preventScroll: true });
      });
    };
  }, []);
  return (
    <dialog ref={ref} class={`dialog${cls ? ` ${cls}` : ""}`} aria-labelledby={titleId} data-testid={testid}>
      <h2 id={titleId}>{title}</h2>
      {children}
    </dialog>
  );
}

/** Asks before something that cannot be undone: the question, the action's name, and Cancel. */
export function Confirm({ title, text, action, onConfirm, onCancel, cancel, testid }: {
  title: string;
  text?: string;
  action: string;
  cancel: string;
  onConfirm: () => void;
  onCancel: () => void;
  testid?: string;
}) {
  return (
    <Dialog title={title} onClose={onCancel} {...(testid ? { testid } : {})}>
      {text && <p>{text}</p>}
      <div class="dialog-actions">
        <button onClick={onCancel} data-testid="confirm-cancel">{cancel}</button>
        <button class="danger" onClick={onConfirm} data-testid="confirm-ok">{action}</button>
      </div>
    </Dialog>
  );
}
