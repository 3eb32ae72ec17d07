// {placeholder} substitution, the one place both the app's catalogs and the check page's strings
// fill in names and numbers; and numbers as a language writes them.

import type { Lang } from "./catalog";

export type Params = Record<string, string | number>;

const PLACEHOLDER = /\{(\w+)\}/g;

/**
 * `text` with each {name} replaced by params[name]. A placeholder with no value is left as it
 * is, so a missing parameter shows on screen instead of silently vanishing.
 */
export function fill(text: string, params: Params = {}): string {
  return text.replace(PLACEHOLDER, (m, name: string) => (Object.hasOwn(params, name) ? String(params[name]) : m));
}

/** The names of the placeholders in `text` (for checks that every translation keeps them). */
export function placeholderNames(text: string): Set<string> {
  return new Set(Array.from(text.matchAll(PLACEHOLDER), (m) => m[1]!));
}

/** Whose number data a language borrows where the browser has none of its own (Chromium ships no Kyrgyz; the two write numbers alike: 2,4 and 12 345). */
const STAND_IN: Partial<Record<Lang, string>> = { ky: "ru" };

const formats = new Map<string, Intl.NumberFormat>();

/** A number as `lang` writes it, with at most `decimals` decimals; formatters are cached (progress and stats re-render often). */
export function formatNumber(value: number, lang: Lang, decimals = 0): string {
  const id = `${lang} ${decimals}`;
  let f = formats.get(id);
  if (!f) {
    const locale = Intl.NumberFormat.supportedLocalesOf(lang).length > 0 ? lang : (STAND_IN[lang] ?? "en");
    formats.set(id, (f = new Intl.NumberFormat(locale, { maximumFractionDigits: decimals })));
  }
  return f.format(value);
}
