// The stage as a member sees it: the seat from the welcome reaches the transport before any
// peer, a seat change moves our media (off for the audience, mic and camera on when invited),
// hands are those of members present, and a speaker's tier shows until it no longer applies.

import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { CloseCode, type Role, type ServerMessage, type StageState } from "../../protocol/protocol";
import { peer, setup, welcome } from "./session-fakes";

const onStage = (hands: string[] = []): StageState => ({ mode: "stage", hands, liveSince: 1000 });
const seat = (id: string, s: "speaker" | "viewer"): ServerMessage => ({ type: "peer-seat", id, seat: s });

/** Joined a stage as a viewer (or a speaker), with a speaker s1 and a viewer v1 in the room. */
function joined(as: "viewer" | "speaker" = "viewer", role: Role = "member", hands: string[] = []) {
  const env = setup();
  env.signaling.deliver(welcome(peer("me", "Al", 5, role, as), [peer("s1", "Sa", 1, "host", "speaker"), peer("v1", "Vi", 2, "member", "viewer")], { stage: onStage(hands) }));
  env.signaling.sent.length = 0;
  return env;
}

describe("the stage feature", () => {
  // This device's clock runs 10 s ahead of the room's (whose clock said 5 when we joined).
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(10_005);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("tells the transport our seat after who we are and before any peer, and shows the hands of members present", () => {
    const { transport, session, media } = joined("viewer", "member", ["v1", "gone", "me"]);
    expect(transport.calls.slice(0, 3)).toEqual(["setSelf me", "setStage stage viewer", "setIceServers 1"]);
    expect(transport.calls.indexOf("setStage stage viewer")).toBeLessThan(transport.calls.indexOf("addPeer s1"));
    // liveSince on this device's clock: the room's 1000, plus the 10 s this clock is ahead.
    expect(session.state.stage).toEqual({ mode: "stage", seat: "viewer", hands: ["v1", "me"], liveSince: 11_000, videoOffFrom: [], invited: false, audience: 0 });
    // A viewer publishes nothing: the mic the fake had on goes off; nothing is started.
    expect(media.calls).toEqual(["setMic false"]);
    session.destroy();
  });

  it("drops a hand when its member leaves", () => {
    const { signaling, session } = joined("viewer", "member", ["v1"]);
    signaling.deliver({ type: "peer-left", id: "v1" });
    expect(session.state.stage.hands).toEqual([]);
    session.destroy();
  });

  it("invited onto the stage, starts nothing until accepted; then mic and camera; sent back, turns them and the screen off", () => {
    const { signaling, transport, session, media } = joined("viewer");
    media.calls.length = 0;
    signaling.deliver(seat("me", "speaker"));
    expect(session.state.stage.seat).toBe("speaker");
    expect(session.state.stage.invited).toBe(true);
    expect(transport.calls.at(-1)).toBe("setStage stage speaker");
    // A host cannot put anyone on camera: nothing starts before the person says yes.
    expect(media.calls).toEqual([]);
    expect(session.actions.acceptStage()).toBe(true);
    expect(session.state.stage.invited).toBe(false);
    expect(media.calls).toEqual(["start mic=true cam=true"]);
    expect(session.actions.acceptStage()).toBe(false);
    media.state = { ...media.state, screen: true };
    signaling.deliver(seat("me", "viewer"));
    expect(transport.calls.at(-1)).toBe("setStage stage viewer");
    expect(media.calls.slice(1)).toEqual(["setMic false", "setCam false", "stopScreen"]);
    session.destroy();
  });

  it("declining an invitation sends leave-stage and starts nothing", () => {
    const { signaling, session, media } = joined("viewer");
    media.calls.length = 0;
    signaling.deliver(seat("me", "speaker"));
    expect(session.actions.leaveStage()).toBe(true);
    expect(signaling.sent.at(-1)).toEqual({ type: "leave-stage" });
    expect(session.state.stage.invited).toBe(false);
    expect(media.calls).toEqual([]);
    session.destroy();
  });

  it("a speaker from the start is never asked to start media again, and a stage turned meeting does not pull a viewer on camera", () => {
    const speaker = joined("speaker", "host");
    speaker.signaling.deliver(seat("me", "speaker"));
    expect(speaker.media.calls).toEqual([]);
    speaker.session.destroy();

    const { signaling, transport, session, media } = joined("viewer");
    media.calls.length = 0;
    signaling.deliver({ type: "stage", stage: { mode: "meeting", hands: [], liveSince: null } });
    signaling.deliver(seat("me", "speaker"));
    expect(session.state.stage).toMatchObject({ mode: "meeting", seat: "speaker", liveSince: null });
    expect(transport.calls.at(-1)).toBe("setStage meeting speaker");
    expect(media.calls).toEqual([]);
    session.destroy();
  });

  it("hands another member's new seat to the roster and to the transport", () => {
    const { signaling, transport, session } = joined("viewer");
    signaling.deliver(seat("v1", "speaker"));
    expect(session.state.participants.find((p) => p.id === "v1")?.seat).toBe("speaker");
    expect(transport.added.at(-1)).toMatchObject({ id: "v1", seat: "speaker", name: "Vi", joined: 2 });
    session.destroy();
  });

  it("lists the speakers that send us no video, until they do, leave the stage or leave", () => {
    const { signaling, transport, session } = joined("viewer");
    transport.fire("tier", { peerId: "s1", video: false });
    expect(session.state.stage.videoOffFrom).toEqual(["s1"]);
    transport.fire("tier", { peerId: "s1", video: true });
    expect(session.state.stage.videoOffFrom).toEqual([]);
    transport.fire("tier", { peerId: "s1", video: false });
    signaling.deliver(seat("s1", "viewer"));
    expect(session.state.stage.videoOffFrom).toEqual([]);
    signaling.deliver(seat("s1", "speaker"));
    transport.fire("tier", { peerId: "s1", video: false });
    signaling.deliver({ type: "peer-left", id: "s1" });
    expect(session.state.stage.videoOffFrom).toEqual([]);
    // Not from a viewer, and not while we are a speaker ourselves (speakers always send speakers video).
    transport.fire("tier", { peerId: "v1", video: false });
    expect(session.state.stage.videoOffFrom).toEqual([]);
    signaling.deliver(seat("s1", "speaker"));
    transport.fire("tier", { peerId: "s1", video: false });
    signaling.deliver(seat("me", "speaker"));
    expect(session.state.stage.videoOffFrom).toEqual([]);
    transport.fire("tier", { peerId: "s1", video: false });
    expect(session.state.stage.videoOffFrom).toEqual([]);
    session.destroy();
  });

  it("sends the stage actions a role may take, and refuses the rest", () => {
    const member = joined("viewer");
    expect(member.session.actions.setMode("meeting")).toBe(false);
    expect(member.session.actions.setSeat("v1", "speaker")).toBe(false);
    expect(member.session.actions.leaveStage()).toBe(false);
    expect(member.session.actions.raiseHand(true)).toBe(true);
    expect(member.signaling.sent).toEqual([{ type: "hand", up: true }]);
    member.session.destroy();

    const host = joined("speaker", "host");
    expect(host.session.actions.setMode("stage")).toBe(false); // already one
    expect(host.session.actions.setSeat("v1", "speaker")).toBe(true);
    expect(host.session.actions.leaveStage()).toBe(true);
    expect(host.session.actions.setMode("meeting")).toBe(true);
    expect(host.signaling.sent).toEqual([{ type: "set-seat", id: "v1", seat: "speaker" }, { type: "leave-stage" }, { type: "set-mode", mode: "meeting" }]);
    host.session.destroy();
  });

  it("lowers all hands for a host or cohost while any is up; never for a member", () => {
    const member = joined("viewer", "member", ["v1"]);
    expect(member.session.actions.lowerAllHands()).toBe(false);
    expect(member.signaling.sent).toEqual([]);
    member.session.destroy();

    const host = joined("speaker", "host");
    expect(host.session.actions.lowerAllHands()).toBe(false); // none is up: nothing to ask
    host.signaling.deliver({ type: "stage", stage: onStage(["v1", "me"]) });
    expect(host.session.actions.lowerAllHands()).toBe(true);
    expect(host.signaling.sent).toEqual([{ type: "lower-hands" }]);
    host.session.destroy();

    const cohost = joined("viewer", "cohost", ["v1"]);
    expect(cohost.session.actions.lowerAllHands()).toBe(true);
    cohost.session.destroy();
  });

  it("shows speakers-full and not-stage as notices, and tells a full stage from a full room in the refusal", () => {
    const { signaling, session } = joined("speaker", "host");
    signaling.deliver({ type: "error", code: "speakers-full", message: "the stage has 4 speakers" });
    expect(session.state.accessNotice).toBe("speakers-full");
    signaling.deliver({ type: "error", code: "not-stage", message: "this room is a meeting" });
    expect(session.state.accessNotice).toBe("not-stage");
    session.destroy();

    const full = setup();
    full.signaling.deliver({ type: "error", code: "stage-full", message: "this stage is full (25 viewers)", limit: 25 });
    full.signaling.refuse(CloseCode.RoomFull);
    // The cap rides along, for the refusal screen to say how many the stage takes.
    expect(full.session.state.refusal).toEqual({ code: CloseCode.RoomFull, reason: "", error: "stage-full", limit: 25 });

    const replaced = setup();
    replaced.signaling.deliver({ type: "error", code: "chat-throttled", message: "slow down" });
    replaced.signaling.deliver(welcome(peer("me", "Al", 5), []));
    replaced.signaling.refuse(CloseCode.Replaced);
    expect(replaced.session.state.refusal?.error).toBeNull();
    expect(replaced.session.state.refusal?.limit).toBeNull();
  });
});
