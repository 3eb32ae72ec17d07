// Files as a person reads them, in one place: sizes, speeds and times in the reader's language,
// each status as words, and why a transfer ended, said from our side of it (“Aigul declined” on
// the sender's card, “You declined” on the receiver's). The cards and the tests ask here.
//
// Sizes count 1 kB as 1000 bytes, as the phones (iOS, Android) and macOS show the same file, and
// as the SI prefixes the labels use mean: a 1024 base would print a number that the person's own
// file manager does not show.
//
// The unit labels are the catalog's, not Intl's "megabyte" or "minute": Chromium ships no Kyrgyz
// formatting data and would say "2.4 MB", "4 min" in a Kyrgyz sentence. The numbers themselves
// are Intl's, with Russian's data standing in where the browser has none for Kyrgyz (the two
// write numbers alike: 2,4 and 12 345).

import type { FileEnd, IncomingStatus, OutgoingStatus, Progress } from "../../engine/features/files-view";
import { formatNumber } from "../../i18n/format";
import type { Lang, MessageKey, Params } from "../../i18n/i18n";

/** A string of the catalog with its parameters, for t(). */
export interface Text {
  key: MessageKey;
  params?: Params;
}

/** What the formatters need of useI18n(). */
export interface Say {
  lang: Lang;
  t: (key: MessageKey, params?: Params) => string;
}

/** A number as `lang` writes it (i18n/format.ts). */
const number = (value: number, lang: Lang, decimals: number): string => formatNumber(value, lang, decimals);

const UNITS = ["files.unit.kB", "files.unit.MB", "files.unit.GB"] as const;

/** 12 345 678 → "12 MB" (ru «12 МБ»); one decimal under 10 (1.5 MB), none above: as precise as a glance needs. */
export function formatSize(bytes: number, { lang, t }: Say): string {
  let value = Math.max(0, bytes);
  let unit: MessageKey = "files.unit.B";
  for (const next of UNITS) {
    // 999 999 bytes is "1 MB", not "1 000 kB": the next unit as soon as this one would round to 1000.
    if (value < 999.5) break;
    value /= 1000;
    unit = next;
  }
  return t(unit, { n: number(value, lang, value < 10 && unit !== "files.unit.B" ? 1 : 0) });
}

/** 3 100 000 → "3.1 MB/s". */
export const formatSpeed = (bytesPerSecond: number, say: Say): string => say.t("files.unit.perSecond", { size: formatSize(bytesPerSecond, say) });

/** 0.42 → "42%" (ru «42 %»); rounded down, so never 100% before the end. */
export function formatPercent(done: number, total: number, { lang, t }: Say): string {
  const ratio = total > 0 ? Math.min(1, done / total) : 0;
  return t("files.unit.percent", { n: number(Math.floor(ratio * 100), lang, 0) });
}

/**
 * Seconds as a download's time left: "45 sec", "3 min", "1 hr 5 min"; rounded up, so that
 * "0 sec" is never said while something is still left.
 */
export function formatDuration(seconds: number, { lang, t }: Say): string {
  const s = Math.max(1, Math.ceil(seconds));
  if (s < 60) return t("files.unit.sec", { n: number(s, lang, 0) });
  const minutes = Math.ceil(s / 60);
  if (minutes < 60) return t("files.unit.min", { n: number(minutes, lang, 0) });
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return rest === 0 ? t("files.unit.hr", { n: number(hours, lang, 0) }) : t("files.unit.hrMin", { h: number(hours, lang, 0), m: number(rest, lang, 0) });
}

/** "42% · 3.1 MB/s · 2 min remaining"; the speed and the time once there is one to say. */
export function progressLine(p: Progress, say: Say): string {
  const parts = [formatPercent(p.bytesDone, p.bytesTotal, say)];
  if (p.bytesPerSecond > 0) parts.push(formatSpeed(p.bytesPerSecond, say));
  if (p.secondsLeft !== null && p.secondsLeft > 0) parts.push(say.t("files.remaining", { time: formatDuration(p.secondsLeft, say) }));
  return parts.join(" · ");
}

/** What an incoming card says of its status while it has no other words (failed says why instead). */
export function incomingStatusText(status: IncomingStatus): MessageKey | null {
  switch (status) {
    case "offered":
      return null;
    case "receiving":
      return "files.receiving";
    case "resuming":
      return "files.resuming";
    case "saving":
      return "files.saving";
    case "done":
      return "files.received";
    case "failed":
      return null;
  }
}

/** A recipient's line on the sender's card; `name` is the recipient's. */
export function outgoingStatusText(status: OutgoingStatus, name: string): Text | null {
  switch (status) {
    case "queued":
      return { key: "files.queued" };
    case "offered":
      return { key: "files.waiting", params: { name } };
    case "sending":
      return { key: "files.sending" };
    case "resuming":
      return { key: "files.resuming" };
    case "done":
      return { key: "files.sent" };
    case "failed":
      return null;
  }
}

/**
 * Why a transfer ended, from our side: `side` is the card's ("in": offered to us, `name` the
 * sender; "out": ours, `name` that recipient).
 */
export function endText(end: FileEnd, side: "in" | "out", name: string): Text {
  const named = (key: MessageKey): Text => ({ key, params: { name } });
  const bySide = (incoming: MessageKey, outgoing: MessageKey): Text => ({ key: side === "in" ? incoming : outgoing });
  switch (end.problem) {
    case "cancelled":
      if (end.by === "remote") return named("files.end.theyCancelled");
      if (end.by === "link") return named("files.end.lost");
      return bySide("files.end.youCancelled", "files.end.cancelled");
    case "declined":
      // Only a receiver declines: on our own card it was us, on the sender's the recipient.
      return side === "in" ? { key: "files.end.youDeclined" } : named("files.end.theyDeclined");
    case "left":
      return named("files.end.left");
    case "interrupted":
      return named("files.end.lost");
    case "unreachable":
      return named("files.end.unreachable");
    case "busy":
      return side === "in" ? { key: "files.end.busyIn" } : named("files.end.busyOut");
    case "too-large":
      return side === "in" ? { key: "files.end.tooLargeIn" } : named("files.end.tooLargeOut");
    case "corrupt":
      return bySide("files.end.damagedIn", "files.end.damagedOut");
    case "no-space":
    case "write-failed":
      // The receiver's storage: ours on an incoming card, theirs on an outgoing one.
      if (side === "out") return { key: "files.end.writeOut" };
      return { key: end.problem === "no-space" ? "files.end.noSpace" : "files.end.writeIn" };
    case "expired":
      return { key: "files.end.expired" };
    case "relay-too-large":
      return { key: "files.end.relayTooLarge" };
    case "read-failed":
      return bySide("files.end.readIn", "files.end.readOut");
    case "file-changed":
      return bySide("files.end.changedIn", "files.end.changedOut");
    case "bad-json":
    case "unknown-type":
    case "bad-message":
    case "bad-name":
    case "bad-blocks":
    case "bad-index":
    case "block-overrun":
    case "unexpected":
    case "id-mismatch":
      // One app misread the other (a bug, or a version apart): nothing the person can act on but trying again.
      return { key: "files.end.error" };
  }
}
