// The incoming call, for those who may admit: who is asking to join, with Admit and Deny (and
// Admit all when several ask). A new knock rings, and raises a system notification while the tab
// is hidden. A non-modal dialog: the call goes on behind it, and a host typing in the chat keeps
// the focus.

import { useEffect, useId, useRef } from "preact/hooks";
import type { Knock } from "../../../../protocol/protocol";
import { useI18n } from "../hooks";
import { notify, ring } from "./knock-alerts";

interface KnockPromptProps {
  knocks: readonly Knock[];
  onAdmit: (ids: string[]) => void;
  onDeny: (id: string) => void;
  onAdmitAll: () => void;
}

export function KnockPrompt({ knocks, onAdmit, onDeny, onAdmitAll }: KnockPromptProps) {
  const { t } = useI18n();
  const titleId = useId();
  const ref = useRef<HTMLDialogElement>(null);
  const heard = useRef(new Set<string>());
  const title = knocks.length === 1 ? t("knock.one", { name: knocks[0]!.name }) : t("knock.many", { count: knocks.length });

  useEffect(() => {
    const fresh = knocks.filter((k) => !heard.current.has(k.id));
    heard.current = new Set(knocks.map((k) => k.id));
    if (fresh.length === 0) return;
    ring();
    const closeNotification = notify("roomlink", title);
    // Someone arriving to an empty prompt is asked to act at once, unless they are typing.
    const active = document.activeElement;
    if (!(active instanceof HTMLInputElement || active instanceof HTMLTextAreaElement || active instanceof HTMLSelectElement)) {
      ref.current?.querySelector<HTMLButtonElement>("button.primary")?.focus();
    }
    return closeNotification;
  }, [knocks]);

  if (knocks.length === 0) return null;
  return (
    <dialog open ref={ref} class="knock-prompt" aria-labelledby={titleId} data-testid="knock-prompt">
      <h2 id={titleId}>{title}</h2>
      <ul>
        {knocks.map((k) => (
          <li key={k.id} data-testid="knock">
            {knocks.length > 1 && <span class="name">{k.name}</span>}
            <span class="knock-actions">
              <button onClick={() => onDeny(k.id)} data-testid="deny" aria-label={knocks.length > 1 ? `${t("knock.deny")}: ${k.name}` : undefined}>{t("knock.deny")}</button>
              <button class="primary" onClick={() => onAdmit([k.id])} data-testid="admit" aria-label={knocks.length > 1 ? `${t("knock.admit")}: ${k.name}` : undefined}>{t("knock.admit")}</button>
            </span>
          </li>
        ))}
      </ul>
      {knocks.length > 1 && <button class="primary admit-all" onClick={onAdmitAll} data-testid="admit-all">{t("knock.admitAll")}</button>}
    </dialog>
  );
}
