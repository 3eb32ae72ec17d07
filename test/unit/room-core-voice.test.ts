// Voice messages in the room core (worker/room/features/voice.ts): upload capabilities, their
// ration and bound, the claims and playback checks the HTTP side asks for, media tokens, chat
// messages that carry a recording, and what becomes of recordings whose time or message is gone.
// The same over real HTTP and R2 in workerd: test/workerd/voice.test.ts.

import { describe, expect, it } from "vitest";
import { VOICE_UPLOAD_TTL_MS, type ServerMessage } from "../../protocol/protocol";
import { VOICE_ROOM_MAX_BYTES, VOICE_SEND_WINDOW_MS, VOICE_UNSENT_MAX } from "../../worker/room/features/voice";
import { ROOM_ID } from "./room-harness";
import { type FakeSocket, makeSocketRoom } from "./room-sockets";

type Upload = Extract<ServerMessage, { type: "voice-upload" }>;

const ask = (r: ReturnType<typeof makeSocketRoom>, s: FakeSocket, cid = "v1", bytes = 1000): Upload | undefined => {
  const before = s.all("voice-upload").length;
  r.send(s, { type: "voice-upload", cid, mime: "audio/webm", bytes, durationMs: 2500 });
  return s.all("voice-upload")[before];
};

const capOf = (u: Upload) => new URL(u.url, "https://x").searchParams.get("cap");

/** Asks, uploads (`stored` bytes) and leaves the recording waiting to be sent. */
function record(r: ReturnType<typeof makeSocketRoom>, s: FakeSocket, cid = "v1", stored = 900): string {
  const u = ask(r, s, cid);
  if (!u) throw new Error(`no upload: ${JSON.stringify(s.frames.at(-1))}`);
  expect(r.core.claimUpload(u.key, capOf(u))).toEqual({ ok: true, type: "audio/webm", bytes: 1000 });
  expect(r.core.uploaded(u.key, stored)).toBe(true);
  return u.key;
}

function room(vars: Record<string, string> = {}) {
  const r = makeSocketRoom(vars);
  const a = r.join("A");
  const b = r.join("B");
  return { r, a, b };
}

const tokenOf = (s: FakeSocket) => s.last("welcome")!.mediaToken;

describe("voice: upload capabilities", () => {
  it("answers with a fresh key and a one-time URL on this room, valid for the upload TTL", () => {
    const { r, a } = room();
    const first = ask(r, a, "c1")!;
    const second = ask(r, a, "c2")!;
    expect(first).toMatchObject({ type: "voice-upload", cid: "c1", expires: r.clock.now + VOICE_UPLOAD_TTL_MS });
    expect(first.key).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(first.url).toBe(`/api/rooms/${ROOM_ID}/voice/${first.key}?cap=${capOf(first)}`);
    expect(capOf(first)).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(capOf(first)).not.toBe(first.key);
    expect(second.key).not.toBe(first.key);
    expect(capOf(second)).not.toBe(capOf(first));
    // Only the asker hears of it.
    expect(r.sockets.filter((s) => s.all("voice-upload").length > 0)).toEqual([a]);
  });

  it("is for members only", () => {
    const r = makeSocketRoom();
    const s = r.open("stranger");
    r.send(s, { type: "voice-upload", cid: "c", mime: "audio/webm", bytes: 10, durationMs: 10 });
    expect(s.errors()).toEqual(["not-joined"]);
    expect(r.voices.rows.size).toBe(0);
  });

  it(`holds at most ${VOICE_UNSENT_MAX} unsent uploads per member, and forgets capabilities that expired unused`, () => {
    const { r, a, b } = room();
    for (let i = 0; i < VOICE_UNSENT_MAX; i++) expect(ask(r, a, `c${i}`)).toBeDefined();
    expect(ask(r, a, "more")).toBeUndefined();
    expect(a.errors()).toEqual(["voice-throttled"]);
    expect(a.strikes).toBe(0);
    // Another member's bound is its own.
    expect(ask(r, b, "b1")).toBeDefined();
    r.clock.now += VOICE_UPLOAD_TTL_MS;
    expect(ask(r, a, "later")).toBeDefined();
    // The expired ones are gone (nothing was stored under them, so nothing to delete).
    expect([...r.voices.rows.values()].filter((u) => u.member === r.idOf(a))).toHaveLength(1);
    expect(r.deletedVoice).toEqual([]);
  });

  it("rations asking: 5 in a burst, then one per 6 s (voice-throttled, no strike)", () => {
    const { r, a } = room();
    for (let i = 0; i < 5; i++) r.send(a, { type: "chat", text: "", cid: `m${i}`, voice: { key: record(r, a, `c${i}`) } });
    expect(a.errors()).toEqual([]);
    expect(ask(r, a, "sixth")).toBeUndefined();
    expect(a.errors()).toEqual(["voice-throttled"]);
    expect(a.strikes).toBe(0);
    r.clock.now += 6_000;
    expect(ask(r, a, "sixth")).toBeDefined();
  });

  it(`keeps a room's recordings under ${VOICE_ROOM_MAX_BYTES / 1024 / 1024} MiB, counting uploads promised but not yet stored`, () => {
    const { r, a, b } = room();
    const big = 5 * 1024 * 1024;
    const fit = Math.floor(VOICE_ROOM_MAX_BYTES / big);
    // Members in turn, so that no one member's ration or unsent bound is what stops them.
    let asked = 0;
    for (let i = 0; asked < fit; i++) {
      const who = i % 2 === 0 ? a : b;
      const u = ask(r, who, `big${i}`, big);
      if (!u) throw new Error(`refused after ${asked}: ${JSON.stringify(who.frames.at(-1))}`);
      expect(r.core.claimUpload(u.key, capOf(u)).ok).toBe(true);
      expect(r.core.uploaded(u.key, big)).toBe(true);
      r.send(who, { type: "chat", text: "", cid: `m${i}`, voice: { key: u.key } });
      asked++;
      r.clock.now += 6_000;
    }
    expect(ask(r, a, "one-too-many", big)).toBeUndefined();
    expect(a.last("error")).toMatchObject({ code: "voice-throttled", message: expect.stringMatching(/256 MiB/) });
  });
});

describe("voice: what a PUT may do", () => {
  it("lets the capability's first presentation upload what was declared, and refuses every other", () => {
    const { r, a } = room();
    const u = ask(r, a)!;
    expect(r.core.claimUpload(u.key, null)).toMatchObject({ ok: false, status: 403 });
    expect(r.core.claimUpload(u.key, "x".repeat(22))).toMatchObject({ ok: false, status: 403, error: expect.stringMatching(/no valid upload capability/) });
    expect(r.core.claimUpload("n".repeat(22), capOf(u))).toMatchObject({ ok: false, status: 403 });
    expect(r.core.claimUpload(u.key, capOf(u))).toEqual({ ok: true, type: "audio/webm", bytes: 1000 });
    // Spent, whatever comes of the first: a second PUT racing it, or after it, is refused.
    expect(r.core.claimUpload(u.key, capOf(u))).toMatchObject({ ok: false, status: 403, error: expect.stringMatching(/used/) });
    expect(r.core.uploaded(u.key, 800)).toBe(true);
    expect(r.core.claimUpload(u.key, capOf(u))).toMatchObject({ ok: false, status: 403 });
  });

  it("refuses an expired capability, and one whose member left", () => {
    const { r, a, b } = room();
    const late = ask(r, a, "late")!;
    const gone = ask(r, b, "gone")!;
    r.clock.now += VOICE_UPLOAD_TTL_MS;
    expect(r.core.claimUpload(late.key, capOf(late))).toMatchObject({ ok: false, status: 403, error: expect.stringMatching(/expired/) });
    const fresh = ask(r, b, "fresh")!;
    r.send(b, { type: "leave" });
    expect(r.core.claimUpload(fresh.key, capOf(fresh))).toMatchObject({ ok: false, status: 403, error: expect.stringMatching(/left/) });
    expect(gone).toBeDefined();
  });

  it("forgets an upload that was refused or failed: it can be neither stored nor sent", () => {
    const { r, a } = room();
    const u = ask(r, a)!;
    r.core.claimUpload(u.key, capOf(u));
    r.core.uploadFailed(u.key);
    expect(r.core.uploaded(u.key, 10)).toBe(false);
    r.send(a, { type: "chat", text: "", cid: "m", voice: { key: u.key } });
    expect(a.errors()).toEqual(["bad-voice"]);
  });
});

describe("voice: media tokens and playback", () => {
  it("gives each member its own media token, kept across a resume", () => {
    const { r, a, b } = room();
    expect(tokenOf(a)).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(tokenOf(b)).not.toBe(tokenOf(a));
    const before = tokenOf(a);
    const id = r.idOf(a);
    const token = a.last("welcome")!.resumeToken;
    r.drop(a);
    const back = r.join("A", { resume: { id, token } });
    expect(back.last("welcome")).toMatchObject({ resumed: true, mediaToken: before });
  });

  it("plays a stored recording to any member of the room, away ones within their grace period, and nobody else", () => {
    const { r, a, b } = room({ RESUME_GRACE_SECONDS: "20" });
    const key = record(r, a);
    expect(r.core.playable(key, tokenOf(b))).toEqual({ ok: true, type: "audio/webm", bytes: 900 });
    expect(r.core.playable(key, tokenOf(a))).toMatchObject({ ok: true });
    expect(r.core.playable(key, null)).toMatchObject({ ok: false, status: 403 });
    expect(r.core.playable(key, "x".repeat(22))).toMatchObject({ ok: false, status: 403 });
    const bToken = tokenOf(b);
    r.drop(b);
    r.clock.now += 19_000;
    expect(r.core.playable(key, bToken)).toMatchObject({ ok: true });
    r.clock.now += 1_000;
    // The grace period is over, even before the alarm has removed the member.
    expect(r.core.playable(key, bToken)).toMatchObject({ ok: false, status: 403 });
    r.alarm();
    expect(r.core.playable(key, bToken)).toMatchObject({ ok: false, status: 403 });
  });

  it("stops a member's token when it leaves or is removed; coming back gives a new one", () => {
    const { r, a, b } = room();
    const key = record(r, a);
    const old = tokenOf(b);
    r.send(b, { type: "leave" });
    expect(r.core.playable(key, old)).toMatchObject({ ok: false, status: 403 });
    const again = r.join("B");
    expect(tokenOf(again)).not.toBe(old);
    expect(r.core.playable(key, tokenOf(again))).toMatchObject({ ok: true });
  });

  it("answers 404 for a recording not stored (yet), or not this room's", () => {
    const { r, a } = room();
    const u = ask(r, a)!;
    expect(r.core.playable(u.key, tokenOf(a))).toMatchObject({ ok: false, status: 404 });
    r.core.claimUpload(u.key, capOf(u));
    expect(r.core.playable(u.key, tokenOf(a))).toMatchObject({ ok: false, status: 404 });
    expect(r.core.playable("o".repeat(22), tokenOf(a))).toMatchObject({ ok: false, status: 404 });
  });
});

describe("voice: chat messages that carry a recording", () => {
  it("sends the reference (key, type, stored size, duration) to everyone, in history and late joiners' welcome too", () => {
    const { r, a, b } = room();
    const key = record(r, a, "v1", 900);
    r.send(a, { type: "chat", text: "", cid: "m1", voice: { key } });
    const ref = { key, type: "audio/webm", bytes: 900, durationMs: 2500 };
    expect(b.last("chat")!.message).toMatchObject({ seq: 1, from: r.idOf(a), text: "", cid: "m1", voice: ref });
    expect(a.last("chat")!.message.voice).toEqual(ref);
    expect(r.join("C").last("welcome")!.chat).toEqual([expect.objectContaining({ voice: ref })]);
    r.send(b, { type: "history", after: 0 });
    expect(b.last("history")!.messages[0]!.voice).toEqual(ref);
  });

  it("refuses a key that is not the sender's, not stored yet, or sent already (bad-voice, with a strike)", () => {
    const { r, a, b } = room();
    const key = record(r, a);
    r.send(b, { type: "chat", text: "mine now", cid: "m1", voice: { key } });
    expect(b.errors()).toEqual(["bad-voice"]);
    expect(b.strikes).toBe(1);
    const pending = ask(r, a, "v2")!;
    r.send(a, { type: "chat", text: "", cid: "m2", voice: { key: pending.key } });
    r.send(a, { type: "chat", text: "", cid: "m3", voice: { key: "z".repeat(22) } });
    expect(a.errors()).toEqual(["bad-voice", "bad-voice"]);
    r.send(a, { type: "chat", text: "", cid: "m4", voice: { key } });
    r.send(a, { type: "chat", text: "", cid: "m5", voice: { key } });
    expect(a.errors()).toEqual(["bad-voice", "bad-voice", "bad-voice"]);
    expect(r.log.rows.map((m) => m.cid)).toEqual(["m4"]);
  });

  it("is idempotent by cid: a resend is answered to the author alone with the stored message", () => {
    const { r, a, b } = room();
    const key = record(r, a);
    r.send(a, { type: "chat", text: "", cid: "m1", voice: { key } });
    const stored = a.last("chat")!;
    r.send(a, { type: "chat", text: "", cid: "m1", voice: { key } });
    expect(a.all("chat")).toEqual([stored, stored]);
    expect(b.all("chat")).toHaveLength(1);
    expect(a.errors()).toEqual([]);
  });

  it("survives a rebuild from storage: a recording stored before is still sent and played", () => {
    const { r, a, b } = room();
    const key = record(r, a);
    const core = r.build();
    core.restore(new Set([r.idOf(a), r.idOf(b)]));
    expect(core.playable(key, tokenOf(b))).toMatchObject({ ok: true });
    r.run(a, core.handle(r.idOf(a), { type: "chat", text: "", cid: "m1", voice: { key } }, a.via));
    expect(b.last("chat")!.message.voice?.key).toBe(key);
  });
});

describe("voice: recordings that go", () => {
  it("deletes the recordings of messages the chat cap drops", () => {
    const { r, a, b } = room({ CHAT_MAX_MESSAGES: "2" });
    const key = record(r, a);
    r.send(a, { type: "chat", text: "", cid: "m1", voice: { key } });
    r.send(b, { type: "chat", text: "two", cid: "m2" });
    expect(r.deletedVoice).toEqual([]);
    r.send(b, { type: "chat", text: "three", cid: "m3" });
    expect(r.deletedVoice).toEqual([key]);
    expect(r.voices.rows.has(key)).toBe(false);
    expect(r.core.playable(key, tokenOf(b))).toMatchObject({ ok: false, status: 404 });
  });

  it("deletes a recording never sent, or an upload never finished, once the send window is over", () => {
    const { r, a } = room();
    const stored = record(r, a, "v1");
    const unfinished = ask(r, a, "v2")!;
    r.core.claimUpload(unfinished.key, capOf(unfinished));
    r.clock.now += VOICE_UPLOAD_TTL_MS + VOICE_SEND_WINDOW_MS - 1;
    ask(r, a, "v3");
    expect(r.deletedVoice).toEqual([]);
    r.clock.now += 1;
    // Too late to send, even before the room has swept it.
    r.send(a, { type: "chat", text: "", cid: "late", voice: { key: stored } });
    expect(a.errors()).toEqual(["bad-voice"]);
    ask(r, a, "v4");
    expect(r.deletedVoice.sort()).toEqual([stored, unfinished.key].sort());
    // A PUT still running then finds its upload gone: what it stored is nobody's.
    expect(r.core.uploaded(unfinished.key, 10)).toBe(false);
  });
});
