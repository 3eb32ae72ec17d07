import { describe, expect, it } from "vitest";
import { distinctNames, roomLabels } from "../../web/src/ui/room/distinct-names";

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

describe("roomLabels", () => {
  it("counts this device in the numbering, so every viewer sees the same label for the same person", () => {
    const others = [{ id: "b", name: "Aigul", joined: 20 }, { id: "c", name: "Aigul", joined: 30 }];
    // Seen by "a", who joined first under the same name: b is the second Aigul, c the third.
    expect(Object.fromEntries(roomLabels({ id: "a", name: "Aigul", joined: 10 }, others))).toEqual({ a: "Aigul", b: "Aigul (2)", c: "Aigul (3)" });
    // Before the welcome (no id yet), only the others are numbered.
    expect(Object.fromEntries(roomLabels({ id: null, name: "Aigul", joined: null }, others))).toEqual({ b: "Aigul", c: "Aigul (2)" });
  });
});
