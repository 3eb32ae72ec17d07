// The room's access as a member sees it and a host acts on it: roles (its own and the others'),
// the lobby's queue, the access state, a host's request to mute, and the host actions, each sent
// only by a role that has the power (the room refuses the rest with `forbidden` anyway).

import { describe, expect, it } from "vitest";
import type { ClientMessage, Role } from "../../protocol/protocol";
import { can, canManage } from "../../web/src/engine/features/powers";
import { peer, setup, welcome } from "./session-fakes";

const knock = (id: string, name: string) => ({ id, name, at: 1 });

function joinedAs(role: Role, extra: Parameters<typeof welcome>[2] = {}) {
  const env = setup();
  env.signaling.deliver(welcome(peer("me", "Al", 2, role), [peer("p1", "Cy", 1), peer("p2", "Bo", 3, "cohost"), peer("h", "Ha", 0, "host")], extra));
  env.signaling.sent.length = 0;
  return env;
}

const sentTypes = (sent: ClientMessage[]) => sent.map((m) => m.type);

describe("roles", () => {
  it("come from the welcome (ours and the others'), and change with peer-role", () => {
    const { signaling, session } = joinedAs("member");
    expect(session.state.role).toBe("member");
    expect(session.state.participants.map((p) => [p.id, p.role])).toEqual([["p1", "member"], ["p2", "cohost"], ["h", "host"]]);
    signaling.deliver({ type: "peer-role", id: "p1", role: "cohost" });
    expect(session.state.participants.find((p) => p.id === "p1")?.role).toBe("cohost");
    // Our own: no host was present for a minute, so we stand in.
    signaling.deliver({ type: "peer-role", id: "me", role: "temp-host" });
    expect(session.state.role).toBe("temp-host");
    session.destroy();
  });

  it("a peer who joins later brings its role, and a rejoin's welcome refreshes it", () => {
    const { signaling, session } = joinedAs("member");
    signaling.deliver({ type: "peer-joined", peer: peer("p4", "Di", 9, "host") });
    expect(session.state.participants.find((p) => p.id === "p4")?.role).toBe("host");
    signaling.deliver({ ...welcome(peer("me", "Al", 2), [peer("p4", "Di", 9, "cohost")]), resumed: true });
    expect(session.state.participants.find((p) => p.id === "p4")?.role).toBe("cohost");
    session.destroy();
  });
});

describe("the lobby's queue", () => {
  it("comes with the welcome and follows knock and knock-gone, for one who may admit", () => {
    const { signaling, session } = joinedAs("host", { knocks: [knock("k1", "Di")] });
    expect(session.state.knocks.map((k) => k.id)).toEqual(["k1"]);
    signaling.deliver({ type: "knock", knock: knock("k2", "Er") });
    signaling.deliver({ type: "knock", knock: knock("k2", "Er") }); // said twice: listed once
    expect(session.state.knocks.map((k) => k.name)).toEqual(["Di", "Er"]);
    signaling.deliver({ type: "knock-gone", id: "k1" });
    expect(session.state.knocks.map((k) => k.id)).toEqual(["k2"]);
    session.destroy();
  });

  it("is not kept by a member, and is dropped when a temp-host gives way to a host", () => {
    const { signaling, session } = joinedAs("member", { knocks: [knock("k1", "Di")] });
    expect(session.state.knocks).toEqual([]);
    signaling.deliver({ type: "knock", knock: knock("k2", "Er") });
    expect(session.state.knocks).toEqual([]);
    signaling.deliver({ type: "peer-role", id: "me", role: "temp-host" });
    signaling.deliver({ type: "knock", knock: knock("k3", "Fa") });
    expect(session.state.knocks.map((k) => k.id)).toEqual(["k3"]);
    signaling.deliver({ type: "peer-role", id: "me", role: "member" });
    expect(session.state.knocks).toEqual([]);
    session.destroy();
  });

  it("admit, admit all and deny go out only for knocks that are waiting", () => {
    const { signaling, session } = joinedAs("temp-host", { knocks: [knock("k1", "Di"), knock("k2", "Er")] });
    expect(session.actions.admit(["k1", "gone"])).toBe(true);
    expect(session.actions.deny("k2")).toBe(true);
    expect(session.actions.deny("nobody")).toBe(false);
    expect(session.actions.admitAll()).toBe(true);
    expect(signaling.sent).toEqual([
      { type: "admit", knocks: ["k1"] },
      { type: "deny", knock: "k2" },
      { type: "admit", knocks: ["k1", "k2"] },
    ]);
    session.destroy();
  });

  it("an admit the room no longer knows (unknown-knock) is told, and a forbidden action too", () => {
    const { signaling, session } = joinedAs("host");
    signaling.deliver({ type: "error", code: "unknown-knock", message: "no such knock" });
    expect(session.state.accessNotice).toBe("knock-gone");
    session.actions.dismissNotices();
    expect(session.state.accessNotice).toBeNull();
    signaling.deliver({ type: "error", code: "forbidden", message: "hosts only" });
    expect(session.state.accessNotice).toBe("forbidden");
    session.destroy();
  });
});

describe("the access state", () => {
  it("comes with the welcome and follows access frames", () => {
    const { signaling, session } = joinedAs("member", { access: { lobby: true, locked: false, passcode: true, recording: true } });
    expect(session.state.access).toEqual({ lobby: true, locked: false, passcode: true, recording: true });
    signaling.deliver({ type: "access", access: { lobby: false, locked: true, passcode: true, recording: true } });
    expect(session.state.access).toEqual({ lobby: false, locked: true, passcode: true, recording: true });
    session.destroy();
  });

  it("a co-host may turn the lobby and the lock on and off, but not set the passcode; a host may", () => {
    const cohost = joinedAs("cohost");
    expect(cohost.session.actions.setAccess({ lobby: true })).toBe(true);
    expect(cohost.session.actions.setAccess({ locked: true })).toBe(true);
    expect(cohost.session.actions.setAccess({ passcode: "1234" })).toBe(false);
    expect(cohost.signaling.sent).toEqual([{ type: "access", lobby: true }, { type: "access", locked: true }]);
    cohost.session.destroy();
    const host = joinedAs("host");
    expect(host.session.actions.setAccess({ passcode: "1234" })).toBe(true);
    expect(host.session.actions.setAccess({ passcode: null })).toBe(true);
    expect(host.signaling.sent).toEqual([{ type: "access", passcode: "1234" }, { type: "access", passcode: null }]);
    host.session.destroy();
  });
});

describe("host actions", () => {
  it("a member can do none of them", () => {
    const { signaling, session } = joinedAs("member", { knocks: [knock("k1", "Di")] });
    const a = session.actions;
    const results = [a.admit(["k1"]), a.deny("k1"), a.setAccess({ lobby: true }), a.setRole("p1", "cohost"), a.remove("p1"), a.askMute("p1"), a.endMeeting()];
    expect(results.every((r) => r === false)).toBe(true);
    expect(signaling.sent).toEqual([]);
    session.destroy();
  });

  it("a temp-host may ask to mute, but not remove, promote or end the meeting", () => {
    const { signaling, session } = joinedAs("temp-host");
    expect(session.actions.askMute("p1")).toBe(true);
    expect(session.actions.remove("p1")).toBe(false);
    expect(session.actions.setRole("p1", "cohost")).toBe(false);
    expect(session.actions.endMeeting()).toBe(false);
    expect(sentTypes(signaling.sent)).toEqual(["ask-mute"]);
    session.destroy();
  });

  it("a co-host may remove and promote members, never a host-key holder", () => {
    const { signaling, session } = joinedAs("cohost");
    expect(session.actions.setRole("p1", "cohost")).toBe(true);
    expect(session.actions.setRole("p2", "member")).toBe(true);
    expect(session.actions.remove("p1")).toBe(true);
    expect(session.actions.remove("h")).toBe(false);
    expect(session.actions.setRole("h", "member")).toBe(false);
    expect(session.actions.endMeeting()).toBe(true);
    expect(signaling.sent).toEqual([
      { type: "set-role", id: "p1", role: "cohost" },
      { type: "set-role", id: "p2", role: "member" },
      { type: "remove", id: "p1" },
      { type: "end-meeting" },
    ]);
    session.destroy();
  });

  it("a removed member's peer connection is dropped when the room says it left", () => {
    const { signaling, transport, session } = joinedAs("host");
    session.actions.remove("p1");
    signaling.deliver({ type: "peer-left", id: "p1" });
    expect(transport.calls.at(-1)).toBe("removePeer p1");
    expect(session.state.participants.map((p) => p.id)).toEqual(["p2", "h"]);
    session.destroy();
  });

  it("removed (4403): every peer connection of ours closes at once, before the person leaves the screen", () => {
    const { signaling, transport, session } = joinedAs("member");
    signaling.refuse(4403);
    expect(session.state.status).toBe("refused");
    expect(session.state.refusal?.code).toBe(4403);
    expect(transport.calls.at(-1)).toBe("close");
    session.destroy();
    expect(transport.calls.filter((c) => c === "close").length).toBe(1);
  });

  it("the powers table says the same as the contract", () => {
    expect(can("host", "passcode") && !can("cohost", "passcode") && !can("temp-host", "passcode")).toBe(true);
    expect(can("temp-host", "admit") && can("temp-host", "ask-mute") && !can("temp-host", "access")).toBe(true);
    expect(canManage("host", "cohost") && canManage("cohost", "member") && !canManage("cohost", "host") && !canManage("temp-host", "member")).toBe(true);
  });
});

describe("a host's request to mute", () => {
  it("turns our mic off and says who asked; the room is told through our media frame", async () => {
    const { signaling, media, session } = joinedAs("member");
    expect(media.state.mic).toBe(true);
    signaling.deliver({ type: "mute-request", by: "h" });
    await Promise.resolve();
    expect(media.state.mic).toBe(false);
    expect(session.state.muteRequest).toMatchObject({ by: "h", name: "Ha" });
    expect(signaling.sent.at(-1)).toEqual({ type: "media", media: { mic: false, cam: false, screen: false } });
    session.actions.dismissNotices();
    expect(session.state.muteRequest).toBeNull();
    session.destroy();
  });
});
