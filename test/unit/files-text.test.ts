// Files as a person reads them (web/src/ui/files/file-text.ts): sizes in 1000s, time left rounded
// up, percent rounded down, and why a transfer ended said from the card's side.

import { describe, expect, it } from "vitest";
import { FILE_ERRORS } from "../../web/src/engine/files/errors";
import type { FileProblem } from "../../web/src/engine/features/files-view";
import { translate, type Lang } from "../../web/src/i18n/i18n";
import { endText, formatDuration, formatPercent, formatSize, progressLine } from "../../web/src/ui/files/file-text";

const say = (lang: Lang) => ({ lang, t: (key: Parameters<typeof translate>[1], params?: Parameters<typeof translate>[2]) => translate(lang, key, params) });
const en = say("en");

describe("file sizes, speeds and times", () => {
  it("counts 1 kB as 1000 bytes, with one decimal under 10 and the next unit before 1000", () => {
    expect(formatSize(0, en)).toBe(translate("en", "files.unit.B", { n: "0" }));
    expect(formatSize(2_400_000, en)).toBe(translate("en", "files.unit.MB", { n: "2.4" }));
    expect(formatSize(52_428_800, en)).toBe(translate("en", "files.unit.MB", { n: "52" }));
    expect(formatSize(999_999, en)).toBe(translate("en", "files.unit.MB", { n: "1" }));
    expect(formatSize(2 * 1024 ** 3, en)).toBe(translate("en", "files.unit.GB", { n: "2.1" }));
    // Russian's number data stands in for Kyrgyz, which Chromium and Node lack: a decimal comma.
    expect(formatSize(2_400_000, say("ky"))).toBe(translate("ky", "files.unit.MB", { n: "2,4" }));
  });

  it("rounds the time left up and the percent down", () => {
    expect(formatDuration(0.2, en)).toBe(translate("en", "files.unit.sec", { n: "1" }));
    expect(formatDuration(61, en)).toBe(translate("en", "files.unit.min", { n: "2" }));
    expect(formatDuration(3900, en)).toBe(translate("en", "files.unit.hrMin", { h: "1", m: "5" }));
    expect(formatPercent(999, 1000, en)).toBe(translate("en", "files.unit.percent", { n: "99" }));
    expect(progressLine({ bytesDone: 0, bytesTotal: 10, bytesPerSecond: 0, secondsLeft: null }, en)).toBe(translate("en", "files.unit.percent", { n: "0" }));
  });
});

describe("why a transfer ended", () => {
  it("says who from the card's side", () => {
    expect(endText({ problem: "declined", by: "remote" }, "out", "Aigul")).toEqual({ key: "files.end.theyDeclined", params: { name: "Aigul" } });
    expect(endText({ problem: "declined", by: "local" }, "in", "Aigul")).toEqual({ key: "files.end.youDeclined" });
    expect(endText({ problem: "cancelled", by: "remote" }, "in", "Aigul")).toEqual({ key: "files.end.theyCancelled", params: { name: "Aigul" } });
    expect(endText({ problem: "cancelled", by: "local" }, "in", "Aigul")).toEqual({ key: "files.end.youCancelled" });
    expect(endText({ problem: "left", by: "remote" }, "out", "Aigul")).toEqual({ key: "files.end.left", params: { name: "Aigul" } });
    expect(endText({ problem: "no-space", by: "local" }, "in", "Aigul")).toEqual({ key: "files.end.noSpace" });
    expect(endText({ problem: "too-large", by: "remote" }, "out", "Aigul")).toEqual({ key: "files.end.tooLargeOut", params: { name: "Aigul" } });
  });

  it("has words in every language for every problem, from either side", () => {
    const problems: FileProblem[] = [...FILE_ERRORS, "left", "no-space", "unreachable"];
    for (const problem of problems) {
      for (const side of ["in", "out"] as const) {
        for (const lang of ["en", "ru", "ky"] as const) {
          const { key, params } = endText({ problem, by: "remote" }, side, "Aigul");
          const words = translate(lang, key, params);
          expect(words, `${problem} ${side} ${lang}`).not.toBe(key);
          expect(words.length).toBeGreaterThan(3);
        }
      }
    }
  });
});
