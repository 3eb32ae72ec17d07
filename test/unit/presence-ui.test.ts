// The presence UI's pure parts: what the live region says (ui/presence/announcements.ts) and how a
// connection's figures read (ui/presence/quality-text.ts).

import { describe, expect, it } from "vitest";
import type { ChatItem } from "../../web/src/engine/features/chat-state";
import type { LinkQuality, OwnQuality } from "../../web/src/engine/features/presence-view";
import { en } from "../../web/src/i18n/catalog";
import { fill } from "../../web/src/i18n/format";
import type { MessageKey, Params } from "../../web/src/i18n/i18n";
import { ru } from "../../web/src/i18n/ru";
import { chatAnnouncements, type Clock, handAnnouncements, markSeen, SpeakerThrottle, truncate } from "../../web/src/ui/presence/announcements";
import { hintText, linkRows, ownRows } from "../../web/src/ui/presence/quality-text";

const labels = new Map([
  ["me", "Aizhan"],
  ["b", "Bakyt"],
  ["c", "Cholpon (2)"],
]);
const message = (seq: number, from: string, text: string, voice = false, ts = 100): ChatItem => ({
  kind: "chat",
  pending: false,
  message: { seq, from, name: "raw name", text, ts, cid: `c${seq}`, ...(voice ? { voice: { key: "k", type: "audio/webm", bytes: 4000, durationMs: 1000 } } : {}) },
});
const system = (key: string, event: "joined" | "left", name: string): ChatItem => ({ kind: "system", event, name, ts: 100, key });
/** When "we" joined, on the room's clock: the fixtures' items come after it. */
const JOINED = 50;

describe("the live region's sentences", () => {
  it("says what is new in the chat, others' messages only, by their label", () => {
    const seen = new Set<string>();
    markSeen([message(1, "b", "old")], seen);
    const items = [message(1, "b", "old"), message(2, "me", "mine"), message(3, "c", "new one"), message(4, "b", "", true)];
    expect(chatAnnouncements(items, seen, "me", labels, true, JOINED)).toEqual([
      { key: "announce.message", params: { name: "Cholpon (2)", text: "new one" } },
      { key: "announce.voice", params: { name: "Bakyt" } },
    ]);
    expect(chatAnnouncements(items, seen, "me", labels, true, JOINED)).toEqual([]);
  });

  it("says joins and leaves only when asked (a small room), and at most the newest three messages of a burst", () => {
    const seen = new Set<string>();
    const items = [system("j1", "joined", "Nurlan"), ...[1, 2, 3, 4, 5].map((n) => message(n, "b", `m${n}`))];
    const said = chatAnnouncements(items, seen, "me", labels, false, JOINED);
    expect(said.map((a) => a.params.text)).toEqual(["m3", "m4", "m5"]);
    expect(chatAnnouncements([system("j2", "left", "Nurlan")], seen, "me", labels, true, JOINED)).toEqual([{ key: "announce.left", params: { name: "Nurlan" } }]);
  });

  it("says nothing of the history from before we joined, nor anything before the welcome", () => {
    const history = [message(1, "b", "before", false, 10), message(2, "c", "after", false, 60)];
    expect(chatAnnouncements(history, new Set(), "me", labels, true, null)).toEqual([]);
    expect(chatAnnouncements(history, new Set(), "me", labels, true, JOINED).map((a) => a.params.text)).toEqual(["after"]);
  });

  it("cuts a long message, with one ellipsis, and folds its whitespace", () => {
    expect(truncate("a  b\n\nc")).toBe("a b c");
    const long = truncate("word ".repeat(100));
    expect([...long].length).toBeLessThanOrEqual(140);
    expect(long.endsWith("word…") || long.endsWith("wor…") || long.endsWith("…")).toBe(true);
  });

  it("says others' raised hands, not our own", () => {
    expect(handAnnouncements(["b"], ["b", "me", "c"], "me", labels)).toEqual([{ key: "announce.hand", params: { name: "Cholpon (2)" } }]);
  });
});

/** A clock the test moves by hand. */
function fakeClock(): Clock & { advance(ms: number): void } {
  let now = 0;
  let timers: Array<{ at: number; fn: () => void; id: number }> = [];
  let ids = 0;
  return {
    now: () => now,
    set: (fn, ms) => {
      timers.push({ at: now + ms, fn, id: ++ids });
      return ids;
    },
    clear: (id) => {
      timers = timers.filter((t) => t.id !== id);
    },
    advance(ms) {
      now += ms;
      const due = timers.filter((t) => t.at <= now);
      timers = timers.filter((t) => t.at > now);
      for (const t of due) t.fn();
    },
  };
}

describe("the active speaker, said at most once per gap", () => {
  it("says the first at once, then only the latest of a gap's changes at its end, and never the same one twice in a row", () => {
    const clock = fakeClock();
    const said: string[] = [];
    const throttle = new SpeakerThrottle((id) => said.push(id), 3000, clock);
    throttle.next("b");
    expect(said).toEqual(["b"]);
    clock.advance(500);
    throttle.next("c");
    clock.advance(500);
    throttle.next("d");
    expect(said).toEqual(["b"]);
    clock.advance(2000);
    expect(said).toEqual(["b", "d"]);
    clock.advance(1000);
    throttle.next("c");
    throttle.next("d");
    clock.advance(3000);
    expect(said).toEqual(["b", "d"]);
    throttle.next(null);
    clock.advance(5000);
    throttle.next("b");
    expect(said).toEqual(["b", "d", "b"]);
    throttle.dispose();
  });

  it("says nothing after dispose", () => {
    const clock = fakeClock();
    const said: string[] = [];
    const throttle = new SpeakerThrottle((id) => said.push(id), 3000, clock);
    throttle.next("b");
    throttle.next("c");
    throttle.dispose();
    clock.advance(5000);
    expect(said).toEqual(["b"]);
  });
});

const say = (lang: "en" | "ru") => {
  const table = (lang === "en" ? en : ru) as Record<string, string>;
  return { lang, t: (key: MessageKey, params?: Params) => fill(table[key]!, params) };
};

const link: LinkQuality = { grade: 2, rttMs: 412.4, lossInPct: 0.42, lossOutPct: 12.6, jitterMs: 31, kbpsIn: 1834.6, kbpsOut: null, limitation: "cpu", route: { relay: true, relayProtocol: "tcp" }, hint: "cpu" };

describe("a connection's figures in words", () => {
  it("formats every figure in the reader's language, loss with a decimal under 10 %", () => {
    expect(linkRows(link, say("en")).map((r) => `${r.label}: ${r.value}`)).toEqual([
      "Delay (round trip): 412 ms",
      "Lost on the way to you: 0.4%",
      "Lost on the way from you: 13%",
      "Jitter (delay variation): 31 ms",
      "Receiving: 1,835 kbit/s",
      "Sending: not known yet",
      "Your video: limited by the processor",
      "Route: through the relay (TCP)",
    ]);
    const ru = linkRows(link, say("ru")).map((r) => r.value);
    expect(ru[1]).toBe("0,4 %");
    expect(ru[4]).toBe("1\u00a0835 кбит/с"); // Intl groups Russian thousands with a no-break space
    expect(ru[7]).toBe("через ретранслятор (TCP)");
  });

  it("says the hint in words, and nothing without one", () => {
    expect(hintText(link, say("en"))).toBe("Your video is limited: this device's processor is busy");
    expect(hintText({ ...link, hint: null }, say("en"))).toBeNull();
  });

  it("sums this device's side: sent, received, the limit and whether any connection is relayed", () => {
    const own: OwnQuality = { grade: 4, kbpsOut: 950, kbpsIn: 2100, limitation: "bandwidth", relayed: false, hint: "bandwidth" };
    expect(ownRows(own, say("en")).map((r) => r.value)).toEqual(["950 kbit/s", "2,100 kbit/s", "limited by the network speed", "direct"]);
  });
});
