// The reactions feature (web/src/engine/features/reactions.ts): ours show at once and leave in one
// frame per half second, within the room's ration; everyone's expire after REACTION_SHOW_MS on one
// timer; the list is capped; and a late joiner's welcome shows what is left of the last ten seconds.

import { describe, expect, it } from "vitest";
import {
  type ClientMessage,
  MAX_REACTIONS_PER_FRAME,
  REACTION_BATCH_MS,
  REACTION_RATE,
  REACTION_RECENT_MS,
  type ReactionBatch,
  type ServerMessage,
} from "../../protocol/protocol";
import { REACTION_SHOW_MS, type ReactionItem } from "../../web/src/engine/features/presence-view";
import { MAX_SHOWN, ReactionsFeature } from "../../web/src/engine/features/reactions";
import { peer, welcome } from "./session-fakes";

/** A clock the test moves by hand; timers run in order as it passes them. */
class Clock {
  now = 1_000;
  private timers: Array<{ at: number; fn: () => void; live: boolean }> = [];
  readonly timerApi = {
    setTimeout: (fn: () => void, ms: number) => {
      const t = { at: this.now + ms, fn, live: true };
      this.timers.push(t);
      return t;
    },
    clearTimeout: (h: unknown) => {
      (h as { live: boolean }).live = false;
    },
  };
  get pending(): number {
    return this.timers.filter((t) => t.live).length;
  }
  advance(ms: number): void {
    const until = this.now + ms;
    for (;;) {
      const due = this.timers.filter((t) => t.live && t.at <= until).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      due.live = false;
      this.now = due.at;
      due.fn();
    }
    this.now = until;
  }
}

function setup(self: string | null = "me") {
  const clock = new Clock();
  const sent: ClientMessage[] = [];
  let shown: readonly ReactionItem[] = [];
  let updates = 0;
  let connected = true;
  const feature = new ReactionsFeature({
    send: (msg) => {
      if (!connected) return false;
      sent.push(msg);
      return true;
    },
    selfId: () => self,
    update: (patch) => {
      updates++;
      if (patch.reactions) shown = patch.reactions;
    },
    now: () => clock.now,
    timers: clock.timerApi,
  });
  const frames = () => sent.flatMap((m) => (m.type === "react" ? [m.reactions] : []));
  const codes = () => shown.map((i) => `${i.from}:${i.code}`);
  return {
    clock, feature, frames, codes,
    shown: () => shown,
    updates: () => updates,
    setConnected: (on: boolean) => (connected = on),
  };
}

const reaction = (from: string, reactions: ReactionBatch["reactions"], at: number): Extract<ServerMessage, { type: "reaction" }> => ({ type: "reaction", from, reactions, at });

describe("the reactions feature: ours", () => {
  it("shows each click at once and sends one frame per batch", () => {
    const { clock, feature, frames, codes, shown } = setup();
    expect(feature.react("clap")).toBe(true);
    expect(codes()).toEqual(["me:clap"]);
    expect(shown()[0]!.at).toBe(1_000);
    clock.advance(200);
    expect(feature.react("heart")).toBe(true);
    expect(feature.react("clap")).toBe(true);
    expect(codes()).toEqual(["me:clap", "me:heart", "me:clap"]);
    expect(frames()).toEqual([]);
    clock.advance(REACTION_BATCH_MS - 200);
    expect(frames()).toEqual([["clap", "heart", "clap"]]);
    // Keys are unique, for the UI's lists and for removal.
    expect(new Set(shown().map((i) => i.key)).size).toBe(3);
    // The next click starts a new batch.
    clock.advance(1_000);
    feature.react("party");
    clock.advance(REACTION_BATCH_MS);
    expect(frames()).toEqual([["clap", "heart", "clap"], ["party"]]);
  });

  it("puts at most five in a frame, and drops the clicks past it", () => {
    const { clock, feature, frames, codes } = setup();
    const took = Array.from({ length: MAX_REACTIONS_PER_FRAME + 2 }, () => feature.react("laugh"));
    expect(took).toEqual([true, true, true, true, true, false, false]);
    expect(codes()).toHaveLength(MAX_REACTIONS_PER_FRAME);
    clock.advance(REACTION_BATCH_MS);
    expect(frames()).toEqual([Array(MAX_REACTIONS_PER_FRAME).fill("laugh")]);
  });

  it("keeps within the room's ration (5, then 2.5 a second), so the room never has to say rate-limited", () => {
    const { clock, feature, frames } = setup();
    // A person clicking ten times a second for four seconds.
    let took = 0;
    for (let t = 0; t < 4_000; t += 100) {
      if (feature.react("clap")) took++;
      clock.advance(100);
    }
    clock.advance(REACTION_BATCH_MS);
    const sentCodes = frames().flat().length;
    expect(took).toBe(sentCodes);
    // The room's own bucket, replayed at the frames' send times: never short.
    expect(sentCodes).toBeLessThanOrEqual(REACTION_RATE.burst + REACTION_RATE.perSecond * 4.5);
    expect(sentCodes).toBeGreaterThanOrEqual(REACTION_RATE.burst + REACTION_RATE.perSecond * 3);
  });

  it("checks the frames against the room's bucket, frame by frame", () => {
    const { clock, feature, frames } = setup();
    const sentAt: Array<{ at: number; n: number }> = [];
    let last = 0;
    for (let t = 0; t < 6_000; t += 50) {
      feature.react("heart");
      clock.advance(50);
      if (frames().length > last) {
        sentAt.push({ at: clock.now, n: frames().at(-1)!.length });
        last = frames().length;
      }
    }
    let tokens: number = REACTION_RATE.burst;
    let prev = sentAt[0]!.at;
    for (const { at, n } of sentAt) {
      tokens = Math.min(REACTION_RATE.burst, tokens + ((at - prev) / 1000) * REACTION_RATE.perSecond);
      prev = at;
      expect(tokens, `at ${at}`).toBeGreaterThanOrEqual(n);
      tokens -= n;
    }
  });

  it("backs off after the room says rate-limited, and refills", () => {
    const { clock, feature } = setup();
    feature.error("rate-limited");
    expect(feature.react("clap")).toBe(false);
    feature.error("chat-throttled");
    clock.advance(400);
    expect(feature.react("clap")).toBe(true);
  });

  it("sends nothing before the welcome (no id to react as) or after dispose; drops a batch while the socket is down", () => {
    expect(setup(null).feature.react("clap")).toBe(false);
    const { clock, feature, frames, codes, setConnected } = setup();
    feature.react("sad");
    setConnected(false);
    clock.advance(REACTION_BATCH_MS);
    expect(frames()).toEqual([]);
    expect(codes()).toEqual(["me:sad"]);
    setConnected(true);
    // The dropped batch cost no ration: five more go out.
    clock.advance(REACTION_SHOW_MS);
    for (let i = 0; i < 5; i++) expect(feature.react("sad")).toBe(true);
    feature.dispose();
    expect(clock.pending).toBe(0);
    expect(feature.react("clap")).toBe(false);
  });
});

describe("the reactions feature: showing and expiring", () => {
  it("shows each code of another member's batch as its own item, and removes each after REACTION_SHOW_MS with one timer", () => {
    const { clock, feature, codes, shown } = setup();
    feature.receive(reaction("p1", ["clap", "clap"], 50));
    expect(codes()).toEqual(["p1:clap", "p1:clap"]);
    expect(clock.pending).toBe(1);
    clock.advance(1_000);
    feature.receive(reaction("p2", ["heart"], 51));
    feature.react("party");
    // The expiry timer, still for the oldest, and the batch's.
    expect(clock.pending).toBe(2);
    clock.advance(REACTION_SHOW_MS - 1_000);
    expect(codes()).toEqual(["p2:heart", "me:party"]);
    expect(shown().every((i) => i.at === 2_000)).toBe(true);
    clock.advance(1_000);
    expect(codes()).toEqual([]);
    expect(clock.pending).toBe(0);
  });

  it(`caps the list at ${MAX_SHOWN}, dropping the oldest`, () => {
    const { clock, feature, shown } = setup();
    for (let i = 0; i < 30; i++) {
      feature.receive(reaction(`p${i}`, ["clap", "laugh", "heart"], i));
      clock.advance(10);
    }
    expect(shown()).toHaveLength(MAX_SHOWN);
    expect(shown().at(-1)!.from).toBe("p29");
    expect(shown()[0]!.from).toBe(`p${30 - Math.ceil(MAX_SHOWN / 3)}`);
    expect(new Set(shown().map((i) => i.key)).size).toBe(MAX_SHOWN);
  });
});

describe("the reactions feature: the welcome", () => {
  // The room's clock at the welcome: our join time.
  const JOINED = 100_000;
  const joined = (reactions: ReactionBatch[], resumed = false) => welcome(peer("me", "Al", JOINED), [peer("p1", "Bo", 1), peer("p2", "Cy", 2)], { reactions, resumed });

  it("shows a late joiner the reactions of the last ten seconds, each for what is left of them", () => {
    const { clock, feature, codes, shown } = setup();
    feature.welcome(
      joined([
        { from: "p1", reactions: ["clap"], at: JOINED - REACTION_RECENT_MS - 1 },
        { from: "p1", reactions: ["party", "party"], at: JOINED - 9_000 },
        { from: "p2", reactions: ["heart"], at: JOINED - 1_000 },
      ]),
    );
    // The one past ten seconds (the room would not send it) stays off.
    expect(codes()).toEqual(["p1:party", "p1:party", "p2:heart"]);
    // 9 s old: one second left, shown as if three of its four had passed. 1 s old: shown in full.
    expect(shown().map((i) => i.at)).toEqual([clock.now - (REACTION_SHOW_MS - 1_000), clock.now - (REACTION_SHOW_MS - 1_000), clock.now]);
    clock.advance(1_000);
    expect(codes()).toEqual(["p2:heart"]);
    clock.advance(REACTION_SHOW_MS - 1_000);
    expect(codes()).toEqual([]);
  });

  it("after a reconnect, shows only what it did not hear before, and never our own", () => {
    const { clock, feature, codes } = setup();
    feature.welcome(joined([]));
    feature.receive(reaction("p1", ["clap"], JOINED + 500));
    clock.advance(REACTION_SHOW_MS);
    expect(codes()).toEqual([]);
    clock.advance(2_000);
    // Resumed: the join time is the old one; the offset from the first welcome places the room's clock.
    feature.welcome(
      joined(
        [
          { from: "p1", reactions: ["clap"], at: JOINED + 500 },
          { from: "me", reactions: ["sad"], at: JOINED + 700 },
          { from: "p2", reactions: ["thinking"], at: JOINED + 5_000 },
        ],
        true,
      ),
    );
    expect(codes()).toEqual(["p2:thinking"]);
  });

  it("takes the room's clock from the welcome, not this device's", () => {
    const { feature, shown } = setup();
    // This device's clock reads 1 000; the room's, 100 000: a batch 2 s old is 2 s old.
    feature.welcome(joined([{ from: "p1", reactions: ["surprised"], at: JOINED - 2_000 }]));
    expect(shown()).toHaveLength(1);
    expect(shown()[0]!.at).toBe(1_000);
  });
});
