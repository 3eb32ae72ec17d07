import { describe, expect, it } from "vitest";
import { distinctNames } from "../../web/src/ui/room/distinct-names";

describe("distinctNames", () => {
  it("numbers later joiners who share a name, by join order, whatever the list order", () => {
    const labels = distinctNames([
      { id: "c", name: "Гүлнар", joined: 30 },
      { id: "a", name: "Гүлнар", joined: 10 },
      { id: "b", name: "Bakyt", joined: 20 },
      { id: "d", name: "гүлнар", joined: 40 },
    ]);
    expect(Object.fromEntries(labels)).toEqual({ a: "Гүлнар", b: "Bakyt", c: "Гүлнар (2)", d: "гүлнар (3)" });
  });

  it("leaves distinct names alone", () => {
    expect(Object.fromEntries(distinctNames([{ id: "a", name: "A", joined: 1 }, { id: "b", name: "B", joined: 1 }]))).toEqual({ a: "A", b: "B" });
  });
});
