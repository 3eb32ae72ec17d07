import { describe, expect, it } from "vitest";
import { intVar, listVar, numberVar, oneOfVar } from "../../worker/env-vars";

describe("env vars", () => {
  it("read integers in range, and fall back on anything else", () => {
    expect(intVar("12", 5, 1, 20)).toBe(12);
    expect(intVar(" 12 ", 5, 1, 20)).toBe(12);
    for (const bad of [undefined, "", "  ", "x", "1.5", "0", "21"]) expect(intVar(bad, 5, 1, 20), String(bad)).toBe(5);
  });

  it("read finite numbers, words from a list, and comma-separated lists", () => {
    expect(numberVar("-3.5", 0)).toBe(-3.5);
    expect(numberVar("Infinity", 7)).toBe(7);
    expect(numberVar(undefined, 7)).toBe(7);
    expect(oneOfVar("b", ["a", "b"] as const, "a")).toBe("b");
    expect(oneOfVar("c", ["a", "b"] as const, "a")).toBe("a");
    expect(listVar(" x, ,y ,")).toEqual(["x", "y"]);
    expect(listVar(undefined)).toEqual([]);
  });
});
