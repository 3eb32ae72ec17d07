import { describe, expect, it } from "vitest";
import type { ChatMessage, ClientMessage, ServerMessage } from "../../protocol/protocol";
import { ChatFeature, HISTORY_RETRY_MS, RESEND_AFTER_MS, type Schedule } from "../../web/src/engine/features/chat";
import type { ChatItem } from "../../web/src/engine/features/chat-state";

type Welcome = Extract<ServerMessage, { type: "welcome" }>;

/** A clock the test moves by hand: timers run when it passes them. */
class FakeTimers {
  now = 0;
  private timers: Array<{ at: number; run: () => void; live: boolean }> = [];
  readonly schedule: Schedule = (ms, run) => {
    const t = { at: this.now + ms, run, live: true };
    this.timers.push(t);
    return () => (t.live = false);
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
      due.run();
    }
    this.now = until;
  }
}

function setup() {
  const sent: ClientMessage[] = [];
  let items: readonly ChatItem[] = [];
  const timers = new FakeTimers();
  const feature = new ChatFeature(
    (msg) => {
      sent.push(msg);
      return true;
    },
    (patch) => {
      if (patch.chat) items = patch.chat;
    },
    timers.schedule,
  );
  const chats = () => sent.filter((m): m is Extract<ClientMessage, { type: "chat" }> => m.type === "chat");
  const histories = () => sent.filter((m): m is Extract<ClientMessage, { type: "history" }> => m.type === "history");
  /** The room stored it: the echo every member gets. */
  const echo = (m: Extract<ClientMessage, { type: "chat" }>, seq: number) => feature.receive([{ seq, from: "me", name: "Me", text: m.text, ts: seq, cid: m.cid }]);
  return { feature, sent, chats, histories, echo, timers, items: () => items };
}

const message = (seq: number): ChatMessage => ({ seq, from: "p2", name: "Bo", text: `m${seq}`, ts: seq, cid: `c${seq}` });
const welcome = (chat: ChatMessage[], lastSeq: number): Welcome => ({
  type: "welcome",
  v: 1,
  you: { id: "me", name: "Me", media: { mic: false, cam: false, screen: false }, joined: 1, away: false, role: "member", seat: "speaker", recording: null, sfu: null },
  peers: [],
  chat,
  lastSeq,
  settings: { capacity: 8, maxFrameBytes: 65536, nameMaxChars: 64, chatMaxChars: 4000, heartbeatMs: 5000, uploadBudgetKbps: 2500, stageViewers: 25, meshMax: 6, meshViewers: 25, sfuMeetingMax: 50 },
  ice: { iceServers: [], expiresAt: null, relay: "none" },
  resumeToken: "t".repeat(22),
  resumed: false,
  access: { lobby: false, locked: false, passcode: false, recording: true },
  knocks: [],
  stage: { mode: "meeting", hands: [], liveSince: null },
  mediaToken: "m".repeat(22),
  reactions: [],
  files: { open: [], ended: [] },
  audience: 0,
  transport: { kind: "mesh", sfu: false },
});
const throttled = { type: "error", code: "chat-throttled", message: "slow down" } as const;
const held = (items: readonly ChatItem[]) => items.filter((i) => i.kind === "pending" && i.held).map((i) => (i.kind === "pending" ? i.text : ""));

describe("the chat feature: chat-throttled", () => {
  it("keeps refused messages unconfirmed and shown as held, then resends them one at a time, each once", () => {
    const { feature, chats, echo, timers, items } = setup();
    feature.welcome(welcome([], 0));
    for (const t of ["one", "two", "three"]) feature.post(t);
    expect(chats().map((m) => m.text)).toEqual(["one", "two", "three"]);
    // The room stored "one" and refused the other two.
    echo(chats()[0]!, 1);
    feature.error(throttled.code);
    feature.error(throttled.code);
    expect(held(items())).toEqual(["two", "three"]);
    // Nothing goes out while held, not even a new message.
    feature.post("four");
    expect(held(items())).toEqual(["two", "three", "four"]);
    timers.advance(RESEND_AFTER_MS - 1);
    expect(chats()).toHaveLength(3);
    timers.advance(1);
    // After the pause: the oldest alone, with its own cid.
    expect(chats().slice(3).map((m) => m.text)).toEqual(["two"]);
    expect(chats()[3]!.cid).toBe(chats()[1]!.cid);
    echo(chats()[3]!, 2);
    // Stored: the next goes at once; refused again: another pause.
    expect(chats().slice(4).map((m) => m.text)).toEqual(["three"]);
    feature.error(throttled.code);
    timers.advance(RESEND_AFTER_MS);
    expect(chats().slice(5).map((m) => m.text)).toEqual(["three"]);
    echo(chats()[5]!, 3);
    echo(chats()[6]!, 4);
    expect(chats().map((m) => m.text)).toEqual(["one", "two", "three", "two", "three", "three", "four"]);
    // All confirmed, once each; the outbox is open again and the hint gone.
    const texts = items().map((i) => (i.kind === "chat" ? i.message.text : i.kind));
    expect(texts).toEqual(["one", "two", "three", "four"]);
    expect(held(items())).toEqual([]);
    feature.post("five");
    expect(chats().at(-1)!.text).toBe("five");
    expect(timers.pending).toBe(0);
  });

  it("after a rejoin sends the whole outbox again (the room dedups by cid), with no pause left over", () => {
    const { feature, chats, timers, items } = setup();
    feature.welcome(welcome([], 0));
    feature.post("one");
    feature.error(throttled.code);
    expect(held(items())).toEqual(["one"]);
    feature.welcome(welcome([], 0));
    expect(held(items())).toEqual([]);
    expect(chats().map((m) => m.text)).toEqual(["one", "one"]);
    expect(timers.pending).toBe(0);
  });

  it("cancels its timers on dispose", () => {
    const { feature, chats, timers } = setup();
    feature.welcome(welcome([], 0));
    feature.post("one");
    feature.error(throttled.code);
    feature.dispose();
    timers.advance(10_000);
    expect(chats()).toHaveLength(1);
  });
});

describe("the chat feature: history paging", () => {
  it("presents each reply's ack with the next request, and none on a new socket's first", () => {
    const { feature, histories } = setup();
    feature.welcome(welcome([message(300)], 300));
    expect(histories()).toEqual([]);
    // A rejoin that missed more than the welcome carries.
    feature.welcome(welcome([message(350)], 500));
    expect(histories()).toEqual([{ type: "history", after: 350 }]);
    feature.history({ type: "history", after: 350, messages: [message(351), message(352)], more: true, ack: "k1" });
    expect(histories().at(-1)).toEqual({ type: "history", after: 352, ack: "k1" });
    feature.history({ type: "history", after: 352, messages: [message(353)], more: true, ack: "k2" });
    expect(histories().at(-1)).toEqual({ type: "history", after: 353, ack: "k2" });
    // Another socket: the old token means nothing there.
    feature.welcome(welcome([], 600));
    expect(histories().at(-1)).toEqual({ type: "history", after: 353 });
  });

  it("asks again after history-unacked or history-throttled with the same request and token, and holds the outbox until caught up", () => {
    const { feature, histories, chats, timers } = setup();
    feature.welcome(welcome([], 0));
    feature.post("unconfirmed");
    feature.welcome(welcome([message(1)], 50));
    expect(chats()).toHaveLength(1); // not resent while catching up
    feature.history({ type: "history", after: 1, messages: [message(2)], more: true, ack: "k1" });
    feature.error("history-unacked");
    expect(histories()).toHaveLength(2);
    timers.advance(HISTORY_RETRY_MS[0]!);
    expect(histories()).toHaveLength(3);
    expect(histories()[2]).toEqual({ type: "history", after: 2, ack: "k1" });
    feature.history({ type: "history", after: 2, messages: [message(3)], more: false, ack: "k2" });
    // Caught up: the outbox goes out.
    expect(chats().map((m) => m.text)).toEqual(["unconfirmed", "unconfirmed"]);
    expect(timers.pending).toBe(0);
  });

  it("gives up after a bounded number of retries, and then sends the outbox anyway", () => {
    const { feature, histories, chats, timers } = setup();
    feature.welcome(welcome([], 0));
    feature.post("unconfirmed");
    feature.welcome(welcome([], 50));
    for (let i = 0; i < HISTORY_RETRY_MS.length; i++) {
      feature.error("history-unacked");
      timers.advance(HISTORY_RETRY_MS[i]!);
    }
    expect(histories()).toHaveLength(1 + HISTORY_RETRY_MS.length);
    expect(chats()).toHaveLength(1);
    feature.error("history-throttled");
    expect(chats()).toHaveLength(2);
    timers.advance(60_000);
    expect(histories()).toHaveLength(1 + HISTORY_RETRY_MS.length);
    // A stray refusal with nothing outstanding changes nothing.
    feature.error("history-throttled");
    expect(timers.pending).toBe(0);
  });
});

describe("the chat feature: voice messages", () => {
  const voice = { url: "blob:1", type: "audio/webm" as const, bytes: 3, durationMs: 2_000 };
  const KEY = "K".repeat(22);

  it("shows a voice message while it uploads, outside the outbox, then holds and probes it like text, with its key", () => {
    const { feature, chats, echo, timers, items } = setup();
    feature.welcome(welcome([], 0));
    feature.post("one");
    feature.error(throttled.code);
    const cid = feature.draftVoice(voice);
    // Uploading is not waiting in the outbox: it is not shown as held.
    expect(held(items())).toEqual(["one"]);
    feature.voiceUploaded(cid, KEY);
    expect(held(items())).toEqual(["one", ""]);
    expect(chats()).toHaveLength(1);
    timers.advance(RESEND_AFTER_MS);
    echo(chats()[1]!, 1);
    expect(chats()[2]).toEqual({ type: "chat", text: "", cid, voice: { key: KEY } });
    // Rejoined before the room stored it: it goes again, with its key.
    feature.welcome(welcome([], 1));
    expect(chats()[3]).toEqual({ type: "chat", text: "", cid, voice: { key: KEY } });
  });

  it("reports the sender's own messages the room stored, and keeps a voice message's local copy on the confirmed item", () => {
    const confirmed: string[][] = [];
    let items: readonly ChatItem[] = [];
    const feature = new ChatFeature(() => true, (p) => void (p.chat && (items = p.chat)), undefined, (cids) => void confirmed.push([...cids]));
    feature.welcome(welcome([], 0));
    const cid = feature.draftVoice(voice);
    feature.voiceUploaded(cid, KEY);
    feature.receive([{ ...message(1), from: "me", cid, text: "", voice: { key: KEY, type: "audio/webm", bytes: 3, durationMs: 2_000 } }, message(2)]);
    expect(confirmed).toEqual([[cid]]);
    expect(items.map((i) => (i.kind === "chat" ? (i.localUrl ?? "-") : i.kind))).toEqual(["blob:1", "-"]);
  });
});
