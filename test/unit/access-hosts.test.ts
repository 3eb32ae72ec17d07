import { describe, expect, it } from "vitest";
import type { ClientMessage } from "../../protocol/protocol";
import { TEMP_HOST_AFTER_MS } from "../../worker/room/features/hosts";
import { HOST_KEY, makeSocketRoom } from "./room-sockets";

describe("hosts: the host key, cohosts and roles", () => {
  it("makes a join with the host key a host, a wrong key a plain member, and tells everyone's roster", () => {
    const r = makeSocketRoom();
    const guest = r.join("G");
    const host = r.join("H", { hostKey: HOST_KEY });
    const stranger = r.join("S", { hostKey: "x".repeat(22) });
    expect(host.last("welcome")!.you.role).toBe("host");
    expect(stranger.last("welcome")!.you.role).toBe("member");
    expect(guest.all("peer-joined").map((j) => [j.peer.name, j.peer.role])).toEqual([["H", "host"], ["S", "member"]]);
    expect(stranger.last("welcome")!.peers.find((p) => p.name === "H")!.role).toBe("host");
  });

  it("keeps a role across a resume, and upgrades a member who presents the key on resume", () => {
    const r = makeSocketRoom();
    const host = r.join("H", { hostKey: HOST_KEY });
    const m = r.join("M");
    const [hostId, mId] = [r.idOf(host), r.idOf(m)];
    r.drop(host);
    const back = r.join("H", { resume: { id: hostId, token: host.last("welcome")!.resumeToken } });
    expect(back.last("welcome")).toMatchObject({ resumed: true, you: { id: hostId, role: "host" } });
    r.drop(m);
    const upgraded = r.join("M", { resume: { id: mId, token: m.last("welcome")!.resumeToken }, hostKey: HOST_KEY });
    expect(upgraded.last("welcome")).toMatchObject({ resumed: true, you: { id: mId, role: "host" } });
    expect(back.last("peer-role")).toEqual({ type: "peer-role", id: mId, role: "host" });
  });

  it("lets a host make a cohost and back, announced to everyone; nobody can change a host's role", () => {
    const r = makeSocketRoom();
    const host = r.join("H", { hostKey: HOST_KEY });
    const a = r.join("A");
    const b = r.join("B");
    r.send(host, { type: "set-role", id: r.idOf(a), role: "cohost" });
    for (const s of [host, a, b]) expect(s.last("peer-role")).toEqual({ type: "peer-role", id: r.idOf(a), role: "cohost" });
    // A cohost cannot demote the key holder.
    r.send(a, { type: "set-role", id: r.idOf(host), role: "member" });
    expect(a.errors()).toEqual(["forbidden"]);
    expect(r.core.roster().find((p) => p.id === r.idOf(host))!.role).toBe("host");
    r.send(host, { type: "set-role", id: r.idOf(a), role: "member" });
    expect(b.last("peer-role")).toEqual({ type: "peer-role", id: r.idOf(a), role: "member" });
    r.send(host, { type: "set-role", id: "nobody", role: "cohost" });
    expect(host.errors()).toEqual(["unknown-peer"]);
  });
});

describe("hosts: who may send what", () => {
  const hostFrames = (target: string): ClientMessage[] => [
    { type: "access", lobby: true },
    { type: "access", locked: true },
    { type: "access", passcode: "secret" },
    { type: "admit", knocks: ["k1"] },
    { type: "deny", knock: "k1" },
    { type: "set-role", id: target, role: "cohost" },
    { type: "remove", id: target },
    { type: "ask-mute", id: target },
    { type: "end-meeting" },
  ];

  it("answers every host frame from a plain member with forbidden, a strike, and no change", () => {
    const r = makeSocketRoom();
    const host = r.join("H", { hostKey: HOST_KEY });
    const m = r.join("M");
    const before = r.core.roster();
    for (const f of hostFrames(r.idOf(host))) r.send(m, f);
    expect(m.errors()).toEqual(Array(9).fill("forbidden"));
    expect(m.strikes).toBe(9);
    expect(r.core.roster()).toEqual(before);
    expect(r.gate.settings).toMatchObject({ lobby: false, locked: false, passcode: null });
    expect(host.open && m.open).toBe(true);
    expect(host.all("access")).toEqual([]);
  });

  it("lets a cohost manage the lobby and lock but not the passcode, nor remove a host", () => {
    const r = makeSocketRoom();
    const host = r.join("H", { hostKey: HOST_KEY });
    const c = r.join("C");
    r.send(host, { type: "set-role", id: r.idOf(c), role: "cohost" });
    r.send(c, { type: "access", lobby: true, passcode: "x" });
    expect(c.errors()).toEqual(["forbidden"]);
    expect(r.gate.settings.lobby).toBe(false);
    r.send(c, { type: "access", lobby: true, locked: true });
    expect(host.last("access")!.access).toEqual({ lobby: true, locked: true, passcode: false, recording: true });
    r.send(c, { type: "remove", id: r.idOf(host) });
    expect(c.errors()).toEqual(["forbidden", "forbidden"]);
    expect(host.open).toBe(true);
  });

  it("lets a host set and clear the passcode; everyone sees that there is one, never what", () => {
    const r = makeSocketRoom();
    const host = r.join("H", { hostKey: HOST_KEY });
    const m = r.join("M");
    r.send(host, { type: "access", passcode: "tulip" });
    expect(m.last("access")!.access).toEqual({ lobby: false, locked: false, passcode: true, recording: true });
    expect(JSON.stringify(m.frames)).not.toContain("tulip");
    expect(r.gate.settings.passcode).toBe("pbkdf2:tulip");
    r.send(host, { type: "access", passcode: null });
    expect(m.last("access")!.access.passcode).toBe(false);
  });

  it("drops a passcode hash that a later setting overtook", () => {
    const r = makeSocketRoom();
    const host = r.join("H", { hostKey: HOST_KEY });
    const set = r.core.handle(r.idOf(host), { type: "access", passcode: "first" });
    r.send(host, { type: "access", passcode: null });
    // The first hash lands after the clear: it changes nothing.
    r.run(null, set.flatMap((e) => (e.kind === "hash-passcode" ? r.core.passcodeHashed(e.seq, "pbkdf2:first") : [])));
    expect(r.gate.settings.passcode).toBeNull();
  });
});

describe("hosts: a temporary host when none is present", () => {
  it(`hands over to the member present longest after ${TEMP_HOST_AFTER_MS / 1000} s without a host or cohost, and back when a host returns`, () => {
    const r = makeSocketRoom();
    const first = r.join("First");
    r.clock.now += 1000;
    const second = r.join("Second");
    expect(r.core.nextDeadline()).toBe(r.clock.now - 1000 + TEMP_HOST_AFTER_MS);
    r.alarm(TEMP_HOST_AFTER_MS - 1001);
    expect(second.all("peer-role")).toEqual([]);
    r.alarm(1);
    for (const s of [first, second]) expect(s.last("peer-role")).toEqual({ type: "peer-role", id: r.idOf(first), role: "temp-host" });
    const host = r.join("H", { hostKey: HOST_KEY });
    expect(host.last("welcome")!.peers.find((p) => p.id === r.idOf(first))!.role).toBe("temp-host");
    for (const s of [first, second, host]) expect(s.last("peer-role")).toEqual({ type: "peer-role", id: r.idOf(first), role: "member" });
    expect(r.core.nextDeadline()).toBeNull();
  });

  it("starts the clock when the last host goes away, and picks among those present", () => {
    const r = makeSocketRoom();
    const host = r.join("H", { hostKey: HOST_KEY });
    const a = r.join("A");
    r.clock.now += 10;
    const b = r.join("B");
    r.drop(host);
    r.drop(a);
    r.alarm(TEMP_HOST_AFTER_MS);
    expect(b.last("peer-role")).toEqual({ type: "peer-role", id: r.idOf(b), role: "temp-host" });
  });

  it("lets a temporary host admit, deny and ask to mute, and nothing else", () => {
    const r = makeSocketRoom();
    const host = r.join("H", { hostKey: HOST_KEY });
    const t = r.join("T");
    r.send(host, { type: "access", lobby: true });
    r.drop(host);
    r.alarm(TEMP_HOST_AFTER_MS);
    expect(t.last("peer-role")).toEqual({ type: "peer-role", id: r.idOf(t), role: "temp-host" });
    const other = r.join("O");
    expect(other.last("lobby")).toEqual({ type: "lobby", hostPresent: true });
    expect(t.last("knock")!.knock.name).toBe("O");
    r.send(t, { type: "admit", knocks: [other.via.knock!] });
    expect(other.last("welcome")!.you.role).toBe("member");
    r.send(t, { type: "ask-mute", id: r.idOf(other) });
    expect(other.last("mute-request")).toEqual({ type: "mute-request", by: r.idOf(t) });
    for (const f of [
      { type: "remove", id: r.idOf(other) },
      { type: "access", passcode: "x" },
      { type: "access", locked: true },
      { type: "set-role", id: r.idOf(other), role: "cohost" },
      { type: "end-meeting" },
    ] satisfies ClientMessage[]) r.send(t, f);
    expect(t.errors()).toEqual(Array(5).fill("forbidden"));
    expect(other.open).toBe(true);
  });

  it("tells the knocks when someone who can let them in arrives, and when the last one leaves", () => {
    const r = makeSocketRoom({}, { lobby: true });
    const host = r.join("H", { hostKey: HOST_KEY });
    r.send(host, { type: "access", lobby: true });
    const k = r.join("K");
    expect(k.all("lobby")).toEqual([{ type: "lobby", hostPresent: true }]);
    r.drop(host);
    expect(k.last("lobby")).toEqual({ type: "lobby", hostPresent: false });
    const back = r.join("H", { hostKey: HOST_KEY });
    expect(k.last("lobby")).toEqual({ type: "lobby", hostPresent: true });
    expect(back.last("welcome")!.knocks.map((x) => x.name)).toEqual(["K"]);
  });
});

describe("host actions", () => {
  it("removes a member: closed with 4403, peer-left to the others, credentials released, its token dead", () => {
    const r = makeSocketRoom();
    const host = r.join("H", { hostKey: HOST_KEY });
    const m = r.join("M", { device: "device-of-m-000001" });
    const o = r.join("O");
    const id = r.idOf(m);
    r.send(host, { type: "remove", id });
    expect(m.closed).toEqual({ code: 4403, reason: "removed by a host" });
    expect(o.last("peer-left")).toEqual({ type: "peer-left", id });
    expect(host.last("peer-left")).toEqual({ type: "peer-left", id });
    expect(r.released).toContain(id);
    // Back with its old token (and its device): no seat, only the lobby, though the lobby is off.
    const again = r.join("M", { resume: { id, token: m.last("welcome")!.resumeToken }, device: "device-of-m-000001", addr: "elsewhere" });
    expect(again.all("welcome")).toEqual([]);
    expect(again.last("lobby")).toEqual({ type: "lobby", hostPresent: true });
    expect(host.last("knock")!.knock.name).toBe("M");
    // From its address, with another browser: the lobby too.
    const sameAddr = r.join("M2", { addr: "addr-M" });
    expect(sameAddr.last("lobby")).toBeDefined();
    // Anyone else walks in.
    expect(r.join("N").last("welcome")).toBeDefined();
  });

  it("refuses to remove or mute an unknown peer, or yourself", () => {
    const r = makeSocketRoom();
    const host = r.join("H", { hostKey: HOST_KEY });
    r.send(host, { type: "remove", id: "nobody" });
    r.send(host, { type: "remove", id: r.idOf(host) });
    r.send(host, { type: "ask-mute", id: "nobody" });
    expect(host.errors()).toEqual(["unknown-peer", "unknown-peer", "unknown-peer"]);
    expect(host.open).toBe(true);
  });

  it("lets a host remove another host (a leaked key), and nobody else", () => {
    const r = makeSocketRoom();
    const h1 = r.join("H1", { hostKey: HOST_KEY });
    const h2 = r.join("H2", { hostKey: HOST_KEY });
    r.send(h1, { type: "remove", id: r.idOf(h2) });
    expect(h2.closed?.code).toBe(4403);
  });

  it("ends the meeting: every socket closed with 4405, knocks and waiting ones too; the room stays, empty", () => {
    const r = makeSocketRoom({}, { lobby: true });
    const host = r.join("H", { hostKey: HOST_KEY });
    const m = r.join("M", { hostKey: HOST_KEY });
    const k = r.join("K");
    const waiting = r.open("W");
    r.send(host, { type: "end-meeting" });
    for (const s of [host, m, k, waiting]) expect(s.closed).toEqual({ code: 4405, reason: "the meeting was ended" });
    expect(r.core.size).toBe(0);
    expect(r.released.sort()).toEqual([r.idOf(host), r.idOf(m)].sort());
    expect(r.gate.knockRows.size).toBe(0);
    // Retention as for any empty room.
    expect(r.core.nextDeadline()).toBe(r.clock.now + 24 * 3_600_000);
  });
});
