// Keeps the Russian and Kyrgyz catalogs honest as features add strings: every plural form each
// language needs, the same placeholders as English, none of the forms a native speaker flagged,
// the glossary's word wherever English says a glossary term, and GLOSSARY.md in step with
// glossary.ts. Run with `npx vitest run test/unit/i18n*`.
//
// After changing glossary.ts, regenerate GLOSSARY.md's tables with
//   UPDATE_GLOSSARY=1 npx vitest run test/unit/i18n-catalogs.test.ts

import { readFileSync, writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { en, type Entry, type Lang } from "../../web/src/i18n/catalog";
import { CHECK_STRINGS } from "../../web/src/i18n/check-strings";
import { placeholderNames } from "../../web/src/i18n/format";
import { GLOSSARY, TERM_EXCEPTIONS, type Term } from "../../web/src/i18n/glossary";
import { ky } from "../../web/src/i18n/ky";
import { ru } from "../../web/src/i18n/ru";

type Table = Readonly<Record<string, Entry>>;
type Target = Exclude<Lang, "en">;

/** Both catalogs: the app's, and the check page's (which loads on its own). */
const CATALOGS: Record<string, Record<Lang, Table>> = {
  app: { en, ru, ky },
  check: CHECK_STRINGS,
};
const TARGETS: readonly Target[] = ["ru", "ky"];

/** Every text of an entry: the string, or each plural form. */
const forms = (entry: Entry): string[] => (typeof entry === "string" ? [entry] : Object.values(entry));

/** Every [catalog, key, lang, entry] there is. */
function* entries(): Generator<{ where: string; key: string; lang: Lang; entry: Entry }> {
  for (const [catalog, langs] of Object.entries(CATALOGS)) {
    for (const [lang, table] of Object.entries(langs) as Array<[Lang, Table]>) {
      for (const [key, entry] of Object.entries(table)) yield { where: `${catalog} ${lang} ${key}`, key, lang, entry };
    }
  }
}

const sorted = (s: Iterable<string>) => [...s].sort();

describe("catalogs", () => {
  it("have every English key in every language, and no others", () => {
    for (const [catalog, langs] of Object.entries(CATALOGS)) {
      for (const lang of TARGETS) expect(sorted(Object.keys(langs[lang])), `${catalog} ${lang}`).toEqual(sorted(Object.keys(langs.en)));
    }
  });

  it("give a count every plural category its language needs, and only those", () => {
    const problems: string[] = [];
    for (const [catalog, langs] of Object.entries(CATALOGS)) {
      for (const [key, english] of Object.entries(langs.en)) {
        for (const lang of ["en", ...TARGETS] as const) {
          const entry = langs[lang][key];
          if (entry === undefined) continue; // the key test reports it
          if (typeof english === "string" && typeof entry === "string") continue;
          if (typeof english === "string" || typeof entry === "string") {
            problems.push(`${catalog} ${lang} ${key}: plural in one language, a plain string in another`);
            continue;
          }
          const needed = sorted(new Intl.PluralRules(lang).resolvedOptions().pluralCategories);
          const have = sorted(Object.keys(entry));
          if (have.join() !== needed.join()) problems.push(`${catalog} ${lang} ${key}: has ${have.join(", ")}; ${lang} needs ${needed.join(", ")}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it("keep English's placeholders in every string and every plural form", () => {
    const problems: string[] = [];
    for (const [catalog, langs] of Object.entries(CATALOGS)) {
      for (const [key, english] of Object.entries(langs.en)) {
        const want = sorted(new Set(forms(english).flatMap((t) => [...placeholderNames(t)]))).join();
        for (const lang of ["en", ...TARGETS] as const) {
          const entry = langs[lang][key];
          for (const text of entry === undefined ? [] : forms(entry)) {
            const got = sorted(placeholderNames(text)).join();
            if (got !== want) problems.push(`${catalog} ${lang} ${key}: {${got}} instead of {${want}} in “${text}”`);
          }
        }
      }
    }
    expect(problems).toEqual([]);
  });
});

/** Forms a native speaker flagged (I18N.md's review), and what to write instead. */
const BAD_FORMS: ReadonlyArray<{ lang: Target; form: string; why: string }> = [
  { lang: "ru", form: "(ла)", why: "reads as «вошёлла»; say it without the past tense («теперь в комнате») or as «покинул(а)»" },
  { lang: "ru", form: "видьте", why: "not a standard imperative («вы видите»)" },
  { lang: "ru", form: "слышьте", why: "not a standard imperative («вы слышите»)" },
  { lang: "ru", form: "данные для входа", why: "the term is «учётные данные»" },
  { lang: "ru", form: "наши данные", why: "no «наши»: «учётные данные»" },
  { lang: "ru", form: "не соединятся", why: "calque; «не будут работать»" },
  { lang: "ru", form: "Комната закрыла", why: "calque; «Сервер комнаты разорвал соединение»" },
  { lang: "ru", form: "за строгими сетями", why: "calque; «из сетей с жёсткими ограничениями»" },
  { lang: "ru", form: "не предлагает", why: "calque of “offer”; «не поддерживается» / «нет»" },
  { lang: "ru", form: "Как вас увидят", why: "reads as “how others perceive you”; «Имя, которое увидят другие»" },
  { lang: "ru", form: "из этого браузера", why: "«в этом браузере»" },
  { lang: "ru", form: "Экран: Вы", why: "your own screen is «Ваш экран» (room.yourScreen)" },
  { lang: "ky", form: "сунушта", why: "сунуштоо is to recommend; «колдобойт» / «жок»" },
  { lang: "ky", form: "маалыматтарыбыз", why: "no “our”: «кирүү маалыматтары»" },
  { lang: "ky", form: "окула элек", why: "the usual term is «окулбаган»" },
  { lang: "ky", form: "Бөлмө толук", why: "«толук» is “complete”; «Бөлмө толуп калды»" },
  { lang: "ky", form: "байланышты жапты", why: "the collocation is «байланышты үздү»" },
  { lang: "ky", form: "Туташуу болгон жок", why: "«Туташкан жок»" },
  { lang: "ky", form: "кодду коюңуз", why: "paste is «чаптоо»: «кодду чаптаңыз»" },
  { lang: "ky", form: "браузерден жана", why: "locative: «браузерде жана … тармакта»" },
  { lang: "ky", form: "Сиз: экран", why: "your own screen is «Сиздин экраныңыз» (room.yourScreen)" },
];

/** Checks of form that need no word list. */
const RULES: ReadonlyArray<{ langs: readonly Lang[]; test: RegExp; why: string }> = [
  { langs: ["ru", "ky"], test: /"/, why: "quotes are «ёлочки» in Russian and Kyrgyz" },
  { langs: ["en", "ru", "ky"], test: /\.\.\./, why: "an ellipsis is one character: …" },
  { langs: ["en", "ru", "ky"], test: /^\s|\s$|\s{2}/, why: "stray whitespace" },
  { langs: ["ru", "ky"], test: /(?=\p{L}*\p{Script=Latin})(?=\p{L}*\p{Script=Cyrillic})\p{L}+/u, why: "a word mixing Latin and Cyrillic letters (a look-alike letter typed in the wrong layout)" },
  { langs: ["ru"], test: /(?<!\p{L})(ты|тебя|тебе|тобой|твой|твоя|твоё|твои|твоих)(?!\p{L})/iu, why: "informal «ты»: the UI says «вы»" },
  { langs: ["ky"], test: /(?<!\p{L})(сен|сени|сага|сенин|сенден|сенде)(?!\p{L})/iu, why: "informal «сен»: the UI says «сиз»" },
  { langs: ["ky"], test: /[әғқұһіӘҒҚҰҺІ]/u, why: "a Kazakh letter in Kyrgyz" },
  { langs: ["ru"], test: /[ңөүҢӨҮ]/u, why: "a Kyrgyz letter in Russian" },
];

describe("catalog wording", () => {
  it("has none of the forms the native-speaker review flagged", () => {
    const found: string[] = [];
    for (const { where, lang, entry } of entries()) {
      for (const bad of BAD_FORMS) {
        for (const text of forms(entry)) if (bad.lang === lang && text.includes(bad.form)) found.push(`${where}: «${bad.form}»: ${bad.why}`);
      }
    }
    expect(found).toEqual([]);
  });

  it("follows the typographic and politeness rules", () => {
    const found: string[] = [];
    for (const { where, lang, entry } of entries()) {
      for (const rule of RULES) {
        for (const text of forms(entry)) if (rule.langs.includes(lang) && rule.test.test(text)) found.push(`${where}: ${rule.why}: “${text}”`);
      }
    }
    expect(found).toEqual([]);
  });
});

/** The English text as the glossary check sees it: without {placeholders} (“{device}” is not the word “device”). */
const bare = (text: string) => text.replace(/\{\w+\}/g, "");

/** Strings that say a term in English but not the glossary's word, for one language. */
function termMisses(term: Term, lang: Target): Array<{ key: string; text: string }> {
  const check = term.check;
  if (!check) return [];
  const misses: Array<{ key: string; text: string }> = [];
  for (const langs of Object.values(CATALOGS)) {
    for (const [key, english] of Object.entries(langs.en)) {
      if (check.keys && !check.keys.test(key)) continue;
      if (!forms(english).some((t) => check.en.test(bare(t)))) continue;
      const entry = langs[lang][key];
      for (const text of entry === undefined ? [] : forms(entry)) if (!check[lang].test(text)) misses.push({ key, text });
    }
  }
  return misses;
}

const excepted = (term: Term, lang: Target, key: string) => TERM_EXCEPTIONS.some((x) => x.term === term.en && x.lang === lang && x.key === key);

describe("glossary", () => {
  it("is what every string saying a glossary term uses (stems, so any inflection)", () => {
    const misses: string[] = [];
    for (const term of GLOSSARY) {
      for (const lang of TARGETS) {
        for (const miss of termMisses(term, lang)) {
          if (!excepted(term, lang, miss.key)) misses.push(`${lang} ${miss.key}: English says “${term.en}”, so it should say «${term[lang]}»: “${miss.text}”`);
        }
      }
    }
    expect(misses).toEqual([]);
  });

  it("lists only exceptions that are still needed", () => {
    const keys = new Set(Object.values(CATALOGS).flatMap((langs) => Object.keys(langs.en)));
    const stale: string[] = [];
    for (const x of TERM_EXCEPTIONS) {
      const term = GLOSSARY.find((t) => t.en === x.term);
      if (!term) stale.push(`${x.key} ${x.lang}: no glossary term “${x.term}”`);
      else if (!keys.has(x.key)) stale.push(`${x.key}: no such key`);
      else if (!termMisses(term, x.lang).some((m) => m.key === x.key)) stale.push(`${x.key} ${x.lang} “${x.term}”: the string follows the glossary now; drop the exception`);
      if (!x.reason.trim()) stale.push(`${x.key} ${x.lang}: an exception needs a reason`);
    }
    expect(stale).toEqual([]);
  });

  it("marks as used exactly the terms English says today", () => {
    const english = Object.values(CATALOGS).flatMap((langs) => Object.entries(langs.en).flatMap(([key, e]) => forms(e).map((t) => ({ key, text: bare(t) }))));
    const says = (term: Term) => english.some(({ key, text }) => term.check && (!term.check.keys || term.check.keys.test(key)) && term.check.en.test(text));
    const wrong = GLOSSARY.filter((t) => t.check && says(t) !== (t.status === "used")).map((t) =>
      t.status === "used"
        ? `“${t.en}” is marked used, but no English string says it`
        : `“${t.en}” is proposed, but English says it now: have a native speaker confirm «${t.ru}» / «${t.ky}», then mark it used`,
    );
    expect(wrong).toEqual([]);
  });

  it("is shown in GLOSSARY.md as glossary.ts has it", () => {
    const path = new URL("../../web/src/i18n/GLOSSARY.md", import.meta.url);
    const doc = readFileSync(path, "utf8");
    const start = "<!-- glossary.ts: begin (generated by test/unit/i18n-catalogs.test.ts) -->";
    const end = "<!-- glossary.ts: end -->";
    const from = doc.indexOf(start);
    const to = doc.indexOf(end);
    expect(from, "GLOSSARY.md has the markers").toBeGreaterThanOrEqual(0);
    expect(to).toBeGreaterThan(from);
    const current = doc.slice(from + start.length, to);
    const wanted = `\n${glossaryTables()}\n`;
    if (process.env.UPDATE_GLOSSARY && current !== wanted) writeFileSync(path, doc.slice(0, from + start.length) + wanted + doc.slice(to));
    else expect(current, "GLOSSARY.md is out of step with glossary.ts: run UPDATE_GLOSSARY=1 npx vitest run test/unit/i18n-catalogs.test.ts").toBe(wanted);
  });
});

function glossaryTables(): string {
  const cell = (s: string) => s.replace(/\|/g, "\\|");
  const row = (cells: string[]) => `| ${cells.map(cell).join(" | ")} |`;
  const terms = (status: Term["status"]) => [
    row(["term", "ru", "ky", "note"]),
    "|---|---|---|---|",
    ...GLOSSARY.filter((t) => t.status === status).map((t) => row([t.en, t.ru, t.ky, t.note ?? ""])),
  ];
  return [
    "### In use",
    "",
    ...terms("used"),
    "",
    "### Proposed, for the features planned next",
    "",
    ...terms("proposed"),
    "",
    "### Strings that may say a term differently",
    "",
    row(["key", "lang", "term", "why"]),
    "|---|---|---|---|",
    ...TERM_EXCEPTIONS.map((x) => row([x.key, x.lang, x.term, x.reason])),
  ].join("\n");
}
