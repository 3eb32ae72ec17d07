// Change detection (engine/safety/change-memory.ts): what each person presented, per room and tab.

import { describe, expect, it } from "vitest";
import { ChangeMemory } from "../../web/src/engine/safety/change-memory";

class MapStorage {
  readonly map = new Map<string, string>();
  getItem(key: string) {
    return this.map.get(key) ?? null;
  }
  setItem(key: string, value: string) {
    this.map.set(key, value);
  }
}

const nobody = () => false;

describe("ChangeMemory", () => {
  it("flags nothing the first time, nor while the fingerprints stay the same (a resume keeps the id)", () => {
    const memory = new ChangeMemory("room", new MapStorage());
    expect(memory.observe("p1", "Aigul", ["FP1"], nobody)).toBe(false);
    expect(memory.observe("p1", "Aigul", ["FP1"], nobody)).toBe(false);
  });

  it("flags a changed fingerprint for the same id, until dismissed", () => {
    const memory = new ChangeMemory("room", new MapStorage());
    memory.observe("p1", "Aigul", ["FP1"], nobody);
    expect(memory.observe("p1", "Aigul", ["FP2"], nobody)).toBe(true);
    // Still flagged when seen again, even with the old fingerprint back: nobody compared yet.
    expect(memory.observe("p1", "Aigul", ["FP1"], nobody)).toBe(true);
    memory.dismiss("p1");
    expect(memory.observe("p1", "Aigul", ["FP1"], nobody)).toBe(false);
    expect(memory.observe("p1", "Aigul", ["FP2"], nobody)).toBe(true);
  });

  it("matches a person back under a new id (a reload) by name, if the old id is gone", () => {
    const memory = new ChangeMemory("room", new MapStorage());
    memory.observe("old", "Bakyt", ["FP1"], nobody);
    expect(memory.observe("new", "Bakyt", ["FP1"], nobody)).toBe(false);
    expect(memory.observe("newer", "Bakyt", ["FP2"], nobody)).toBe(true);
  });

  it("does not match a namesake who is still here", () => {
    const memory = new ChangeMemory("room", new MapStorage());
    memory.observe("b1", "Bakyt", ["FP1"], nobody);
    expect(memory.observe("b2", "Bakyt", ["FP2"], (id) => id === "b1")).toBe(false);
  });

  it("survives the tab's reload (sessionStorage), per room", () => {
    const storage = new MapStorage();
    new ChangeMemory("room", storage).observe("p1", "Aigul", ["FP1"], nobody);
    expect(new ChangeMemory("room", storage).observe("p1", "Aigul", ["FP2"], nobody)).toBe(true);
    expect(new ChangeMemory("other", storage).observe("p1", "Aigul", ["FP2"], nobody)).toBe(false);
  });

  it("is bounded, and reads corrupt or blocked storage as empty", () => {
    const storage = new MapStorage();
    const memory = new ChangeMemory("room", storage);
    for (let i = 0; i < 200; i++) memory.observe(`p${i}`, `N${i}`, [`FP${i}`], nobody);
    expect(JSON.parse(storage.getItem("roomlink.safety.v2.room")!)).toHaveLength(64);
    storage.setItem("roomlink.safety.v2.room", "{not json");
    expect(new ChangeMemory("room", storage).observe("p199", "N199", ["other"], nobody)).toBe(false);
    storage.setItem("roomlink.safety.v2.room", JSON.stringify([{ id: 1 }, { id: "p1", name: "A", fingerprints: "FP", changed: false }]));
    expect(new ChangeMemory("room", storage).observe("p1", "A", ["FP2"], nobody)).toBe(true);
    const blocked = { getItem: () => { throw new Error("blocked"); }, setItem: () => { throw new Error("blocked"); } };
    const inPage = new ChangeMemory("room", blocked);
    inPage.observe("p1", "A", ["FP"], nobody);
    expect(inPage.observe("p1", "A", ["FP2"], nobody)).toBe(true);
  });
});
