// A file we send: its name and size, "Preparing…" while it is hashed (before anyone is offered
// it), then one row per recipient with where that one stands: waiting for their yes, sending with
// speed and time left, sent, or why not. Cancel stops it for everyone still receiving it; with
// several recipients each row can be stopped on its own. Dismiss once every row has ended.

import { useId } from "preact/hooks";
import type { OutgoingFile, OutgoingRecipient } from "../../engine/features/files-view";
import { useI18n } from "../hooks";
import { Icon } from "../icons";
import { DismissButton, FileName, FileProgress, useKeepFocus } from "./card-parts";
import { endText, formatPercent, formatSize, outgoingStatusText } from "./file-text";
import type { FileActions } from "./file-tray";

const ended = (r: OutgoingRecipient) => r.status === "done" || r.status === "failed";

interface OutgoingCardProps {
  file: OutgoingFile;
  labels: ReadonlyMap<string, string>;
  actions: FileActions;
}

export function OutgoingCard({ file, labels, actions }: OutgoingCardProps) {
  const say = useI18n();
  const { t } = say;
  const nameId = useId();
  const { id, recipients } = file;
  const over = recipients.every(ended);
  // Hashing that failed (the file could not be read) ends every recipient: nothing is prepared any more.
  const preparing = file.hashed < file.size && !over;
  const several = recipients.length > 1;
  // The card's own status, as far as its buttons go: Cancel while anything moves, dismiss once all ended.
  const focus = useKeepFocus<HTMLLIElement>(recipients.map((r) => r.status).join());
  const cancel = (peerId?: string) => () => {
    focus.pressed();
    actions.cancelFile(id, peerId);
  };
  return (
    <li ref={focus.ref} class="file-card" aria-labelledby={nameId} data-testid="file-out" data-id={id}>
      <div class="file-head">
        <Icon name="file" />
        <div class="file-title">
          <FileName name={file.name} id={nameId} />
          <p class="file-meta">{formatSize(file.size, say)}</p>
        </div>
        {over && <DismissButton name={file.name} onDismiss={() => actions.dismissFile(id)} />}
      </div>
      {preparing && (
        <FileProgress
          progress={{ bytesDone: file.hashed, bytesTotal: file.size, bytesPerSecond: 0, secondsLeft: null }}
          label={t("files.progressPrep", { file: file.name })}
          text={`${t("files.preparing")} · ${formatPercent(file.hashed, file.size, say)}`}
        />
      )}
      <ul class="file-recipients">
        {recipients.map((r) => (
          <Recipient key={r.peerId} file={file} recipient={r} name={labels.get(r.peerId) ?? r.name} onCancel={several ? cancel(r.peerId) : null} />
        ))}
      </ul>
      {!over && (
        <div class="file-actions">
          <button type="button" onClick={cancel()} data-testid="file-cancel">{t("files.cancel")}</button>
        </div>
      )}
    </li>
  );
}

interface RecipientProps {
  file: OutgoingFile;
  recipient: OutgoingRecipient;
  name: string;
  /** Stops this recipient's copy only; null with a single recipient (the card's Cancel does it). */
  onCancel: (() => void) | null;
}

function Recipient({ file, recipient: r, name, onCancel }: RecipientProps) {
  const { t } = useI18n();
  const words = outgoingStatusText(r.status, name);
  const said = words ? t(words.key, words.params) : undefined;
  const problem = r.status === "failed" && r.end ? endText(r.end, "out", name) : null;
  const moving = r.status === "sending" || r.status === "resuming";
  const cancelLabel = t("files.cancelFor", { name });
  return (
    <li class={`file-recipient${problem ? " failed" : ""}`} data-testid="file-recipient" data-peer={r.peerId} data-status={r.status}>
      <div class="file-recipient-line">
        <span class="name">{name}</span>
        {!moving && said && <span class="file-status">{said}</span>}
        {problem && <span class="file-problem" data-testid="file-problem">{t(problem.key, problem.params)}</span>}
        {onCancel && !ended(r) && (
          <button type="button" class="file-cancel-one" aria-label={cancelLabel} title={cancelLabel} onClick={onCancel} data-testid="file-cancel">
            <Icon name="close" />
          </button>
        )}
      </div>
      {/* Sending, the percent line says it all (once measured); resuming says so in words. */}
      {moving && <FileProgress progress={r.progress} label={t("files.progressOut", { file: file.name, name })} text={r.status === "sending" && r.progress ? undefined : said} />}
    </li>
  );
}
