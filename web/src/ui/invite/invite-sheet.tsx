// The invite sheet: the room's link as a QR code to scan from a phone next to you, as text to
// read, "Copy link", and "Share" where the platform has a share sheet (the Web Share API: phones,
// Safari, Chromium on Windows and ChromeOS). The link is the one the bar's "Copy invite link"
// copies (room.tsx builds it): never a host link.

import { useEffect, useRef, useState } from "preact/hooks";
import { Dialog } from "../dialog";
import { useI18n } from "../hooks";
import { QrCode } from "./qr-code";
import "./invite.css";

/** How long "Link copied" shows. */
const COPIED_MS = 2000;

export function InviteSheet({ url, onClose }: { url: string; onClose: () => void }) {
  const { t } = useI18n();
  const [copied, setCopied] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const canShare = typeof navigator.share === "function" && (navigator.canShare?.({ url }) ?? true);

  useEffect(() => {
    if (!copied) return;
    const timer = setTimeout(() => setCopied(false), COPIED_MS);
    return () => clearTimeout(timer);
  }, [copied]);

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(url);
      setCopied(true);
    } catch {
      // No clipboard (an insecure page, or permission refused): the link selected, to copy by hand.
      input.current?.select();
    }
  };
  // Dismissing the share sheet rejects with AbortError: nothing to say.
  const share = () => void navigator.share({ url }).catch(() => undefined);

  return (
    <Dialog title={t("invite.title")} onClose={onClose} testid="invite-sheet" class="invite-sheet">
      <p class="hint">{t("invite.hint")}</p>
      <QrCode text={url} label={t("invite.qr")} />
      <label class="invite-link">
        <span>{t("invite.link")}</span>
        <input ref={input} type="text" readOnly value={url} onFocus={(e) => e.currentTarget.select()} data-testid="invite-link" />
      </label>
      <p class="invite-status" role="status">{copied ? t("room.copied") : ""}</p>
      <div class="dialog-actions">
        <button onClick={onClose} data-testid="invite-close">{t("dialog.close")}</button>
        {canShare && <button onClick={share} data-testid="invite-share">{t("invite.share")}</button>}
        {/* The focus starts here (showModal honours autofocus), not in the link, whose text it would select. */}
        <button class="primary" autoFocus onClick={() => void copy()} data-testid="invite-copy">{t("invite.copy")}</button>
      </div>
    </Dialog>
  );
}

/**
 * The sheet as the room opens it from the "You're the only one here" notice: its open state lives
 * in the room, not in the notice, which goes away as soon as someone joins (the sheet stays, the
 * link perhaps half copied). Closed, the focus goes back to the button that opened it or, that
 * button gone with the notice, to `returnTo`: the room's heading.
 */
export function useInviteSheet(url: string) {
  const [open, setOpen] = useState(false);
  const opener = useRef<HTMLElement | null>(null);
  const returnTo = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    // Once the sheet has gone. Not left to the dialog's own return of the focus: Preact 11 runs
    // an unmounted component's effect cleanups (the dialog's close()) after removing its elements,
    // and a dialog closed off the page returns nothing (the focus was found on the body).
    if (open || !opener.current) return;
    const back = opener.current.isConnected && opener.current !== document.body ? opener.current : returnTo.current;
    back?.focus();
    opener.current = null;
  }, [open]);
  return {
    open: () => {
      opener.current = document.activeElement instanceof HTMLElement ? document.activeElement : null;
      setOpen(true);
    },
    /** For the room's heading, which takes the focus back (tabIndex -1: reached by script only). */
    returnTo,
    sheet: open ? <InviteSheet url={url} onClose={() => setOpen(false)} /> : null,
  };
}

/** The notice's button that opens the sheet. */
export function InviteButton({ label, testid, onOpen }: { label: string; testid: string; onOpen: () => void }) {
  return <button class="invite-button" onClick={onOpen} data-testid={testid}>{label}</button>;
}
