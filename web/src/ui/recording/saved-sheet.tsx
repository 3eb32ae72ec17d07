// The recordings this page offers (offered.ts): each stopped recording of ours, then what earlier
// pages left behind. Save is a download link to the file (an object URL, revoked when the item
// goes); Delete frees the browser's copy. A recording written to a picked file is saved already:
// it only says so. Not modal: the call goes on around it. A fresh recording takes the focus (the
// Stop button it replaces is gone).

import { useEffect, useId, useRef, useState } from "preact/hooks";
import { FileName } from "../files/card-parts";
import { formatSize } from "../files/file-text";
import { useEngineState, useI18n } from "../hooks";
import { Icon } from "../icons";
import { formatElapsed } from "../room/stage-bar";
import { noticeText } from "./notice";
import { type OfferedRecording, type OfferedRecordings, offeredRecordings } from "./offered";
import "./recording.css";

export function SavedSheet({ list = offeredRecordings }: { list?: OfferedRecordings }) {
  const { t } = useI18n();
  const items = useEngineState(list) ?? [];
  const headingId = useId();
  const fresh = items.filter((r) => !r.leftover);
  const leftovers = items.filter((r) => r.leftover);
  if (items.length === 0) return null;
  return (
    <section class="rec-sheet" aria-labelledby={headingId} data-testid="rec-sheet">
      <h2 id={headingId}>{fresh.length > 0 ? t("recording.saved") : t("recording.leftovers")}</h2>
      {fresh.length > 0 && (
        <ul class="rec-list">
          {fresh.map((r, i) => <SavedItem key={r.key} item={r} list={list} focus={i === 0} />)}
        </ul>
      )}
      {leftovers.length > 0 && (
        <>
          {fresh.length > 0 && <h3>{t("recording.leftovers")}</h3>}
          <p class="hint">{t("recording.leftoversHint")}</p>
          <ul class="rec-list" data-testid="rec-leftovers">
            {leftovers.map((r) => <SavedItem key={r.key} item={r} list={list} focus={false} />)}
          </ul>
        </>
      )}
    </section>
  );
}

function SavedItem({ item, list, focus }: { item: OfferedRecording; list: OfferedRecordings; focus: boolean }) {
  const say = useI18n();
  const { t } = say;
  const nameId = useId();
  const url = useObjectUrl(item);
  const save = useRef<HTMLAnchorElement>(null);
  const close = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (!focus) return;
    (item.where === "picked" ? close.current : save.current)?.focus();
  }, [focus, url !== null]);
  const meta = [item.durationMs !== null ? formatElapsed(item.durationMs) : null, formatSize(item.bytes, say)].filter(Boolean).join(" · ");
  return (
    <li class="rec-item" data-testid="rec-item" data-name={item.name} data-where={item.where}>
      <div class="rec-item-head">
        <Icon name="file" />
        <FileName name={item.name} id={nameId} />
      </div>
      <p class="rec-meta" data-testid="rec-meta">{meta}</p>
      {item.reason && <p class="rec-reason">{t(noticeText(item.reason))}</p>}
      <p class="hint">{item.where === "picked" ? t("recording.savedPicked") : t("recording.savedKept")}</p>
      <div class="rec-actions">
        {item.where === "picked" ? (
          <button ref={close} onClick={() => void list.remove(item.key)} aria-describedby={nameId} data-testid="rec-close">{t("dialog.close")}</button>
        ) : (
          <>
            <button onClick={() => void list.remove(item.key)} aria-describedby={nameId} data-testid="rec-delete">{t("recording.delete")}</button>
            {/* A link, not a button: the browser's own download, of a file already on this device. */}
            <a ref={save} class="button primary" href={url ?? undefined} download={item.name} aria-describedby={nameId} aria-disabled={url === null ? "true" : undefined} data-testid="rec-save">
              {t("recording.save")}
            </a>
          </>
        )}
      </div>
    </li>
  );
}

/** The item's file as an object URL, revoked when the item goes. */
function useObjectUrl(item: OfferedRecording): string | null {
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    if (item.where === "picked") return;
    let made: string | null = null;
    let current = true;
    void item.file().then(
      (file) => {
        if (!current) return;
        made = URL.createObjectURL(file);
        setUrl(made);
      },
      () => {},
    );
    return () => {
      current = false;
      if (made) URL.revokeObjectURL(made);
    };
  }, [item.key]);
  return url;
}
