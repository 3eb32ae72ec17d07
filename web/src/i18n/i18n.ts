// Translation: t(key, params) from the catalog, plural forms by Intl.PluralRules. The language
// comes from the user's choice (remembered), else the browser's languages, else English.

import { readStored, writeStored } from "../stored";
import { LANGS, en, type Entry, type Lang, type MessageKey } from "./catalog";
import { fill, type Params } from "./format";

export type { Lang, MessageKey, Params };
export { LANGS };

const STORAGE_KEY = "roomlink.lang";
const loaded: Partial<Record<Lang, Record<MessageKey, Entry>>> = { en };

/** Loads a language's strings (English is always there). */
export async function loadLang(lang: Lang): Promise<void> {
  if (loaded[lang]) return;
  loaded[lang] = lang === "ru" ? (await import("./ru")).ru : (await import("./ky")).ky;
}

export function pickLang(preferred: readonly string[], stored: string | null): Lang {
  const isLang = (s: string): s is Lang => s in LANGS;
  if (stored && isLang(stored)) return stored;
  for (const tag of preferred) {
    const base = tag.toLowerCase().split("-")[0]!;
    if (isLang(base)) return base;
  }
  return "en";
}

/** A string in `lang`, or in English while (or if) that language is not loaded. */
export function translate(lang: Lang, key: MessageKey, params: Params = {}): string {
  const table = loaded[lang] ?? en;
  const entry: Entry = table[key] ?? en[key];
  let text: string;
  if (typeof entry === "string") text = entry;
  else {
    const count = Number(params.count ?? 0);
    const category = new Intl.PluralRules(loaded[lang] ? lang : "en").select(count);
    text = entry[category] ?? entry.other;
  }
  return fill(text, params);
}

export const storedLang = (): string | null => readStored(STORAGE_KEY);

export const storeLang = (lang: Lang): void => writeStored(STORAGE_KEY, lang);
