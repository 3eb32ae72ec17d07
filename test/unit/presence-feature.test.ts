import { afterEach, describe, expect, it, vi } from "vitest";
import { Emitter } from "../../web/src/engine/emitter";
import { PresenceFeature, QUALITY_SETTLE_MS } from "../../web/src/engine/features/presence";
import { LEVEL_INTERVAL_MS, NO_PRESENCE, type PresenceView } from "../../web/src/engine/features/presence-view";
import type { Timers } from "../../web/src/engine/files/timers";
import type { LevelMeter } from "../../web/src/engine/media/level-meter";
import type { LocalMediaState, LocalTracks } from "../../web/src/engine/media/local-media";
import type { TransportEvents } from "../../web/src/engine/session/transport";
import { chromiumReport, type Counters } from "./presence-stats";
import { peer, setup, welcome } from "./session-fakes";

/** Timers a test moves by hand, with the clock they run on. */
class ManualClock implements Timers {
  now = 0;
  private next = 1;
  private readonly due = new Map<number, { at: number; fn: () => void }>();
  setTimeout(fn: () => void, ms: number) {
    const id = this.next++;
    this.due.set(id, { at: this.now + ms, fn });
    return id;
  }
  clearTimeout(handle: unknown) {
    this.due.delete(handle as number);
  }
  get pending() {
    return this.due.size;
  }
  advance(ms: number) {
    const end = this.now + ms;
    for (;;) {
      const first = [...this.due].filter(([, t]) => t.at <= end).sort(([, a], [, b]) => a.at - b.at)[0];
      if (!first) break;
      this.due.delete(first[0]);
      this.now = first[1].at;
      first[1].fn();
    }
    this.now = end;
  }
}

class FakeTransport extends Emitter<TransportEvents> {
  levels = new Map<string, number>();
  readonly readers = new Set<(peerId: string, report: RTCStatsReport) => void>();
  audioLevels() {
    return new Map(this.levels);
  }
  onStats(fn: (peerId: string, report: RTCStatsReport) => void) {
    this.readers.add(fn);
    return () => this.readers.delete(fn);
  }
  report(peerId: string, c: Counters) {
    for (const fn of this.readers) fn(peerId, chromiumReport(c));
  }
  connection(peerId: string, state: TransportEvents["connection"]["state"]) {
    this.emit("connection", { peerId, state });
  }
}

const track = (id: string) => ({ id, kind: "audio", readyState: "live" }) as unknown as MediaStreamTrack;

function harness(sends?: (peerId: string) => boolean) {
  const clock = new ManualClock();
  const transport = new FakeTransport();
  const media = { state: { mic: true } as LocalMediaState, tracks: { audio: track("mic-1") } as LocalTracks };
  const meters: Array<{ track: string; level: number; closed: boolean }> = [];
  const openMeter = (t: MediaStreamTrack): LevelMeter => {
    const m = { track: t.id, level: 0, closed: false };
    meters.push(m);
    return { read: () => m.level, close: () => void (m.closed = true) };
  };
  const views: PresenceView[] = [];
  const feature = new PresenceFeature({ transport, media, update: ({ presence }) => presence && views.push(presence), timers: clock, now: () => clock.now, openMeter, ...(sends ? { sends } : {}) });
  const last = () => views[views.length - 1] ?? NO_PRESENCE;
  return { clock, transport, media, meters, views, feature, last };
}

const t0 = 1_700_000_000_000;
const counters = (i: number, lostIn = 0): Counters => ({
  t: t0 + i * 2000,
  audioIn: { packets: 1000 + i * 100, lost: lostIn, bytes: 80_000 + i * 16_000 },
  audioOut: { packets: 1000 + i * 100, bytes: 80_000 + i * 15_000, remoteLost: 0 },
});

describe("PresenceFeature", () => {
  it("samples nothing before the welcome, then every 100 ms; publishes only when the speakers change", () => {
    const { clock, transport, meters, views, feature, last } = harness();
    clock.advance(1000);
    expect(clock.pending).toBe(0);
    expect(meters).toHaveLength(0);
    feature.welcome("me", ["a", "b"]);
    const published = views.length;
    // "a" talks; we stay quiet (the meter reads the room).
    transport.levels = new Map([["a", 0.15], ["b", 0.003]]);
    clock.advance(LEVEL_INTERVAL_MS * 3);
    expect(last().speaking).toEqual(["a"]);
    expect(last().activeSpeaker).toBe("a");
    expect(meters).toEqual([{ track: "mic-1", level: 0, closed: false }]);
    // Ten more samples of the same: no new snapshot.
    const count = views.length;
    clock.advance(LEVEL_INTERVAL_MS * 10);
    expect(views.length).toBe(count);
    expect(count - published).toBe(1);
    // We speak too (meter scale: RMS × 4): we are among the speakers, but never the active speaker.
    meters[0]!.level = 0.6;
    clock.advance(LEVEL_INTERVAL_MS * 3);
    expect(last().speaking).toEqual(["a", "me"]);
    expect(last().activeSpeaker).toBe("a");
    // Everyone stops: after the hangover nobody speaks, and "a" stays the active speaker.
    transport.levels = new Map([["a", 0], ["b", 0]]);
    meters[0]!.level = 0;
    clock.advance(1500);
    expect(last().speaking).toEqual([]);
    expect(last().activeSpeaker).toBe("a");
    feature.dispose();
  });

  it("feeds levels to subscribers on the meter's scale, ours included, and stops feeding one that left", () => {
    const { clock, transport, meters, feature } = harness();
    feature.welcome("me", ["a"]);
    transport.levels = new Map([["a", 0.05]]);
    const seen: Array<ReadonlyMap<string, number>> = [];
    const off = feature.levels.subscribe((levels) => seen.push(levels));
    clock.advance(LEVEL_INTERVAL_MS);
    meters[0]!.level = 0.5;
    clock.advance(LEVEL_INTERVAL_MS);
    expect(seen.map((m) => Object.fromEntries([...m].map(([k, v]) => [k, Number(v.toFixed(3))])))).toEqual([
      { a: 0.2, me: 0 },
      { a: 0.2, me: 0.5 },
    ]);
    off();
    clock.advance(LEVEL_INTERVAL_MS * 5);
    expect(seen).toHaveLength(2);
    feature.dispose();
  });

  it("opens our meter on the mic that is on, again when the device changes, and closes it while muted", () => {
    const { clock, media, meters, feature } = harness();
    feature.welcome("me", []);
    clock.advance(LEVEL_INTERVAL_MS);
    media.tracks = { ...media.tracks, audio: track("mic-2") };
    clock.advance(LEVEL_INTERVAL_MS);
    expect(meters.map((m) => [m.track, m.closed])).toEqual([
      ["mic-1", true],
      ["mic-2", false],
    ]);
    media.state = { ...media.state, mic: false };
    clock.advance(LEVEL_INTERVAL_MS);
    expect(meters[1]!.closed).toBe(true);
    media.state = { ...media.state, mic: true };
    clock.advance(LEVEL_INTERVAL_MS);
    expect(meters.map((m) => m.closed)).toEqual([true, true, false]);
    feature.dispose();
    expect(meters[2]!.closed).toBe(true);
  });

  it("grades each connection that is up from its stats, once per poll round, sums ours; grades one that goes down 0 and forgets one that closes", () => {
    const { clock, transport, feature, last, views } = harness();
    feature.welcome("me", ["a", "b"]);
    // A report for a connection not up (yet, or any more) is not taken.
    transport.report("a", counters(0));
    clock.advance(QUALITY_SETTLE_MS);
    expect(last().quality).toEqual({});
    transport.connection("a", "connected");
    transport.connection("b", "connected");
    transport.report("a", counters(0));
    transport.report("b", counters(0));
    clock.advance(QUALITY_SETTLE_MS);
    // The second round: both links' reports make one snapshot, once the round has settled.
    const before = views.length;
    transport.report("a", counters(1, 30));
    transport.report("b", counters(1));
    expect(views.length).toBe(before);
    clock.advance(QUALITY_SETTLE_MS);
    expect(views.length).toBe(before + 1);
    const q = last().quality;
    // "a" lost 30 of the 130 packets it should have received in 2 s.
    expect(q.a!.lossInPct).toBeCloseTo((30 / 130) * 100);
    expect(q.a!.grade).toBe(0);
    expect(q.b!.grade).toBe(5);
    expect(last().own).toMatchObject({ grade: 0, kbpsIn: 128, kbpsOut: 120, relayed: false, hint: "loss" });
    // The same rates over the next interval: the link keeps its object.
    const kept = last().quality.b;
    transport.report("b", counters(2));
    clock.advance(QUALITY_SETTLE_MS);
    expect(last().quality.b).toBe(kept);
    // Down: still shown, graded 0, with what it last measured. Closed: gone.
    transport.connection("b", "reconnecting");
    expect(last().quality.b).toMatchObject({ grade: 0, hint: "loss", kbpsIn: kept!.kbpsIn });
    transport.connection("b", "closed");
    expect(Object.keys(last().quality)).toEqual(["a"]);
    feature.dispose();
    expect(clock.pending).toBe(0);
  });

  it("a peer that turned everything off goes quiet on the wire: no stall; one that says it sends and goes quiet is stalled", () => {
    const off = new Set<string>();
    const { clock, transport, feature, last } = harness((id) => !off.has(id));
    feature.welcome("me", ["muted", "cut"]);
    for (const id of ["muted", "cut"]) transport.connection(id, "connected");
    for (const i of [0, 1]) {
      transport.report("muted", counters(i));
      transport.report("cut", counters(i));
      clock.advance(QUALITY_SETTLE_MS);
    }
    // Both stop sending packets; one of them said it turned its mic off (its mesh sends nothing).
    off.add("muted");
    const quiet = (i: number): Counters => ({ ...counters(1), t: t0 + i * 2000 });
    transport.report("muted", quiet(2));
    transport.report("cut", quiet(2));
    clock.advance(QUALITY_SETTLE_MS);
    expect(last().quality.muted).toMatchObject({ grade: 5, lossInPct: null });
    expect(last().quality.cut).toMatchObject({ grade: 0, lossInPct: 100 });
    feature.dispose();
  });

  it("drops a peer that left: its speaking, its place as active speaker, its quality", () => {
    const { clock, transport, feature, last } = harness();
    feature.welcome("me", ["a"]);
    transport.connection("a", "connected");
    transport.report("a", counters(0));
    transport.levels = new Map([["a", 0.2]]);
    clock.advance(LEVEL_INTERVAL_MS * 3);
    expect(last()).toMatchObject({ speaking: ["a"], activeSpeaker: "a" });
    transport.levels = new Map();
    feature.peerLeft("a");
    expect(last()).toMatchObject({ speaking: [], activeSpeaker: null, quality: {}, own: null });
    // A report already on its way for it is not taken.
    transport.report("a", counters(1));
    expect(last().quality).toEqual({});
    feature.dispose();
  });

  it("a new identity's welcome drops whoever is not in it", () => {
    const { clock, transport, feature, last } = harness();
    feature.welcome("me", ["a"]);
    transport.levels = new Map([["a", 0.2]]);
    clock.advance(LEVEL_INTERVAL_MS * 3);
    transport.levels = new Map();
    feature.welcome("me-again", ["c"]);
    expect(last()).toMatchObject({ speaking: [], activeSpeaker: null });
    feature.dispose();
  });

  it("disposes cleanly: no timer, no stats reader, no snapshot after", () => {
    const { clock, transport, views, feature, meters } = harness();
    feature.welcome("me", ["a"]);
    clock.advance(LEVEL_INTERVAL_MS);
    feature.dispose();
    expect(clock.pending).toBe(0);
    expect(transport.readers.size).toBe(0);
    expect(meters.every((m) => m.closed)).toBe(true);
    const count = views.length;
    transport.connection("a", "closed");
    feature.peerLeft("a");
    feature.welcome("me", []);
    clock.advance(1000);
    expect(views.length).toBe(count);
    expect(clock.pending).toBe(0);
    // A feed that has ended gives nothing.
    const seen: unknown[] = [];
    feature.levels.subscribe((l) => seen.push(l));
    clock.advance(1000);
    expect(seen).toEqual([]);
  });
});

describe("RoomSession's presence", () => {
  afterEach(() => vi.useRealTimers());

  it("shows who speaks and the active speaker from the transport's levels, and stops with the session", () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "performance"] });
    const { signaling, transport, session } = setup();
    signaling.deliver(welcome(peer("me", "Al", 2), [peer("a", "Bo", 1)]));
    transport.levels = new Map([["a", 0.2]]);
    vi.advanceTimersByTime(LEVEL_INTERVAL_MS * 3);
    expect(session.state.presence).toMatchObject({ speaking: ["a"], activeSpeaker: "a" });
    const levels: Array<ReadonlyMap<string, number>> = [];
    session.levels.subscribe((l) => levels.push(l));
    vi.advanceTimersByTime(LEVEL_INTERVAL_MS);
    expect(levels[0]?.get("a")).toBeCloseTo(0.8);
    signaling.deliver({ type: "peer-left", id: "a" });
    expect(session.state.presence).toMatchObject({ speaking: [], activeSpeaker: null });
    expect(transport.statsReaders.size).toBe(1);
    session.destroy();
    expect(transport.statsReaders.size).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });
});
