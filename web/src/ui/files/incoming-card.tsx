// A file offered to us: its name, size and sender; Accept or Decline while it waits (nothing is
// received before Accept); then progress with speed and time left, and Cancel; Save once it is
// whole and verified; why, if it ended without the file. Dismiss once it has ended.

import { useId } from "preact/hooks";
import type { IncomingFile } from "../../engine/features/files-view";
import { useI18n } from "../hooks";
import { Icon } from "../icons";
import { DismissButton, FileName, FileProgress, useKeepFocus } from "./card-parts";
import { endText, formatSize, incomingStatusText } from "./file-text";
import type { FileActions } from "./file-tray";

interface IncomingCardProps {
  file: IncomingFile;
  /** The sender's label (same names told apart), or the name it sent under if it has left. */
  from: string;
  actions: FileActions;
}

export function IncomingCard({ file, from, actions }: IncomingCardProps) {
  const say = useI18n();
  const { t } = say;
  const nameId = useId();
  const { transfer, status, progress, end } = file;
  const focus = useKeepFocus<HTMLLIElement>(status);
  const press = (action: (transfer: string) => void) => () => {
    focus.pressed();
    action(transfer);
  };
  const ended = status === "done" || status === "failed";
  const moving = status === "receiving" || status === "resuming" || status === "saving";
  const words = incomingStatusText(status);
  // While receiving, the percent line says it all (once measured); resuming and saving say so in words.
  const line = status === "receiving" && progress ? undefined : words ? t(words) : undefined;
  const problem = status === "failed" && end ? endText(end, "in", from) : null;
  return (
    <li ref={focus.ref} class={`file-card${status === "offered" ? " offered" : ""}${problem ? " failed" : ""}`} aria-labelledby={nameId} data-testid="file-in" data-transfer={transfer} data-status={status}>
      <div class="file-head">
        <Icon name="file" />
        <div class="file-title">
          <FileName name={file.name} id={nameId} />
          <p class="file-meta">{formatSize(file.size, say)} · {t("files.from", { name: from })}</p>
        </div>
        {ended && <DismissButton name={file.name} onDismiss={() => actions.dismissFile(transfer)} />}
      </div>
      {moving && <FileProgress progress={status === "saving" ? null : progress} label={t("files.progressIn", { file: file.name })} text={line} />}
      {problem && <p class="file-problem" data-testid="file-problem">{t(problem.key, problem.params)}</p>}
      {status === "offered" && (
        <div class="file-actions">
          <button type="button" onClick={press(actions.declineFile)} data-testid="file-decline">{t("files.decline")}</button>
          <button type="button" class="primary" onClick={press(actions.acceptFile)} data-testid="file-accept">{t("files.accept")}</button>
        </div>
      )}
      {(status === "receiving" || status === "resuming") && (
        <div class="file-actions">
          <button type="button" onClick={press(actions.cancelFile)} data-testid="file-cancel">{t("files.cancel")}</button>
        </div>
      )}
      {status === "done" && (
        <div class="file-actions">
          <p class="file-status">{t("files.received")}</p>
          {file.url && <a class="file-save" href={file.url} download={file.name} data-testid="file-save">{t("files.save")}</a>}
        </div>
      )}
    </li>
  );
}
