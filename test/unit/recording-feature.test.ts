// The recording feature in the session (engine/features/recording.ts), with a fake recorder: the
// announcement goes out before the recorder starts and its end after it stops, everyone's REC
// comes from the room's word (welcome, peer-joined, peer-recording) with chat notes for live
// changes only, the host's switch and the room's refusal stop ours, a reconnect reconciles, and
// leaving still offers the file.

import { afterEach, describe, expect, it } from "vitest";
import type { ClientMessage } from "../../protocol/protocol";
import type { LocalRecorder, RecorderFailure, RecorderOptions, RecorderSources, RecorderState, RecordingKind, SavedRecording } from "../../web/src/engine/recording/contract";
import { peer, setup, welcome } from "./session-fakes";

/** A recorder the test drives: it reports states as a real one would, and records its stops. */
class FakeRecorder implements LocalRecorder {
  state: RecorderState = { phase: "starting" };
  stops = 0;
  constructor(
    readonly kind: RecordingKind,
    readonly options: RecorderOptions,
  ) {}
  set(state: RecorderState) {
    this.state = state;
    this.options.onState(state);
  }
  recording(elapsedMs = 1000, bytes = 5000) {
    this.set({ phase: "recording", startedAt: 1, elapsedMs, bytes });
  }
  /** Stops by itself (no space, the disk too slow…): the file up to here is kept. */
  stopsItself(reason: RecorderFailure) {
    this.set({ phase: "saved", recording: saved(this.kind), reason });
  }
  async stop(): Promise<RecorderState> {
    this.stops++;
    this.set({ phase: "stopping" });
    await Promise.resolve();
    const done: RecorderState = { phase: "saved", recording: saved(this.kind), reason: null };
    this.set(done);
    return done;
  }
}

function saved(kind: RecordingKind): SavedRecording {
  return { name: `roomlink-${kind}.webm`, file: new File(["x"], `roomlink-${kind}.webm`), bytes: 1, durationMs: 1000, mimeType: "video/webm", where: "opfs", discard: async () => {} };
}

const sources = (kind: RecordingKind): RecorderSources => ({ kind, ownTracks: () => ({ audio: null, video: null }), layout: () => [], audioTracks: () => [] });

/** A session with a fake recorder factory; `hold` keeps the factory's promise pending until `release`. */
function recordingSetup(opts: { hold?: boolean; role?: "host" | "member" } = {}) {
  const made: FakeRecorder[] = [];
  const savedFiles: Array<{ saved: SavedRecording; reason: RecorderFailure | null }> = [];
  /** What had been sent when each recorder was made: the announcement must be in it. */
  const sentAtStart: ClientMessage[][] = [];
  let release: () => void = () => {};
  const ctx = setup({
    startRecorder: (options) => {
      sentAtStart.push([...ctx.signaling.sent]);
      const recorder = new FakeRecorder(options.sources.kind, options);
      made.push(recorder);
      if (!opts.hold) return Promise.resolve(recorder);
      return new Promise((resolve) => (release = () => resolve(recorder)));
    },
    onRecordingSaved: (s, reason) => savedFiles.push({ saved: s, reason }),
    roomLabel: "abc",
  });
  ctx.signaling.deliver(welcome(peer("me", "Al", 2, opts.role ?? "member"), [peer("p1", "Bo", 1)]));
  const recordingFrames = () => ctx.signaling.sent.filter((m) => m.type === "recording");
  return { ...ctx, made, savedFiles, sentAtStart, recordingFrames, release: () => release() };
}

const flush = () => new Promise((r) => setTimeout(r, 0));

let cleanup: Array<() => void> = [];
afterEach(() => {
  for (const f of cleanup.splice(0)) f();
});

describe("our own recording", () => {
  it("announces before the recorder starts, shows its progress, and says it stopped after it stopped; the file is offered", async () => {
    const { session, signaling, made, savedFiles, sentAtStart, recordingFrames } = recordingSetup();
    cleanup.push(() => session.destroy());
    expect(session.actions.startRecording("composite", sources("composite"), { pickFile: true })).toBe(true);
    expect(sentAtStart[0]).toContainEqual({ type: "recording", kind: "composite" });
    expect(made[0]!.options.pickFile).toBe(true);
    expect(made[0]!.options.label).toBe("abc");
    expect(session.state.recording.own).toEqual({ kind: "composite", phase: "starting" });
    await flush();
    made[0]!.recording(3000, 70_000);
    expect(session.state.recording.own).toEqual({ kind: "composite", phase: "recording", startedAt: 1, elapsedMs: 3000, bytes: 70_000 });
    // One recorder at a time.
    expect(session.actions.startRecording("self", sources("self"))).toBe(false);
    // The room's echo is what the banner shows, ours too.
    signaling.deliver({ type: "peer-recording", id: "me", recording: { kind: "composite", since: 5 } });
    expect(session.state.recording.self).toEqual({ kind: "composite", since: 5 });
    expect(session.actions.stopRecording()).toBe(true);
    expect(recordingFrames()).toEqual([{ type: "recording", kind: "composite" }]); // not before it has stopped
    await flush();
    expect(made[0]!.stops).toBe(1);
    expect(recordingFrames()).toEqual([
      { type: "recording", kind: "composite" },
      { type: "recording", kind: null },
    ]);
    expect(session.state.recording.own).toBeNull();
    expect(session.state.recording.notice).toBeNull();
    expect(savedFiles.map((s) => [s.saved.name, s.reason])).toEqual([["roomlink-composite.webm", null]]);
    expect(session.actions.stopRecording()).toBe(false);
  });

  it("does not start a recorder when the announcement cannot go out", () => {
    const { session, signaling, made } = recordingSetup();
    cleanup.push(() => session.destroy());
    signaling.connected = false;
    expect(session.actions.startRecording("self", sources("self"))).toBe(false);
    expect(made).toEqual([]);
    expect(session.state.recording.notice).toBe("offline");
    expect(session.state.recording.own).toBeNull();
  });

  it("a recorder that fails says so, and the room hears it stopped", async () => {
    const { session, made, recordingFrames, savedFiles } = recordingSetup();
    cleanup.push(() => session.destroy());
    session.actions.startRecording("self", sources("self"), { pickFile: true });
    await flush();
    made[0]!.set({ phase: "failed", reason: "cancelled" });
    expect(recordingFrames().map((m) => m.type === "recording" && m.kind)).toEqual(["self", null]);
    expect(session.state.recording).toMatchObject({ own: null, notice: "cancelled" });
    expect(savedFiles).toEqual([]);
    session.actions.dismissRecordingNotice();
    expect(session.state.recording.notice).toBeNull();
  });

  it("a recorder that stops by itself (no space) keeps the file and says why", async () => {
    const { session, made, recordingFrames, savedFiles } = recordingSetup();
    cleanup.push(() => session.destroy());
    session.actions.startRecording("composite", sources("composite"));
    await flush();
    made[0]!.recording();
    made[0]!.stopsItself("no-space");
    expect(recordingFrames().at(-1)).toEqual({ type: "recording", kind: null });
    expect(session.state.recording.notice).toBe("no-space");
    expect(savedFiles.map((s) => s.reason)).toEqual(["no-space"]);
  });

  it("a factory that throws or rejects is a browser that cannot record: nothing stays announced", async () => {
    const { session, signaling, recordingFrames } = setup_throwing();
    cleanup.push(() => session.destroy());
    expect(session.actions.startRecording("self", sources("self"))).toBe(true);
    await flush();
    expect(recordingFrames()).toEqual([
      { type: "recording", kind: "self" },
      { type: "recording", kind: null },
    ]);
    expect(session.state.recording).toMatchObject({ own: null, notice: "unsupported" });
    expect(signaling.sent.length).toBeGreaterThan(0);
  });

  it("a stop asked while the recorder is still being made stops it as soon as it exists", async () => {
    const { session, made, release, recordingFrames } = recordingSetup({ hold: true });
    cleanup.push(() => session.destroy());
    session.actions.startRecording("self", sources("self"));
    expect(session.actions.stopRecording()).toBe(true);
    expect(made[0]!.stops).toBe(0);
    release();
    await flush();
    await flush();
    expect(made[0]!.stops).toBe(1);
    expect(recordingFrames().at(-1)).toEqual({ type: "recording", kind: null });
  });

  it("without a recorder (none injected) nothing is announced", () => {
    const { session, signaling } = setup();
    cleanup.push(() => session.destroy());
    signaling.deliver(welcome(peer("me", "Al", 2), []));
    expect(session.actions.startRecording("self", sources("self"))).toBe(false);
    expect(signaling.sent.filter((m) => m.type === "recording")).toEqual([]);
  });
});

function setup_throwing() {
  const ctx = setup({
    startRecorder: () => {
      throw new Error("MediaRecorder is not defined");
    },
  });
  ctx.signaling.deliver(welcome(peer("me", "Al", 2), []));
  return { ...ctx, recordingFrames: () => ctx.signaling.sent.filter((m) => m.type === "recording") };
}

describe("everyone's REC", () => {
  it("comes from the welcome's snapshot without chat notes, and from peer-joined and peer-recording with them", () => {
    const { session, signaling } = setup();
    cleanup.push(() => session.destroy());
    const bo = { ...peer("p1", "Bo", 1), recording: { kind: "composite" as const, since: 1 } };
    signaling.deliver(welcome({ ...peer("me", "Al", 2) }, [bo, peer("p2", "Cy", 1)]));
    const rec = () => Object.fromEntries(session.state.participants.map((p) => [p.name, p.recording?.kind ?? null]));
    const notes = () => session.state.chat.flatMap((i) => (i.kind === "system" ? [`${i.name} ${i.event}`] : []));
    expect(rec()).toEqual({ Bo: "composite", Cy: null });
    expect(notes()).toEqual([]);
    // A late joiner who is recording already (it resumed elsewhere): the join is the news, and the REC shows.
    signaling.deliver({ type: "peer-joined", peer: { ...peer("p3", "Di", 3), recording: { kind: "self", since: 2 } } });
    expect(rec()).toEqual({ Bo: "composite", Cy: null, Di: "self" });
    signaling.deliver({ type: "peer-recording", id: "p2", recording: { kind: "self", since: 4 } });
    // A change of kind is not news; its stop is.
    signaling.deliver({ type: "peer-recording", id: "p2", recording: { kind: "composite", since: 5 } });
    signaling.deliver({ type: "peer-recording", id: "p1", recording: null });
    expect(rec()).toEqual({ Bo: null, Cy: "composite", Di: "self" });
    // The recorder leaving takes its REC with it.
    signaling.deliver({ type: "peer-left", id: "p3" });
    expect(rec()).toEqual({ Bo: null, Cy: "composite" });
    // Someone unknown: nothing to show.
    signaling.deliver({ type: "peer-recording", id: "zz", recording: { kind: "self", since: 6 } });
    expect(notes()).toEqual(["Di joined", "Cy recording-started", "Bo recording-stopped", "Di left"]);
  });

  it("a resume's welcome updates the REC of people we knew, silently", () => {
    const { session, signaling } = setup();
    cleanup.push(() => session.destroy());
    signaling.deliver(welcome(peer("me", "Al", 2), [peer("p1", "Bo", 1)]));
    signaling.deliver(welcome(peer("me", "Al", 2), [{ ...peer("p1", "Bo", 1), recording: { kind: "self", since: 9 } }], { resumed: true }));
    expect(session.state.participants[0]!.recording).toEqual({ kind: "self", since: 9 });
    expect(session.state.chat).toEqual([]);
  });

  it("our own start and stop, as the room echoes them, are notes with our name", () => {
    const { session, signaling } = recordingSetup();
    cleanup.push(() => session.destroy());
    signaling.deliver({ type: "peer-recording", id: "me", recording: { kind: "self", since: 5 } });
    signaling.deliver({ type: "peer-recording", id: "me", recording: null });
    expect(session.state.chat.flatMap((i) => (i.kind === "system" ? [`${i.name} ${i.event}`] : []))).toEqual(["Al recording-started", "Al recording-stopped"]);
    expect(session.state.recording.self).toBeNull();
  });
});

describe("the room's switch", () => {
  it("a host turning recording off stops ours and says so; a new one is refused until it is on again", async () => {
    const { session, signaling, made, recordingFrames, savedFiles } = recordingSetup();
    cleanup.push(() => session.destroy());
    session.actions.startRecording("composite", sources("composite"));
    await flush();
    made[0]!.recording();
    const off = { lobby: false, locked: false, passcode: false, recording: false };
    signaling.deliver({ type: "access", access: off });
    expect(made[0]!.stops).toBe(1);
    await flush();
    expect(recordingFrames().at(-1)).toEqual({ type: "recording", kind: null });
    expect(session.state.recording).toMatchObject({ own: null, notice: "turned-off" });
    expect(savedFiles).toHaveLength(1);
    expect(session.actions.startRecording("self", sources("self"))).toBe(false);
    expect(made).toHaveLength(1);
    signaling.deliver({ type: "access", access: { ...off, recording: true } });
    expect(session.actions.startRecording("self", sources("self"))).toBe(true);
  });

  it("the room refusing our start (recording-off) stops the recorder at once", async () => {
    const { session, signaling, made, recordingFrames } = recordingSetup();
    cleanup.push(() => session.destroy());
    session.actions.startRecording("self", sources("self"));
    signaling.deliver({ type: "error", code: "recording-off", message: "a host turned recording off for this room" });
    await flush();
    await flush();
    expect(made[0]!.stops).toBe(1);
    expect(recordingFrames().at(-1)).toEqual({ type: "recording", kind: null });
    expect(session.state.recording).toMatchObject({ own: null, notice: "refused" });
    expect(session.actions.startRecording("self", sources("self"))).toBe(false);
  });

  it("a welcome with recording off refuses a start", () => {
    const { session, signaling, made } = recordingSetup();
    cleanup.push(() => session.destroy());
    signaling.deliver(welcome(peer("me", "Al", 2), [], { resumed: true, access: { lobby: false, locked: false, passcode: false, recording: false } }));
    expect(session.actions.startRecording("self", sources("self"))).toBe(false);
    expect(made).toEqual([]);
  });

  it("a host or cohost sets it; a member may not", () => {
    const host = recordingSetup({ role: "host" });
    cleanup.push(() => host.session.destroy());
    expect(host.session.actions.setAccess({ recording: false })).toBe(true);
    expect(host.signaling.sent.at(-1)).toEqual({ type: "access", recording: false });
    const member = recordingSetup();
    cleanup.push(() => member.session.destroy());
    expect(member.session.actions.setAccess({ recording: false })).toBe(false);
    expect(member.signaling.sent.some((m) => m.type === "access")).toBe(false);
  });
});

describe("reconnects", () => {
  it("we stopped while away: the resumed welcome still says we record, so our stop goes out now", async () => {
    const { session, signaling, made, recordingFrames } = recordingSetup();
    cleanup.push(() => session.destroy());
    session.actions.startRecording("self", sources("self"));
    await flush();
    made[0]!.recording();
    signaling.connected = false;
    session.actions.stopRecording();
    await flush();
    expect(recordingFrames()).toEqual([{ type: "recording", kind: "self" }]);
    signaling.connected = true;
    signaling.deliver(welcome({ ...peer("me", "Al", 2), recording: { kind: "self", since: 3 } }, [peer("p1", "Bo", 1)], { resumed: true }));
    expect(recordingFrames()).toEqual([
      { type: "recording", kind: "self" },
      { type: "recording", kind: null },
    ]);
  });

  it("a fresh identity while still recording announces it again; a resume that agrees sends nothing", async () => {
    const { session, signaling, made, recordingFrames } = recordingSetup();
    cleanup.push(() => session.destroy());
    session.actions.startRecording("composite", sources("composite"));
    await flush();
    made[0]!.recording();
    signaling.deliver(welcome({ ...peer("me", "Al", 2), recording: { kind: "composite", since: 3 } }, [peer("p1", "Bo", 1)], { resumed: true }));
    expect(recordingFrames()).toHaveLength(1);
    signaling.deliver(welcome(peer("new-me", "Al", 9), [peer("p1", "Bo", 1)]));
    expect(recordingFrames()).toEqual([
      { type: "recording", kind: "composite" },
      { type: "recording", kind: "composite" },
    ]);
    expect(made[0]!.stops).toBe(0);
  });

  it("a fresh identity in a room where recording is now off stops ours instead of announcing it", async () => {
    const { session, signaling, made, recordingFrames } = recordingSetup();
    cleanup.push(() => session.destroy());
    session.actions.startRecording("composite", sources("composite"));
    await flush();
    made[0]!.recording();
    signaling.deliver(welcome(peer("new-me", "Al", 9), [], { access: { lobby: false, locked: false, passcode: false, recording: false } }));
    expect(made[0]!.stops).toBe(1);
    await flush();
    expect(recordingFrames()).toEqual([
      { type: "recording", kind: "composite" },
      { type: "recording", kind: null },
    ]);
    expect(session.state.recording.notice).toBe("turned-off");
  });
});

describe("leaving", () => {
  it("stops the recorder, tells the room while it still can, and still offers the file", async () => {
    const { session, made, recordingFrames, savedFiles } = recordingSetup();
    session.actions.startRecording("composite", sources("composite"));
    await flush();
    made[0]!.recording();
    session.destroy();
    expect(made[0]!.stops).toBe(1);
    expect(recordingFrames().at(-1)).toEqual({ type: "recording", kind: null });
    await flush();
    expect(savedFiles.map((s) => s.saved.name)).toEqual(["roomlink-composite.webm"]);
    // Nothing more goes out after the session is gone.
    expect(recordingFrames()).toHaveLength(2);
    expect(() => session.actions.startRecording("self", sources("self"))).toThrow(/after destroy/);
  });

  it("a removal (the room closed us for good) stops it too", async () => {
    const { session, signaling, made, savedFiles } = recordingSetup();
    cleanup.push(() => session.destroy());
    session.actions.startRecording("self", sources("self"));
    await flush();
    signaling.refuse(4403);
    await flush();
    expect(made[0]!.stops).toBe(1);
    expect(savedFiles).toHaveLength(1);
  });
});

describe("the page's offered recordings (ui/recording/offered.ts)", () => {
  it("offers ours first, then an earlier page's leftovers once, and deletes the browser's copy", async () => {
    const { OfferedRecordings } = await import("../../web/src/ui/recording/offered");
    const list = new OfferedRecordings();
    const discarded: string[] = [];
    const leftover = (name: string) => ({ name, bytes: 10, lastModified: 1, file: async () => new File(["x"], name), discard: async () => void discarded.push(name) });
    let asked = 0;
    const find = async () => (asked++, [leftover("old.webm"), leftover("roomlink-self.webm")]);
    list.offer({ ...saved("self"), discard: async () => void discarded.push("roomlink-self.webm") }, "no-space");
    await list.findLeftovers(find);
    await list.findLeftovers(find);
    expect(asked).toBe(1);
    // Ours is not offered twice (its file is still in the browser's storage).
    expect(list.state.map((r) => [r.name, r.leftover, r.reason])).toEqual([
      ["roomlink-self.webm", false, "no-space"],
      ["old.webm", true, null],
    ]);
    await list.remove(list.state[1]!.key);
    expect(discarded).toEqual(["old.webm"]);
    expect(list.state).toHaveLength(1);
  });
});
