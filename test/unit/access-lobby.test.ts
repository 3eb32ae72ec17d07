import { describe, expect, it } from "vitest";
import { LIMITS } from "../../protocol/protocol";
import { PASSCODE_TRIES, PASSCODE_WINDOW_MS } from "../../worker/room/features/gate";
import { KNOCK_LIFE_MS, KNOCK_RETRY_MS } from "../../worker/room/features/lobby";
import { HOST_KEY, makeSocketRoom, type FakeSocket } from "./room-sockets";

const DEVICE = "device-0123456789abcdef";

/** A room with "ask to join" on, a host in it, and a member. */
function lobbyRoom(vars: Record<string, string> = {}) {
  const r = makeSocketRoom(vars);
  const host = r.join("Host", { hostKey: HOST_KEY });
  const member = r.join("Member");
  r.send(host, { type: "access", lobby: true });
  r.send(host, { type: "chat", text: "secret plans", cid: "c1" });
  return { ...r, host, member };
}

/** Every frame a knocker got, as text: nothing of the room may be in it. */
const seen = (s: FakeSocket) => JSON.stringify(s.frames);

describe("the lobby", () => {
  it("makes a newcomer knock: it hears only `lobby`, hosts hear `knock`, members nothing", () => {
    const r = lobbyRoom();
    const k = r.join("Knocker", { device: DEVICE });
    expect(k.frames).toEqual([{ type: "lobby", hostPresent: true }]);
    expect(r.host.last("knock")!.knock).toEqual({ id: k.via.knock, name: "Knocker", at: r.clock.now });
    expect(r.member.all("knock")).toEqual([]);
    expect(r.core.size).toBe(2);
  });

  it("admits: the welcome (with ICE) goes to the knocker's socket, hosts hear knock-gone, members peer-joined", () => {
    const r = lobbyRoom();
    const k = r.join("Knocker", { device: DEVICE, since: 0 });
    const knock = k.via.knock!;
    r.send(r.host, { type: "admit", knocks: [knock] });
    const welcome = k.last("welcome")!;
    expect(welcome.you).toMatchObject({ name: "Knocker", role: "member" });
    expect(welcome.ice.iceServers.length).toBeGreaterThan(0);
    expect(welcome.chat.map((m) => m.text)).toEqual(["secret plans"]);
    expect(welcome.knocks).toEqual([]);
    expect(r.host.last("knock-gone")).toEqual({ type: "knock-gone", id: knock });
    expect(r.member.last("peer-joined")!.peer.name).toBe("Knocker");
    expect(r.host.all("welcome")).toHaveLength(1);
    expect(k.via.knock).toBeNull();
    // Admitted twice (another host was quicker): a clear error, nothing else.
    r.send(r.host, { type: "admit", knocks: [knock] });
    expect(r.host.errors()).toEqual(["unknown-knock"]);
  });

  it("leaks nothing of the room to a knocker before admission", () => {
    const r = lobbyRoom();
    const k = r.join("Knocker");
    r.send(k, { type: "chat", text: "let me in", cid: "x" });
    r.send(k, { type: "history", after: 0 });
    r.send(k, { type: "ice" });
    r.send(k, { type: "join", v: 1, name: "again", media: { mic: false, cam: false, screen: false } });
    r.send(r.member, { type: "chat", text: "more secrets", cid: "c2" });
    r.send(r.member, { type: "media", media: { mic: false, cam: false, screen: true } });
    for (const id of [r.idOf(r.host), r.idOf(r.member)]) expect(seen(k)).not.toContain(id);
    expect(seen(k)).not.toMatch(/secret|iceServers|turn:|Host|Member/);
    expect(k.errors()).toEqual(["not-joined", "not-joined", "not-joined", "already-joined"]);
  });

  it("admits all that fit; the rest wait, and the admitter is told", () => {
    const r = lobbyRoom({ ROOM_CAPACITY: "3" });
    const a = r.join("A");
    const b = r.join("B");
    r.send(r.host, { type: "admit", knocks: [a.via.knock!, b.via.knock!] });
    expect(a.last("welcome")).toBeDefined();
    expect(b.all("welcome")).toEqual([]);
    expect(b.via.knock).not.toBeNull();
    expect(r.host.last("error")).toMatchObject({ code: "room-full" });
    expect(r.host.open).toBe(true);
  });

  it("denies: the knocker is told and may knock again after retryAfterMs, not before; a second denial blocks it for good", () => {
    const r = lobbyRoom();
    const k = r.join("K", { device: DEVICE });
    r.send(r.host, { type: "deny", knock: k.via.knock! });
    expect(k.last("denied")).toEqual({ type: "denied", blocked: false, retryAfterMs: KNOCK_RETRY_MS });
    expect(k.open).toBe(true);
    expect(r.host.last("knock-gone")).toBeDefined();
    r.clock.now += KNOCK_RETRY_MS - 1000;
    r.join("K", { device: DEVICE, socket: k });
    expect(k.last("denied")).toEqual({ type: "denied", blocked: false, retryAfterMs: 1000 });
    expect(k.via.knock).toBeNull();
    // Another socket, another address, same browser: still too soon.
    const same = r.join("K", { device: DEVICE, addr: "elsewhere" });
    expect(same.last("denied")?.retryAfterMs).toBe(1000);
    r.clock.now += 1000;
    r.join("K", { device: DEVICE, socket: k });
    expect(k.last("lobby")).toBeDefined();
    r.send(r.host, { type: "deny", knock: k.via.knock! });
    expect(k.last("denied")).toEqual({ type: "denied", blocked: true, retryAfterMs: 0 });
    expect(k.errors()).toContain("knock-blocked");
    expect(k.closed?.code).toBe(4406);
    const later = r.join("K", { device: DEVICE });
    r.clock.now += 3_600_000;
    expect(later.errors()).toEqual(["knock-blocked"]);
    expect(later.closed?.code).toBe(4406);
    // Even with the lobby off: blocked is blocked.
    r.send(r.host, { type: "access", lobby: false });
    expect(r.join("K", { device: DEVICE }).closed?.code).toBe(4406);
    // Another browser is not.
    expect(r.join("Other", { device: "another-device-000000" }).last("welcome")).toBeDefined();
  });

  it("expires a knock after 10 minutes: closed with 4412, hosts hear knock-gone", () => {
    const r = lobbyRoom();
    const k = r.join("K");
    const knock = k.via.knock!;
    expect(r.core.nextDeadline()).toBe(r.clock.now + KNOCK_LIFE_MS);
    r.alarm(KNOCK_LIFE_MS - 1);
    expect(k.open).toBe(true);
    r.alarm(1);
    expect(k.closed).toEqual({ code: 4412, reason: "nobody let you in within 10 minutes" });
    expect(r.host.last("knock-gone")).toEqual({ type: "knock-gone", id: knock });
    r.send(r.host, { type: "deny", knock });
    expect(r.host.errors()).toEqual(["unknown-knock"]);
  });

  it("withdraws a knock whose knocker leaves or drops", () => {
    const r = lobbyRoom();
    const a = r.join("A");
    const b = r.join("B");
    const knocks = [a.via.knock, b.via.knock];
    r.send(a, { type: "leave" });
    expect(a.closed?.code).toBe(1000);
    r.drop(b);
    expect(r.host.all("knock-gone").map((g) => g.id)).toEqual(knocks);
    expect(r.gate.knockRows.size).toBe(0);
  });

  it(`keeps at most ${LIMITS.maxKnocks} knocks; the next is refused as room-full`, () => {
    const r = lobbyRoom({ ROOM_CAPACITY: "100" });
    for (let i = 0; i < LIMITS.maxKnocks; i++) r.join(`K${i}`);
    const over = r.join("over");
    expect(over.errors()).toEqual(["room-full"]);
    expect(over.closed?.code).toBe(4409);
  });

  it("lets a knock wait with no host present, and says so", () => {
    const r = makeSocketRoom({}, { lobby: true });
    const k = r.join("K");
    expect(k.frames).toEqual([{ type: "lobby", hostPresent: false }]);
    const host = r.join("H", { hostKey: HOST_KEY });
    expect(k.last("lobby")).toEqual({ type: "lobby", hostPresent: true });
    expect(host.last("welcome")!.knocks.map((x) => x.name)).toEqual(["K"]);
  });
});

describe("the passcode", () => {
  function passcodeRoom() {
    const r = makeSocketRoom();
    const host = r.join("H", { hostKey: HOST_KEY });
    r.send(host, { type: "access", passcode: "tulip" });
    return { ...r, host };
  }

  it("asks for it (free), refuses a wrong one with the tries left, and lets the right one in", () => {
    const r = passcodeRoom();
    const s = r.join("G");
    expect(s.last("error")).toEqual({ type: "error", code: "bad-passcode", message: `this room needs a passcode: ${PASSCODE_TRIES} tries left` });
    r.join("G", { socket: s, passcode: "rose" });
    expect(s.last("error")!.message).toBe("wrong passcode: 4 tries left");
    expect(s.open).toBe(true);
    r.join("G", { socket: s, passcode: "tulip" });
    expect(s.last("welcome")!.access).toEqual({ lobby: false, locked: false, passcode: true, recording: true });
  });

  it("locks an address out after five wrong ones in 10 minutes, with the time left; another address is not", () => {
    const r = passcodeRoom();
    const s = r.open("G", "1.2.3.4");
    for (let i = 0; i < 4; i++) {
      r.join("G", { socket: s, passcode: `wrong${i}` });
      r.clock.now += 1000;
    }
    expect(s.last("error")!.message).toBe("wrong passcode: 1 try left");
    r.join("G", { socket: s, passcode: "wrong4" });
    expect(s.last("error")).toEqual({ type: "error", code: "passcode-locked", message: `too many wrong passcodes: try again in ${PASSCODE_WINDOW_MS / 1000 - 4} s` });
    // Locked: even the right one is not checked.
    r.join("G", { socket: s, passcode: "tulip" });
    expect(s.last("error")!.code).toBe("passcode-locked");
    expect(r.join("Other", { passcode: "tulip" }).last("welcome")).toBeDefined();
    expect(r.join("Same address", { addr: "1.2.3.4", passcode: "tulip" }).last("error")!.code).toBe("passcode-locked");
    r.clock.now += PASSCODE_WINDOW_MS;
    r.join("G", { socket: s, passcode: "tulip" });
    expect(s.last("welcome")).toBeDefined();
  });

  it("does not ask a host-key holder, nor a member resuming its seat", () => {
    const r = passcodeRoom();
    const m = r.join("M", { passcode: "tulip" });
    expect(r.join("H2", { hostKey: HOST_KEY }).last("welcome")!.you.role).toBe("host");
    r.drop(m);
    const back = r.join("M", { resume: { id: r.idOf(m), token: m.last("welcome")!.resumeToken } });
    expect(back.last("welcome")!.resumed).toBe(true);
  });

  it("comes before the lobby: a knock needs the passcode too", () => {
    const r = passcodeRoom();
    r.send(r.host, { type: "access", lobby: true });
    const k = r.join("K");
    expect(k.errors()).toEqual(["bad-passcode"]);
    expect(r.host.all("knock")).toEqual([]);
    r.join("K", { socket: k, passcode: "tulip" });
    expect(k.last("lobby")).toBeDefined();
  });
});

describe("the lock", () => {
  it("turns away every new join or knock without the host key (4423); members resume, key holders enter", () => {
    const r = lobbyRoom();
    r.send(r.host, { type: "access", locked: true });
    expect(r.member.last("access")!.access.locked).toBe(true);
    const k = r.join("K");
    expect(k.errors()).toEqual(["room-locked"]);
    expect(k.closed?.code).toBe(4423);
    expect(r.host.all("knock")).toEqual([]);
    r.drop(r.member);
    expect(r.join("Member", { resume: { id: r.idOf(r.member), token: r.member.last("welcome")!.resumeToken } }).last("welcome")!.resumed).toBe(true);
    expect(r.join("H2", { hostKey: HOST_KEY }).last("welcome")).toBeDefined();
    r.send(r.host, { type: "access", locked: false });
    expect(r.join("K2").last("lobby")).toBeDefined();
  });
});
