// Recording consent in the room core (worker/room/features/recording.ts): stamped with the room's
// clock, told to everyone present and kept on the member while it is away, cleared by a stop or
// with the member, refused while a host has turned recording off, and rationed. Over real sockets
// in workerd: test/workerd/recording.test.ts.

import { describe, expect, it } from "vitest";
import { RECORDING_POLICY } from "../../worker/room/features/recording";
import { type FakeSocket, HOST_KEY, makeSocketRoom } from "./room-sockets";

function room(members = 2) {
  const r = makeSocketRoom();
  const host = r.join("Host", { hostKey: HOST_KEY });
  const others = Array.from({ length: members }, (_, i) => r.join(`M${i}`));
  return { r, host, others };
}

describe("recording: announcements", () => {
  it("stamps a start with the room's clock and tells everyone present, the recorder too; a stop clears it", () => {
    const { r, host, others } = room(2);
    const [a, b] = others as [FakeSocket, FakeSocket];
    const id = r.idOf(a);
    r.clock.now = 42_000;
    r.send(a, { type: "recording", kind: "composite" });
    const started = { type: "peer-recording", id, recording: { kind: "composite", since: 42_000 } };
    for (const s of [host, a, b]) expect(s.all("peer-recording"), s.name).toEqual([started]);
    expect(r.store.all().find((m) => m.id === id)?.recording).toEqual({ kind: "composite", since: 42_000 });
    r.send(a, { type: "recording", kind: null });
    for (const s of [host, a, b]) expect(s.last("peer-recording"), s.name).toEqual({ type: "peer-recording", id, recording: null });
    expect(r.store.all().find((m) => m.id === id)?.recording).toBeNull();
    expect(a.errors()).toEqual([]);
  });

  it("sends nothing for the same kind again or a stop while not recording; another kind restarts `since`", () => {
    const { r, host, others } = room(1);
    const [a] = others as [FakeSocket];
    r.send(a, { type: "recording", kind: null });
    expect(host.all("peer-recording")).toEqual([]);
    r.clock.now = 5_000;
    r.send(a, { type: "recording", kind: "self" });
    r.clock.now = 6_000;
    r.send(a, { type: "recording", kind: "self" });
    expect(host.all("peer-recording")).toHaveLength(1);
    r.clock.now = 7_000;
    r.send(a, { type: "recording", kind: "composite" });
    expect(host.all("peer-recording").map((f) => f.recording)).toEqual([{ kind: "self", since: 5_000 }, { kind: "composite", since: 7_000 }]);
  });

  it("is in every welcome, kept while the member is away and across its resume, and gone with peer-left when its grace ends", () => {
    const { r, host, others } = room(1);
    const [a] = others as [FakeSocket];
    const id = r.idOf(a);
    const token = a.last("welcome")!.resumeToken;
    r.clock.now = 9_000;
    r.send(a, { type: "recording", kind: "self" });
    const late = r.join("Late");
    expect(late.last("welcome")!.peers.find((p) => p.id === id)?.recording).toEqual({ kind: "self", since: 9_000 });
    r.drop(a);
    const later = r.join("Later");
    expect(later.last("welcome")!.peers.find((p) => p.id === id)).toMatchObject({ away: true, recording: { kind: "self", since: 9_000 } });
    const back = r.join("M0", { resume: { id, token } });
    expect(back.last("welcome")!.you.recording).toEqual({ kind: "self", since: 9_000 });
    r.drop(back);
    r.alarm(10 * 60_000);
    expect(host.last("peer-left")).toEqual({ type: "peer-left", id });
    expect(r.join("Last").last("welcome")!.peers.map((p) => p.id)).not.toContain(id);
    expect(r.store.all().map((m) => m.id)).not.toContain(id);
  });
});

describe("recording: the room's switch", () => {
  it("refuses a start while a host has turned recording off, takes a stop, and leaves a running recording be", () => {
    const { r, host, others } = room(2);
    const [a, b] = others as [FakeSocket, FakeSocket];
    r.send(a, { type: "recording", kind: "composite" });
    r.send(host, { type: "access", recording: false });
    expect(b.last("access")!.access).toEqual({ lobby: false, locked: false, passcode: false, recording: false });
    expect(r.gate.settings.recording).toBe(false);
    // The room does not clear it: a's client stops on the access frame, and says so.
    expect(r.join("Late").last("welcome")!.peers.find((p) => p.id === r.idOf(a))?.recording).toMatchObject({ kind: "composite" });
    r.send(b, { type: "recording", kind: "self" });
    expect(b.errors()).toEqual(["recording-off"]);
    expect(b.strikes).toBe(0);
    r.send(a, { type: "recording", kind: null });
    expect(host.last("peer-recording")).toEqual({ type: "peer-recording", id: r.idOf(a), recording: null });
    r.send(host, { type: "access", recording: true });
    r.send(b, { type: "recording", kind: "self" });
    expect(host.last("peer-recording")).toMatchObject({ id: r.idOf(b), recording: { kind: "self" } });
  });

  it("lets a host or cohost turn it off, not a member", () => {
    const { r, host, others } = room(2);
    const [a, c] = others as [FakeSocket, FakeSocket];
    r.send(a, { type: "access", recording: false });
    expect(a.errors()).toEqual(["forbidden"]);
    expect(r.gate.settings.recording).toBe(true);
    r.send(host, { type: "set-role", id: r.idOf(c), role: "cohost" });
    r.send(c, { type: "access", recording: false });
    expect(c.errors()).toEqual([]);
    expect(host.last("access")!.access.recording).toBe(false);
  });

  it("announces a recording change at once even when a passcode in the same frame is still hashing", () => {
    const { r, host, others } = room(1);
    const [a] = others as [FakeSocket];
    const effects = r.core.handle(r.idOf(host), { type: "access", recording: false, passcode: "tulip" });
    r.run(host, effects.filter((e) => e.kind !== "hash-passcode"));
    expect(a.last("access")!.access).toMatchObject({ recording: false, passcode: false });
  });
});

/** The other kind: a start that changes something. */
const switched = (kind: "self" | "composite") => (kind === "self" ? "composite" : "self");

describe("recording: the ration", () => {
  it("is rate-limited once, then dropped, then the member is expelled with 4429; the others keep theirs", () => {
    const { r, host, others } = room(2);
    const [a, b] = others as [FakeSocket, FakeSocket];
    // Starts that switch kind: each one a change (stops are not rationed, see below).
    const kinds = ["self", "composite"] as const;
    for (let i = 0; i < RECORDING_POLICY.rate.burst; i++) r.send(a, { type: "recording", kind: kinds[i % 2]! });
    expect(host.all("peer-recording")).toHaveLength(RECORDING_POLICY.rate.burst);
    r.send(a, { type: "recording", kind: switched(kinds[(RECORDING_POLICY.rate.burst - 1) % 2]!) });
    expect(a.errors()).toEqual(["rate-limited"]);
    for (let i = 0; i < RECORDING_POLICY.maxDropped - 1; i++) r.send(a, { type: "recording", kind: kinds[i % 2]! });
    expect(a.open).toBe(true);
    expect(host.all("peer-recording")).toHaveLength(RECORDING_POLICY.rate.burst);
    r.send(b, { type: "recording", kind: "composite" });
    expect(host.last("peer-recording")).toMatchObject({ id: r.idOf(b) });
    const id = r.idOf(a);
    r.send(a, { type: "recording", kind: "self" });
    expect(a.closed).toEqual({ code: 4429, reason: "too many recording changes" });
    expect(host.last("peer-left")).toEqual({ type: "peer-left", id });
    expect(b.errors()).toEqual([]);
  });

  it("always takes a stop of a recording it knows of, even past the ration, so no REC outlives its recording", () => {
    const { r, host, others } = room(1);
    const [a] = others as [FakeSocket];
    const kinds = ["self", "composite"] as const;
    for (let i = 0; i < RECORDING_POLICY.rate.burst; i++) r.send(a, { type: "recording", kind: kinds[i % 2]! });
    r.send(a, { type: "recording", kind: switched(kinds[(RECORDING_POLICY.rate.burst - 1) % 2]!) });
    expect(a.errors()).toEqual(["rate-limited"]);
    r.send(a, { type: "recording", kind: null });
    expect(host.last("peer-recording")).toEqual({ type: "peer-recording", id: r.idOf(a), recording: null });
    expect(a.errors()).toEqual(["rate-limited"]);
  });
});
