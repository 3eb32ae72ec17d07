// The transfer wake lock against a stand-in navigator.wakeLock and document: held while
// transfers run and the page is visible, asked for again when the page comes back, released when
// transfers stop, and quiet where the API is missing or refuses.

import { describe, expect, it } from "vitest";
import { TransferWakeLock } from "../../web/src/engine/files/wake-lock";
import { FakeHost } from "./wake-lock-fakes";
import { settle } from "./files-fakes";

const setup = () => {
  const host = new FakeHost();
  return { host, lock: new TransferWakeLock(host) };
};

describe("TransferWakeLock", () => {
  it("holds the screen while active and lets go when transfers stop", async () => {
    const { host, lock } = setup();
    expect(lock.hold(true)).toBe(true);
    lock.hold(true);
    await settle();
    expect(host.requests).toBe(1);
    expect(lock.held).toBe(true);
    expect(host.live).toBe(1);

    lock.hold(false);
    await settle();
    expect(lock.held).toBe(false);
    expect(host.live).toBe(0);
    expect(host.listeners.size).toBe(0);
  });

  it("asks again when the page comes back, after the browser released the lock on hiding", async () => {
    const { host, lock } = setup();
    lock.hold(true);
    await settle();
    host.show("hidden");
    await settle();
    expect(lock.held).toBe(false);
    expect(host.requests).toBe(1);
    host.show("visible");
    await settle();
    expect(host.requests).toBe(2);
    expect(lock.held).toBe(true);
    expect(host.live).toBe(1);
  });

  it("notices a release by the browser on a visible page (a battery saver), and asks again at the next show", async () => {
    const { host, lock } = setup();
    lock.hold(true);
    await settle();
    host.sentinels[0]!.browserRelease();
    expect(lock.held).toBe(false);
    host.show("hidden");
    host.show("visible");
    await settle();
    expect(host.requests).toBe(2);
    expect(lock.held).toBe(true);
  });

  it("does not ask from a hidden page; asks once it is shown", async () => {
    const { host, lock } = setup();
    host.visibilityState = "hidden";
    lock.hold(true);
    await settle();
    expect(host.requests).toBe(0);
    host.show("visible");
    await settle();
    expect(lock.held).toBe(true);
  });

  it("does not stop showing a page after a transfer to ask for the lock again", async () => {
    const { host, lock } = setup();
    lock.hold(true);
    await settle();
    lock.hold(false);
    host.show("hidden");
    host.show("visible");
    await settle();
    expect(host.requests).toBe(1);
    expect(lock.held).toBe(false);
  });

  it("releases a lock granted after transfers already stopped", async () => {
    const { host, lock } = setup();
    host.held = [];
    lock.hold(true);
    lock.hold(false);
    for (const grant of host.held) grant();
    await settle();
    expect(host.sentinels).toHaveLength(1);
    expect(host.live).toBe(0);
    expect(lock.held).toBe(false);
  });

  it("goes on without a lock when the request is refused or throws, and tries again on the next show", async () => {
    const { host, lock } = setup();
    host.answer = "refuse";
    expect(lock.hold(true)).toBe(true);
    await settle();
    expect(lock.held).toBe(false);
    host.answer = "throw";
    host.show("hidden");
    host.show("visible");
    await settle();
    expect(lock.held).toBe(false);
    host.answer = "grant";
    host.show("hidden");
    host.show("visible");
    await settle();
    expect(host.requests).toBe(3);
    expect(lock.held).toBe(true);
  });

  it("does nothing where the browser has no wake lock", async () => {
    const host = new FakeHost();
    const lock = new TransferWakeLock({ navigator: {}, document: host.document });
    expect(lock.hold(true)).toBe(true);
    await settle();
    expect(lock.held).toBe(false);
    lock.dispose();
  });

  it("releases on dispose and refuses to hold after it", async () => {
    const { host, lock } = setup();
    lock.hold(true);
    await settle();
    lock.dispose();
    await settle();
    expect(host.live).toBe(0);
    expect(host.listeners.size).toBe(0);
    expect(lock.hold(true)).toBe(false);
    host.show("visible");
    await settle();
    expect(host.requests).toBe(1);
  });
});
