import { describe, expect, it } from "vitest";
import type { Handlers } from "../../worker/room/handler";
import { media as mediaHandler } from "../../worker/room/features/media";
import { HANDLERS } from "../../worker/room/handlers";
import { ICE, kinds, makeRoom, media, mintOf, sends } from "./room-harness";

const off = { mic: false, cam: false, screen: false };

describe("RoomCore: who may send what", () => {
  // Media stands in for a host-only message, so the check is seen apart from any real handler's.
  const hostOnlyMedia: Handlers = { ...HANDLERS, media: { who: "owner", run: mediaHandler.run } };

  it("lets any socket join, and only members send member frames", () => {
    const { room, join } = makeRoom();
    expect(kinds(room.handle(null, { type: "join", v: 1, name: "A", media }))).toEqual(["mint-ice"]);
    expect(sends(room.handle(null, { type: "media", media: off }))).toEqual([{ to: "self", msg: { type: "error", code: "not-joined", message: 'send "join" before "media"' } }]);
    // A socket whose member is gone (its attachment outlived it) counts as not joined.
    expect(sends(room.handle("p9", { type: "leave" }))[0]!.msg).toMatchObject({ code: "not-joined" });
    // The decided join above already drew "p1": this member is whoever join() says it is.
    const a = join("A");
    expect(room.handle(a.you!.id, { type: "media", media: off })).toEqual([{ kind: "send", to: [], msg: { type: "peer-media", id: a.you!.id, media: off } }]);
  });

  it("refuses a host-only frame from a member, without running its handler, and accepts it from a host", () => {
    const { room, join, store, build } = makeRoom({}, { handlers: hostOnlyMedia });
    join("A");
    expect(sends(room.handle("p1", { type: "media", media: off }))).toEqual([
      { to: "self", msg: { type: "error", code: "forbidden", message: 'only the host may send "media"' } },
    ]);
    expect(store.rows.get("p1")!.media).toEqual(media);
    expect(sends(room.handle(null, { type: "media", media: off }))[0]!.msg).toMatchObject({ code: "not-joined" });
    // Roles come from storage: a room woken with a host in it lets the host through.
    store.put({ ...store.rows.get("p1")!, role: "host" });
    const woken = build();
    woken.restore(new Set(["p1"]));
    expect(kinds(woken.handle("p1", { type: "media", media: off }))).toEqual(["send"]);
    expect(store.rows.get("p1")!.media).toEqual(off);
  });
});

describe("RoomCore: a join is decided, then minted for, then admitted", () => {
  it("decides the id first and stores nothing until the credentials are minted", () => {
    const { room, store, joinMessage } = makeRoom();
    const msg = joinMessage("A");
    const decided = room.handle(null, msg);
    expect(decided).toEqual([{ kind: "mint-ice", peerId: "p1", then: "welcome", join: msg }]);
    expect(room.size).toBe(0);
    expect(store.rows.size).toBe(0);
    const admitted = room.minted(null, mintOf(decided)!, ICE);
    // The first member of a room without a host starts the temporary host's clock: an alarm.
    expect(kinds(admitted)).toEqual(["bind", "send", "send", "schedule"]);
    expect(sends(admitted)[0]!.msg).toMatchObject({ type: "welcome", you: { id: "p1" }, ice: ICE });
    expect(room.size).toBe(1);
  });

  it("mints credentials for the resumed member's own id", () => {
    const { room, join, joinMessage } = makeRoom();
    const a = join("A");
    room.disconnect("p1");
    expect(mintOf(room.handle(null, joinMessage("A", { resume: { id: "p1", token: a.welcome.resumeToken } })))).toMatchObject({ peerId: "p1" });
  });

  it("refuses a joiner of a full room before any credentials are minted or any id is drawn", () => {
    const { room, join, joinMessage } = makeRoom({ ROOM_CAPACITY: "2" }, { peerIds: ["a1", "a2", "never"] });
    join("A");
    join("B");
    const refused = room.handle(null, joinMessage("C"));
    expect(kinds(refused)).toEqual(["send", "close"]);
    expect(mintOf(refused)).toBeUndefined();
    expect(sends(refused)[0]!.msg).toMatchObject({ code: "room-full" });
    expect(join("D").effects.some((e) => e.kind === "mint-ice")).toBe(false);
    expect(room.roster().map((p) => p.id)).toEqual(["a1", "a2"]);
  });

  it("answers a twin join frame on the same socket with already-joined", () => {
    const { room, joinMessage } = makeRoom();
    const first = mintOf(room.handle(null, joinMessage("A")))!;
    const twin = mintOf(room.handle(null, joinMessage("A")))!;
    expect(kinds(room.minted(null, first, ICE))).toEqual(["bind", "send", "send", "schedule"]);
    // By the time the twin's credentials are ready, the socket carries p1.
    // Its credentials (minted for another fresh id) are nobody's: released at once.
    expect(room.minted("p1", twin, ICE)).toEqual([
      { kind: "release-ice", peerId: twin.peerId },
      { kind: "send", to: "self", msg: expect.objectContaining({ code: "already-joined" }) },
      { kind: "strike" },
    ]);
    expect(room.size).toBe(1);
  });

  it("lets a resume whose member expired meanwhile join afresh under the id its credentials name", () => {
    const { room, join, joinMessage, clock } = makeRoom({ RESUME_GRACE_SECONDS: "20" });
    const a = join("A");
    join("B");
    room.disconnect("p1");
    const mint = mintOf(room.handle(null, joinMessage("A", { resume: { id: "p1", token: a.welcome.resumeToken } })))!;
    clock.now += 20_000;
    room.expire();
    const admitted = room.minted(null, mint, ICE);
    expect(sends(admitted)[0]!.msg).toMatchObject({ type: "welcome", you: { id: "p1" }, resumed: false });
    expect(sends(admitted)[1]).toEqual({ to: ["p2"], msg: expect.objectContaining({ type: "peer-joined" }) });
  });

  it("refuses a join whose room filled up meanwhile", () => {
    const { room, join, joinMessage } = makeRoom({ ROOM_CAPACITY: "2" });
    join("A");
    const b = mintOf(room.handle(null, joinMessage("B")))!;
    const c = mintOf(room.handle(null, joinMessage("C")))!;
    room.minted(null, b, ICE);
    const late = room.minted(null, c, ICE);
    expect(sends(late)[0]!.msg).toMatchObject({ code: "room-full" });
    expect(late.at(-1)).toEqual({ kind: "close", code: 4409, reason: "room full" });
  });

  it("decides again when the fresh id was taken meanwhile", () => {
    const { room, joinMessage } = makeRoom({}, { peerIds: ["same", "same", "other"] });
    const first = mintOf(room.handle(null, joinMessage("A")))!;
    const second = mintOf(room.handle(null, joinMessage("B")))!;
    room.minted(null, first, ICE);
    expect(room.minted(null, second, ICE)).toEqual([{ kind: "mint-ice", peerId: "other", then: "welcome", join: joinMessage("B") }]);
  });
});

describe("RoomCore: ICE credentials on request", () => {
  it("rations them per member with ice-throttled (not rate-limited), and refills over time", () => {
    const { room, join, clock } = makeRoom();
    join("A");
    for (let i = 0; i < 5; i++) expect(kinds(room.handle("p1", { type: "ice" }))).toEqual(["mint-ice"]);
    expect(room.handle("p1", { type: "ice" })).toEqual([
      { kind: "send", to: "self", msg: { type: "error", code: "ice-throttled", message: "too many ICE credential requests" } },
    ]);
    clock.now += 30_000;
    expect(kinds(room.handle("p1", { type: "ice" }))).toEqual(["mint-ice"]);
  });

  it("delivers them only to a socket that still carries the member", () => {
    const { room, join } = makeRoom();
    join("A");
    const mint = mintOf(room.handle("p1", { type: "ice" }))!;
    expect(room.minted("p1", mint, ICE)).toEqual([{ kind: "send", to: "self", msg: { type: "ice", ice: ICE } }]);
    expect(room.minted(null, mint, ICE)).toEqual([]);
  });
});

describe("RoomCore: roles", () => {
  it("stores every joiner as a plain member, and keeps a role across a resume", () => {
    const { room, join, store } = makeRoom();
    const a = join("A");
    expect(store.rows.get("p1")!.role).toBe("member");
    store.put({ ...store.rows.get("p1")!, role: "host" });
    room.restore(new Set());
    join("A", { resume: { id: "p1", token: a.welcome.resumeToken } });
    expect(store.rows.get("p1")!.role).toBe("host");
  });
});
