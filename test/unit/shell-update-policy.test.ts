import { describe, expect, it } from "vitest";
import { hashedAssets, versionOf } from "../../web/build/service-worker-plugin";
import { holdsUpdates, mayActivate, shouldReload } from "../../web/src/shell/update-policy";

describe("app updates", () => {
  it("are held off by a tab in a call, and by one away from the landing page", () => {
    expect(holdsUpdates({ page: "landing", callInProgress: false })).toBe(false);
    expect(holdsUpdates({ page: "landing", callInProgress: true })).toBe(true);
    // A pre-join screen or /check open across a deploy: activation would delete the files its
    // old build still loads lazily (the recorder's worker, the ru/ky catalogs), and it cannot reload.
    expect(holdsUpdates({ page: "room", callInProgress: false })).toBe(true);
    expect(holdsUpdates({ page: "check", callInProgress: false })).toBe(true);
  });

  it("take over only when this tab holds nothing", () => {
    expect(mayActivate({ waiting: true, heldHere: false })).toBe(true);
    expect(mayActivate({ waiting: true, heldHere: true })).toBe(false);
    expect(mayActivate({ waiting: false, heldHere: false })).toBe(false);
  });

  it("reload the page only on the landing page, and only a page running the old build", () => {
    expect(shouldReload({ stale: true, page: "landing", callInProgress: false })).toBe(true);
    // A pre-join screen (name typed, camera on) or the "You left" notice, and /check's results, stay.
    expect(shouldReload({ stale: true, page: "room", callInProgress: false })).toBe(false);
    expect(shouldReload({ stale: true, page: "check", callInProgress: false })).toBe(false);
    // Loaded from the new build already: nothing to gain.
    expect(shouldReload({ stale: false, page: "landing", callInProgress: false })).toBe(false);
    expect(shouldReload({ stale: true, page: "landing", callInProgress: true })).toBe(false);
  });
});

describe("the build's list of files to keep", () => {
  const bundle = ["index.html", ".vite/manifest.json", "assets/index-BsewBuj5.js", "assets/room-Dhvk8LmP.js", "assets/index-iMKcdMdT.css", "assets/room-Dhvk8LmP.js.map", "sw.js"];

  it("holds the hashed files of the assets folder, and not the page, the manifest or source maps", () => {
    expect(hashedAssets(bundle, "assets")).toEqual(["/assets/index-BsewBuj5.js", "/assets/index-iMKcdMdT.css", "/assets/room-Dhvk8LmP.js"]);
  });

  it("gives the same files the same version, in any order, and a changed file a new one", () => {
    const list = hashedAssets(bundle, "assets");
    expect(versionOf(list)).toBe(versionOf(hashedAssets([...bundle].reverse(), "assets")));
    expect(versionOf(list)).not.toBe(versionOf(hashedAssets(bundle.map((f) => f.replace("room-Dhvk8LmP", "room-Xy12Ab34")), "assets")));
    expect(versionOf(list)).toMatch(/^[0-9a-f]{16}$/);
  });
});
