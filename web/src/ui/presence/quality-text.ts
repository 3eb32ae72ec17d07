// A connection's quality as a person reads it: each figure of LinkQuality (or this device's
// OwnQuality) as a labelled row in the reader's language, and the one hint worth saying first.
// Pure, so the wording can be tested without a page.

import type { LinkQuality, OwnQuality, QualityGrade, Route } from "../../engine/features/presence-view";
import { formatNumber } from "../../i18n/format";
import type { Lang, MessageKey, Params } from "../../i18n/i18n";

export interface Say {
  lang: Lang;
  t: (key: MessageKey, params?: Params) => string;
}

export interface Row {
  /** Stable, for keys and tests. */
  id: "rtt" | "loss-in" | "loss-out" | "jitter" | "in" | "out" | "limitation" | "route";
  label: string;
  value: string;
}

export const gradeText = (grade: QualityGrade, { t }: Say): string => t(`quality.grade.${grade}`);

/** Loss keeps one decimal under 10 % (0.4 % is not 0 %); delays and rates are whole numbers. */
const ms = (v: number | null, { lang, t }: Say) => (v === null ? t("quality.unknown") : t("quality.unit.ms", { n: formatNumber(Math.round(v), lang) }));
const pct = (v: number | null, { lang, t }: Say) => (v === null ? t("quality.unknown") : t("quality.unit.percent", { n: formatNumber(v, lang, v < 10 ? 1 : 0) }));
const kbps = (v: number | null, { lang, t }: Say) => (v === null ? t("quality.unknown") : t("quality.unit.kbps", { n: formatNumber(Math.round(v), lang) }));

function routeText(route: Route | null, relayed: boolean | null, say: Say): string {
  const relay = route?.relay ?? relayed;
  if (relay === null) return say.t("quality.unknown");
  if (!relay) return say.t("quality.direct");
  const protocol = route?.relayProtocol;
  return protocol ? say.t("quality.relay", { protocol: protocol.toUpperCase() }) : say.t("quality.relayAny");
}

const limitationText = (limitation: LinkQuality["limitation"], say: Say) => (limitation === null ? say.t("quality.unknown") : say.t(`quality.limit.${limitation}`));

/** Every figure of one connection, in the order the details show them. */
export function linkRows(q: LinkQuality, say: Say): Row[] {
  const t = say.t;
  return [
    { id: "rtt", label: t("quality.rtt"), value: ms(q.rttMs, say) },
    { id: "loss-in", label: t("quality.lossIn"), value: pct(q.lossInPct, say) },
    { id: "loss-out", label: t("quality.lossOut"), value: pct(q.lossOutPct, say) },
    { id: "jitter", label: t("quality.jitter"), value: ms(q.jitterMs, say) },
    { id: "in", label: t("quality.in"), value: kbps(q.kbpsIn, say) },
    { id: "out", label: t("quality.out"), value: kbps(q.kbpsOut, say) },
    { id: "limitation", label: t("quality.limitation"), value: limitationText(q.limitation, say) },
    { id: "route", label: t("quality.route"), value: routeText(q.route, null, say) },
  ];
}

/** This device's side, summed over its connections: what it sends and receives, and how. */
export function ownRows(q: OwnQuality, say: Say): Row[] {
  const t = say.t;
  return [
    { id: "out", label: t("quality.out"), value: kbps(q.kbpsOut, say) },
    { id: "in", label: t("quality.in"), value: kbps(q.kbpsIn, say) },
    { id: "limitation", label: t("quality.limitation"), value: limitationText(q.limitation, say) },
    { id: "route", label: t("quality.route"), value: routeText(null, q.relayed, say) },
  ];
}

/** The hint in words, or null when there is nothing to say. */
export const hintText = (q: { hint: LinkQuality["hint"] }, say: Say): string | null => (q.hint === null ? null : say.t(`quality.hint.${q.hint}`));
