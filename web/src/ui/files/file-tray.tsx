// The file cards, at the room level: over the call at the bottom left, above the control bar, so
// that they are in sight whether or not the chat is open (files go peer to peer, not through the
// chat). The tray folds to its header, as a browser's downloads do, and unfolds by itself when a
// file is offered. A new offer is also said once through a polite live region, which is always in
// the page: a region added together with its text is not announced.

import { useEffect, useId, useRef, useState } from "preact/hooks";
import type { FilesView } from "../../engine/features/files-view";
import { useI18n } from "../hooks";
import { Icon } from "../icons";
import { formatSize } from "./file-text";
import { IncomingCard } from "./incoming-card";
import { OutgoingCard } from "./outgoing-card";

/** The session's file actions (engine/session/room-session.ts) that the cards use. */
export interface FileActions {
  acceptFile: (transfer: string) => void;
  declineFile: (transfer: string) => void;
  cancelFile: (id: string, peerId?: string) => void;
  dismissFile: (id: string) => void;
}

interface FileTrayProps {
  files: FilesView;
  /** Everyone's label, same names told apart (room/distinct-names.ts). */
  labels: ReadonlyMap<string, string>;
  actions: FileActions;
}

export function FileTray({ files, labels, actions }: FileTrayProps) {
  const say = useI18n();
  const { t } = say;
  const listId = useId();
  const [open, setOpen] = useState(true);
  const [announcement, setAnnouncement] = useState("");
  /** Offers already announced, by transfer. */
  const heard = useRef(new Set<string>());
  const head = useRef<HTMLButtonElement>(null);
  const offers = files.incoming.filter((f) => f.status === "offered");
  const sender = (id: string, name: string) => labels.get(id) ?? name;

  useEffect(() => {
    const fresh = offers.filter((f) => !heard.current.has(f.transfer));
    if (fresh.length === 0) return;
    for (const f of fresh) heard.current.add(f.transfer);
    setOpen(true);
    setAnnouncement(fresh.map((f) => t("files.offer", { name: sender(f.from, f.fromName), file: f.name, size: formatSize(f.size, say) })).join(" "));
  }, [offers.map((f) => f.transfer).join(" ")]);

  const count = files.incoming.length + files.outgoing.length;
  // A dismissed card takes its focused button with it: the focus goes to the tray's header, not to the page's start.
  const cardActions: FileActions = {
    ...actions,
    dismissFile: (id) => {
      actions.dismissFile(id);
      head.current?.focus();
    },
  };
  return (
    <>
      <p class="sr-only" role="status">{announcement}</p>
      {count > 0 && (
        <section class={`file-tray${open ? "" : " folded"}`} aria-label={t("files.tray")} data-testid="file-tray">
          <button ref={head} type="button" class="file-tray-head" aria-expanded={open} aria-controls={listId} onClick={() => setOpen(!open)}>
            <span>{t("files.count", { count })}</span>
            <Icon name="chevron" />
          </button>
          {/* Focusable, so that a keyboard can scroll a long list (WCAG 2.1.1), as the chat's. */}
          <ul id={listId} class="file-cards" hidden={!open} tabIndex={0} aria-label={t("files.tray")}>
            {files.incoming.map((f) => (
              <IncomingCard key={f.transfer} file={f} from={sender(f.from, f.fromName)} actions={cardActions} />
            ))}
            {files.outgoing.map((f) => (
              <OutgoingCard key={f.id} file={f} labels={labels} actions={cardActions} />
            ))}
          </ul>
        </section>
      )}
    </>
  );
}
