// The way in, client side: what a join carries (host key, passcode, device), the stages of a
// knock and a passcode, the holds that keep a reconnecting socket from knocking or guessing by
// itself, and the close codes that end a visit for good.

import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { CloseCode } from "../../protocol/protocol";
import { waitMs, triesLeft } from "../../web/src/engine/features/entry";
import { FINAL_CLOSE_CODES, SignalingClient } from "../../web/src/engine/signaling/signaling-client";
import { peer, setup, welcome } from "./session-fakes";
import { FakeSocket } from "./fake-socket";

const KEY = "A".repeat(22);
const DEVICE = "d".repeat(22);

describe("the join's credentials", () => {
  it("carry the host key and the device on every join, and the passcode once typed", () => {
    const { signaling, session } = setup({ hostKey: KEY, device: DEVICE });
    const join = signaling.provider!()!;
    expect(join).toMatchObject({ name: "Al", hostKey: KEY, device: DEVICE });
    expect(join.passcode).toBeUndefined();
    session.destroy();
  });

  it("carry neither key nor device when the browser has none", () => {
    const { signaling, session } = setup();
    const join = signaling.provider!()!;
    expect("hostKey" in join || "device" in join || "passcode" in join).toBe(false);
    session.destroy();
  });
});

describe("the passcode", () => {
  it("asks for it, says how many tries are left after a wrong one, and keeps the right one for reconnects", () => {
    const { signaling, session } = setup({ device: DEVICE });
    signaling.provider!();
    signaling.deliver({ type: "error", code: "bad-passcode", message: "this room needs a passcode" });
    // Not wrong: none was given. The join is held until the person types one.
    expect(session.state.entry).toEqual({ stage: "passcode", wrong: false, triesLeft: null });
    expect(signaling.provider!()).toBeNull();

    expect(session.actions.submitPasscode("1234")).toBe(true);
    expect(signaling.rejoins).toBe(1);
    expect(session.state.entry).toEqual({ stage: "joining" });
    expect(signaling.provider!()!.passcode).toBe("1234");
    signaling.deliver({ type: "error", code: "bad-passcode", message: "wrong passcode: 3 tries left" });
    expect(session.state.entry).toEqual({ stage: "passcode", wrong: true, triesLeft: 3 });

    session.actions.submitPasscode("4321");
    const join = signaling.provider!()!;
    expect(join.passcode).toBe("4321");
    signaling.deliver(welcome(peer("me", "Al", 2), []));
    expect(session.state.entry).toEqual({ stage: "in" });
    // A reconnect presents it again (a resume that fails becomes a fresh join).
    expect(signaling.provider!()!.passcode).toBe("4321");
    session.destroy();
  });

  it("shows a lockout with its time, and refuses a try before it ends", () => {
    vi.useFakeTimers({ now: 1_000_000 });
    try {
      const { signaling, session } = setup();
      signaling.provider!();
      signaling.deliver({ type: "error", code: "passcode-locked", message: "too many wrong passcodes: try again in 540 s" });
      expect(session.state.entry).toEqual({ stage: "passcode-locked", until: 1_000_000 + 540_000 });
      expect(signaling.provider!()).toBeNull();
      expect(session.actions.submitPasscode("1234")).toBe(false);
      vi.setSystemTime(1_000_000 + 540_000);
      expect(session.actions.submitPasscode("1234")).toBe(true);
      session.destroy();
    } finally {
      vi.useRealTimers();
    }
  });

  it("reads the numbers the room writes in its messages", () => {
    expect(triesLeft("wrong passcode: 2 tries left")).toBe(2);
    expect(triesLeft("wrong passcode")).toBeNull();
    expect(waitMs("try again in 9 minutes")).toBe(540_000);
    expect(waitMs("try again in 1 min")).toBe(60_000);
    expect(waitMs("locked for 30 s")).toBe(30_000);
    expect(waitMs("retry after 1500 ms")).toBe(1500);
    expect(waitMs("try again later")).toBeNull();
  });
});

describe("the lobby", () => {
  let now = 0;
  beforeEach(() => {
    now = 1_000_000;
    vi.useFakeTimers({ now });
  });
  afterEach(() => vi.useRealTimers());

  it("waits, is told whether a host is present, and is let in by the welcome", () => {
    const { signaling, session } = setup({ device: DEVICE });
    signaling.deliver({ type: "lobby", hostPresent: false });
    expect(session.state.entry).toEqual({ stage: "waiting", hostPresent: false });
    // While waiting, a socket that comes back knocks again (the knock is the join).
    expect(signaling.provider!()).not.toBeNull();
    signaling.deliver({ type: "lobby", hostPresent: true });
    expect(session.state.entry).toEqual({ stage: "waiting", hostPresent: true });
    signaling.deliver(welcome(peer("me", "Al", 2), [peer("h", "Host", 1, "host")]));
    expect(session.state.entry).toEqual({ stage: "in" });
    expect(session.state.participants.map((p) => [p.id, p.role])).toEqual([["h", "host"]]);
    session.destroy();
  });

  it("after a denial holds the join, and knocks again only when the wait is over", () => {
    const { signaling, session } = setup({ device: DEVICE });
    signaling.deliver({ type: "lobby", hostPresent: true });
    signaling.deliver({ type: "denied", blocked: false, retryAfterMs: 30_000 });
    expect(session.state.entry).toEqual({ stage: "denied", retryAt: now + 30_000 });
    expect(signaling.provider!()).toBeNull();
    expect(session.actions.knockAgain()).toBe(false);
    expect(signaling.rejoins).toBe(0);
    vi.setSystemTime(now + 30_000);
    expect(session.actions.knockAgain()).toBe(true);
    expect(signaling.rejoins).toBe(1);
    expect(session.state.entry).toEqual({ stage: "joining" });
    expect(signaling.provider!()!.device).toBe(DEVICE);
    session.destroy();
  });

  it("after the second denial is blocked, for good", () => {
    const { signaling, session } = setup();
    signaling.deliver({ type: "lobby", hostPresent: true });
    signaling.deliver({ type: "denied", blocked: true, retryAfterMs: 0 });
    expect(session.state.entry).toEqual({ stage: "blocked" });
    expect(signaling.provider!()).toBeNull();
    expect(session.actions.knockAgain()).toBe(false);
    session.destroy();
  });

  it("a knock closed with 4412 (nobody answered in 10 minutes) has expired and may knock again", () => {
    const { signaling, session } = setup();
    signaling.deliver({ type: "lobby", hostPresent: true });
    signaling.lose(CloseCode.JoinTimeout);
    expect(session.state.entry).toEqual({ stage: "expired" });
    expect(signaling.provider!()).toBeNull();
    expect(session.actions.knockAgain()).toBe(true);
    expect(signaling.provider!()).not.toBeNull();
    session.destroy();
  });

  it("another lost socket while waiting is only a reconnect", () => {
    const { signaling, session } = setup();
    signaling.deliver({ type: "lobby", hostPresent: true });
    signaling.lose(1006);
    expect(session.state.entry.stage).toBe("waiting");
    session.destroy();
  });

  it("cancelling the knock leaves: the session closes", () => {
    const { signaling, session } = setup();
    signaling.deliver({ type: "lobby", hostPresent: true });
    expect(session.actions.cancelKnock()).toBe(true);
    expect(session.state.status).toBe("closed");
    expect(() => session.actions.knockAgain()).toThrow(/after destroy/);
  });
});


describe("SignalingClient and the way in", () => {
  beforeEach(() => {
    FakeSocket.made = [];
    vi.useFakeTimers();
  });
  afterEach(() => vi.useRealTimers());

  const client = () => new SignalingClient({ url: "ws://room", WebSocket: FakeSocket as unknown as typeof WebSocket });
  const info = { name: "A", media: { mic: true, cam: true, screen: false } };

  it("puts the host key, passcode and device in the join frame", () => {
    const c = client();
    c.join(() => ({ ...info, hostKey: KEY, passcode: "1234", device: DEVICE }));
    FakeSocket.made[0]!.onopen?.();
    expect(FakeSocket.made[0]!.joins).toEqual([{ type: "join", v: 1, ...info, hostKey: KEY, passcode: "1234", device: DEVICE }]);
    c.destroy();
  });

  it("sends nothing while the provider holds the join, and joins on rejoin() once it lets go", () => {
    const c = client();
    let held = true;
    c.join(() => (held ? null : info));
    const ws = FakeSocket.made[0]!;
    ws.onopen?.();
    expect(ws.joins.length).toBe(0);
    // A reconnect while held knocks nothing either.
    ws.onclose?.({ code: 1006, reason: "" });
    vi.advanceTimersByTime(1000);
    const second = FakeSocket.made[1]!;
    second.onopen?.();
    expect(second.joins.length).toBe(0);
    held = false;
    c.rejoin();
    expect(second.joins.length).toBe(1);
    c.destroy();
  });

  it("tells the session the code of a socket that closed and will come back", () => {
    const c = client();
    const lost: number[] = [];
    c.on("lost", ({ code }) => lost.push(code));
    c.join(() => info);
    FakeSocket.made[0]!.onopen?.();
    FakeSocket.made[0]!.onclose?.({ code: CloseCode.JoinTimeout, reason: "knock expired" });
    expect(lost).toEqual([CloseCode.JoinTimeout]);
    c.destroy();
  });

  it.each([
    ["removed", CloseCode.Removed],
    ["meeting ended", CloseCode.Ended],
    ["browser blocked from knocking", CloseCode.KnockBlocked],
    ["room locked", CloseCode.Locked],
  ])("does not come back after %s (%i)", (_what, code) => {
    expect(FINAL_CLOSE_CODES.has(code)).toBe(true);
    const c = client();
    const refusals: number[] = [];
    c.on("refused", (r) => refusals.push(r.code));
    c.join(() => info);
    FakeSocket.made[0]!.onopen?.();
    FakeSocket.made[0]!.onclose?.({ code, reason: "" });
    expect(c.status).toBe("closed");
    expect(refusals).toEqual([code]);
    vi.advanceTimersByTime(60_000);
    expect(FakeSocket.made.length).toBe(1);
    c.destroy();
  });
});
