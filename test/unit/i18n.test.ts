import { describe, expect, it } from "vitest";
import { en } from "../../web/src/i18n/catalog";
import { loadLang, pickLang, translate, type MessageKey } from "../../web/src/i18n/i18n";
import { CHECK_STRINGS, checkText } from "../../web/src/i18n/check-strings";
import { fill, placeholderNames } from "../../web/src/i18n/format";
import { ky } from "../../web/src/i18n/ky";
import { ru } from "../../web/src/i18n/ru";

const placeholders = (entry: unknown) => {
  const texts = typeof entry === "string" ? [entry] : Object.values(entry as Record<string, string>);
  return new Set(texts.flatMap((t) => [...placeholderNames(t)]));
};

describe("i18n", () => {
  it("has every key in every language, with the same placeholders", () => {
    for (const [name, table] of Object.entries({ ru, ky })) {
      expect(Object.keys(table).sort(), name).toEqual(Object.keys(en).sort());
      for (const key of Object.keys(en) as MessageKey[]) {
        expect(placeholders(table[key]), `${name} ${key}`).toEqual(placeholders(en[key]));
      }
    }
  });

  it("has the connection check's strings in every language, with the same placeholders", () => {
    const keys = Object.keys(CHECK_STRINGS.en).sort();
    for (const lang of ["ru", "ky"] as const) {
      expect(Object.keys(CHECK_STRINGS[lang]).sort(), lang).toEqual(keys);
      for (const k of keys) expect(placeholders(CHECK_STRINGS[lang][k as keyof typeof CHECK_STRINGS.en])).toEqual(placeholders(CHECK_STRINGS.en[k as keyof typeof CHECK_STRINGS.en]));
    }
    expect(checkText("ru", "check.rtt", { ms: 12 })).toBe("задержка 12 мс");
  });

  it("uses each language's plural rules", async () => {
    await loadLang("ru");
    await loadLang("ky");
    expect([1, 2, 5, 21, 22, 25].map((count) => translate("ru", "room.participants", { count }))).toEqual([
      "1 участник", "2 участника", "5 участников", "21 участник", "22 участника", "25 участников",
    ]);
    expect([1, 2].map((count) => translate("en", "room.participants", { count }))).toEqual(["1 participant", "2 participants"]);
    expect(translate("ky", "room.participants", { count: 3 })).toBe("3 катышуучу");
  });

  it("fills placeholders and falls back to English for a language not yet loaded", () => {
    expect(translate("en", "chat.joined", { name: "Aigul" })).toBe("Aigul joined");
    expect(translate("en", "chat.joined")).toBe("{name} joined");
  });

  it("fills placeholders the same way for the app and the check page", () => {
    expect(fill("{a} and {b}", { a: 1, b: "two" })).toBe("1 and two");
    expect(fill("{missing} stays", {})).toBe("{missing} stays");
    expect(fill("{toString}", {})).toBe("{toString}"); // only the params' own names
    expect(checkText("en", "check.rtt", { ms: 40 })).toBe(fill(CHECK_STRINGS.en["check.rtt"], { ms: 40 }));
    expect(checkText("en", "check.rtt")).toBe("round trip {ms} ms");
  });

  it("names your own screen with its own string", async () => {
    await loadLang("ru");
    await loadLang("ky");
    expect(["en", "ru", "ky"].map((l) => translate(l as "en", "room.yourScreen"))).toEqual(["Your screen", "Ваш экран", "Сиздин экраныңыз"]);
  });

  it("picks the stored language, then the browser's, then English", () => {
    expect(pickLang(["ru-RU", "en"], null)).toBe("ru");
    expect(pickLang(["de-DE", "ky-KG"], null)).toBe("ky");
    expect(pickLang(["de-DE"], null)).toBe("en");
    expect(pickLang(["ru-RU"], "ky")).toBe("ky");
    expect(pickLang(["ru-RU"], "xx")).toBe("ru");
  });
});
