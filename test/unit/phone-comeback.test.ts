// Coming back (issue #15) with stand-in window, document and navigator.connection: what counts as
// a return and as a network change; the session's answer to each (ended tracks, the socket, ICE
// on the links that need it); and the socket connecting at once instead of waiting out its backoff.

import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Comeback, type ComebackHost } from "../../web/src/engine/phone/comeback";
import { BACKOFF, ReconnectingSocket } from "../../web/src/engine/signaling/reconnecting-socket";
import { SignalingClient } from "../../web/src/engine/signaling/signaling-client";
import { FakeSocket } from "./fake-socket";
import { FakeMedia, FakeSignaling, setup } from "./session-fakes";

/** One event target per part of the page, dispatching by hand. */
class Target {
  readonly listeners = new Map<string, Set<(e: Event) => void>>();
  addEventListener(type: string, fn: (e: Event) => void) {
    if (!this.listeners.has(type)) this.listeners.set(type, new Set());
    this.listeners.get(type)!.add(fn);
  }
  removeEventListener(type: string, fn: (e: Event) => void) {
    this.listeners.get(type)?.delete(fn);
  }
  fire(type: string, fields: object = {}) {
    for (const fn of [...(this.listeners.get(type) ?? [])]) fn(Object.assign(new Event(type), fields));
  }
  get count() {
    return [...this.listeners.values()].reduce((n, s) => n + s.size, 0);
  }
}

function page(connection: { type?: string } | null = { type: "wifi" }) {
  const window = new Target();
  const document = Object.assign(new Target(), { visibilityState: "visible" as DocumentVisibilityState });
  const conn = connection ? Object.assign(new Target(), connection) : undefined;
  const host: ComebackHost = { window, document, connection: conn };
  const show = (state: DocumentVisibilityState) => {
    document.visibilityState = state;
    document.fire("visibilitychange");
  };
  return { host, window, document, conn, show };
}

function recorder() {
  const seen: string[] = [];
  return { seen, actions: { returned: (cause: string) => seen.push(`returned ${cause}`), network: (moved: boolean) => seen.push(`network moved=${moved}`) } };
}

describe("Comeback", () => {
  it("a return is the page shown after being hidden, or restored from the back-forward cache", () => {
    const p = page();
    const r = recorder();
    new Comeback(r.actions, p.host);
    p.show("visible"); // never hidden: nothing to come back from
    p.window.fire("pageshow", { persisted: false }); // the first load
    expect(r.seen).toEqual([]);
    p.show("hidden");
    p.show("visible");
    p.window.fire("pageshow", { persisted: true });
    expect(r.seen).toEqual(["returned visible", "returned pageshow"]);
  });

  it("`online` is the network back; a connection change is a move only when the kind of network changed", () => {
    const p = page({ type: "wifi" });
    const r = recorder();
    new Comeback(r.actions, p.host);
    p.window.fire("online");
    p.conn!.fire("change"); // only the estimates moved
    (p.conn as unknown as { type: string }).type = "cellular";
    p.conn!.fire("change");
    expect(r.seen).toEqual(["network moved=false", "network moved=true"]);
  });

  it("where the type is not reported, a connection change counts as `online`; without navigator.connection, `online` still works", () => {
    const p = page({});
    const r = recorder();
    new Comeback(r.actions, p.host);
    p.conn!.fire("change");
    const bare = page(null);
    const s = recorder();
    new Comeback(s.actions, bare.host);
    bare.window.fire("online");
    expect(r.seen).toEqual(["network moved=false"]);
    expect(s.seen).toEqual(["network moved=false"]);
  });

  it("removes exactly the listeners it added", () => {
    const p = page();
    const c = new Comeback(recorder().actions, p.host);
    expect(p.window.count + p.document.count + p.conn!.count).toBe(4);
    c.dispose();
    expect(p.window.count + p.document.count + p.conn!.count).toBe(0);
  });
});

class ResumingSignaling extends FakeSignaling {
  readonly resumes: boolean[] = [];
  resume(moved = false) {
    this.resumes.push(moved);
  }
}
class RestartingMedia extends FakeMedia {
  async restartEnded() {
    this.calls.push("restartEnded");
  }
}

describe("the session, coming back", () => {
  function joined() {
    const p = page({ type: "wifi" });
    const signaling = new ResumingSignaling();
    const media = new RestartingMedia();
    const wakeLock = { navigator: {}, document: { visibilityState: "visible" as const, addEventListener() {}, removeEventListener() {} } };
    const s = setup({ signaling, media, page: { wakeLock, comeback: p.host } });
    const restarts: boolean[] = [];
    s.transport.restart = (all?: boolean) => void restarts.push(all ?? false);
    return { ...s, p, signaling, media, restarts };
  }

  it("on return: restarts ended tracks, resumes the socket, restarts ICE on links not up", () => {
    const { p, signaling, media, restarts } = joined();
    p.show("hidden");
    p.show("visible");
    expect(media.calls).toContain("restartEnded");
    expect(signaling.resumes).toEqual([false]);
    expect(restarts).toEqual([false]);
  });

  it("on `online`: links not up restart and the socket resumes; on a new kind of network, every link restarts and the socket is replaced", () => {
    const { p, signaling, restarts } = joined();
    p.window.fire("online");
    expect(restarts).toEqual([false]);
    expect(signaling.resumes).toEqual([false]);
    (p.conn as unknown as { type: string }).type = "cellular";
    p.conn!.fire("change");
    expect(restarts).toEqual([false, true]);
    expect(signaling.resumes).toEqual([false, true]);
  });

  it("after leaving, hears nothing", () => {
    const { p, session, signaling, restarts } = joined();
    session.destroy();
    p.window.fire("online");
    p.show("hidden");
    p.show("visible");
    expect(restarts).toEqual([]);
    expect(signaling.resumes).toEqual([]);
  });
});

describe("resuming the socket", () => {
  beforeEach(() => {
    FakeSocket.made = [];
    vi.useFakeTimers();
  });
  afterEach(() => vi.useRealTimers());

  it("connects at once when waiting out a backoff, and not otherwise", () => {
    const s = new ReconnectingSocket("ws://room", { open() {}, message() {}, lost() {} }, BACKOFF, FakeSocket as unknown as typeof WebSocket, () => 0);
    s.resume(); // connecting: nothing to hurry
    expect(FakeSocket.made.length).toBe(1);
    FakeSocket.made[0]!.open();
    s.resume(); // open: nothing to do
    expect(FakeSocket.made.length).toBe(1);
    FakeSocket.made[0]!.onclose?.({ code: 1006, reason: "" });
    expect(s.state).toBe("waiting");
    s.resume();
    expect(FakeSocket.made.length).toBe(2);
    expect(s.state).toBe("connecting");
    // The cancelled backoff timer makes no third socket.
    vi.advanceTimersByTime(BACKOFF.connectTimeoutMs - 1);
    expect(FakeSocket.made.length).toBe(2);
    s.close();
    s.resume();
    expect(FakeSocket.made.length).toBe(2);
  });

  it("a signaling client on a new kind of network replaces its open socket at once and rejoins with its resume token", () => {
    const client = new SignalingClient({ url: "ws://room", WebSocket: FakeSocket as unknown as typeof WebSocket });
    FakeSocket.made[0]!.open();
    client.join(() => ({ name: "Al", media: { mic: true, cam: true, screen: false }, resume: { id: "me", token: "t" } }));
    client.resume(false); // open and well: nothing
    expect(FakeSocket.made.length).toBe(1);
    client.resume(true);
    expect(FakeSocket.made.length).toBe(2);
    FakeSocket.made[1]!.open();
    expect(FakeSocket.made[1]!.joins[0]?.resume).toEqual({ id: "me", token: "t" });
    client.destroy();
  });
});
