import { describe, expect, it } from "vitest";
import {
  ERROR_CODES, LIMITS, MAX_REACTIONS_PER_FRAME, REACTION_RECENT_MAX, REACTIONS, SETTINGS_RANGES, VOICE_MAX_BYTES, VOICE_MAX_MS, charCount, cleanName, exceedsBytes, isReactionCode,
  parseClientMessage, parseIceServer, parseServerMessage,
} from "../../protocol/protocol";

const media = { mic: true, cam: false, screen: false };
const parse = (v: unknown, max?: number) => parseClientMessage(JSON.stringify(v), max);
/** A voice key: 22 base64url characters. */
const KEY = "Vk_-".repeat(5) + "ab";

describe("parseClientMessage", () => {
  it("accepts every well-formed client message", () => {
    const good = [
      { type: "join", v: 1, name: "Айгүл", media },
      { type: "join", v: 1, name: "A", media, since: 12 },
      { type: "join", v: 1, name: "A", media, resume: { id: "abc_-1", token: "tok" } },
      { type: "signal", to: "abc", data: { kind: "description", description: { type: "offer", sdp: "v=0" } } },
      { type: "signal", to: "abc", data: { kind: "candidate", candidate: { candidate: "candidate:1 1 udp 1 127.0.0.1 9 typ host", sdpMid: "0", sdpMLineIndex: 0 } } },
      { type: "signal", to: "abc", data: { kind: "candidate", candidate: null } },
      { type: "media", media },
      { type: "chat", text: "hi", cid: "c-1" },
      { type: "history", after: 0 },
      { type: "leave" },
      { type: "signal", to: "abc", data: { kind: "tier", video: false } },
      { type: "signal", to: "abc", data: { kind: "file", transfer: "A".repeat(22), channel: 1023 } },
      { type: "set-mode", mode: "stage" },
      { type: "set-mode", mode: "meeting" },
      { type: "set-seat", id: "abc", seat: "speaker" },
      { type: "set-seat", id: "abc", seat: "viewer" },
      { type: "leave-stage" },
      { type: "hand", up: true },
      { type: "hand", up: false },
      { type: "voice-upload", cid: "v-1", mime: "audio/webm", bytes: 1, durationMs: 0 },
      { type: "voice-upload", cid: "v-1", mime: "audio/ogg", bytes: VOICE_MAX_BYTES, durationMs: VOICE_MAX_MS },
      { type: "chat", text: "", cid: "v-1", voice: { key: KEY } },
      { type: "chat", text: "with words", cid: "v-1", voice: { key: KEY } },
      { type: "lower-hands" },
      { type: "react", reactions: ["clap"] },
      { type: "react", reactions: ["clap", "clap", "heart", "party", "sad"] },
      { type: "recording", kind: "composite" },
      { type: "recording", kind: "self" },
      { type: "recording", kind: null },
      { type: "access", recording: false },
      { type: "access", recording: true, lobby: true },
    ];
    for (const msg of good) {
      const r = parse(msg);
      expect(r.ok, JSON.stringify(msg)).toBe(true);
    }
  });

  it("normalises what it accepts: trimmed names, defaulted candidate fields, no stray fields", () => {
    const j = parse({ type: "join", v: 1, name: "  Bakyt\u0007 ", media, extra: "x" });
    expect(j).toEqual({ ok: true, value: { type: "join", v: 1, name: "Bakyt", media } });
    const s = parse({ type: "signal", to: "p", from: "spoofed", data: { kind: "candidate", candidate: { candidate: "c" } } });
    expect(s).toEqual({
      ok: true,
      value: { type: "signal", to: "p", data: { kind: "candidate", candidate: { candidate: "c", sdpMid: null, sdpMLineIndex: null, usernameFragment: null } } },
    });
  });

  it.each([
    ["not a string", 42, "bad-message"],
    ["not JSON", "{", "bad-json"],
    ["null", "null", "bad-message"],
    ["a number", "5", "bad-message"],
    ["an unknown type", '{"type":"nope"}', "unknown-type"],
    ["a wrong version", JSON.stringify({ type: "join", v: 2, name: "a", media }), "bad-version"],
    ["an empty name", JSON.stringify({ type: "join", v: 1, name: " \n ", media }), "bad-message"],
    ["a 65-character name", JSON.stringify({ type: "join", v: 1, name: "n".repeat(65), media }), "name-too-long"],
    ["missing media", JSON.stringify({ type: "join", v: 1, name: "a" }), "bad-message"],
    ["a fractional since", JSON.stringify({ type: "join", v: 1, name: "a", media, since: 1.5 }), "bad-message"],
    ["an empty signal target", JSON.stringify({ type: "signal", to: "", data: { kind: "candidate", candidate: null } }), "bad-message"],
    ["an over-long signal target", JSON.stringify({ type: "signal", to: "x".repeat(33), data: { kind: "candidate", candidate: null } }), "bad-message"],
    ["a candidate with a bad index", JSON.stringify({ type: "signal", to: "x", data: { kind: "candidate", candidate: { candidate: "c", sdpMLineIndex: -1 } } }), "bad-message"],
    ["a description without sdp", JSON.stringify({ type: "signal", to: "x", data: { kind: "description", description: { type: "offer" } } }), "bad-message"],
    ["blank chat", JSON.stringify({ type: "chat", text: "   ", cid: "c" }), "bad-message"],
    ["a 4001-character chat", JSON.stringify({ type: "chat", text: "ы".repeat(4001), cid: "c" }), "text-too-long"],
    ["an over-long cid", JSON.stringify({ type: "chat", text: "a", cid: "c".repeat(65) }), "bad-message"],
    ["history without after", '{"type":"history"}', "bad-message"],
    ["a resume with a malformed id", JSON.stringify({ type: "join", v: 1, name: "a", media, resume: { id: "a:b", token: "t" } }), "bad-message"],
    ["a resume without token", JSON.stringify({ type: "join", v: 1, name: "a", media, resume: { id: "ab" } }), "bad-message"],
    ["a tier without video", JSON.stringify({ type: "signal", to: "x", data: { kind: "tier" } }), "bad-message"],
    ["a tier with a string video", JSON.stringify({ type: "signal", to: "x", data: { kind: "tier", video: "no" } }), "bad-message"],
    ["a file signal with a short transfer id", JSON.stringify({ type: "signal", to: "x", data: { kind: "file", transfer: "A".repeat(21), channel: 0 } }), "bad-message"],
    ["a file signal past the last stream", JSON.stringify({ type: "signal", to: "x", data: { kind: "file", transfer: "A".repeat(22), channel: 1024 } }), "bad-message"],
    ["a file signal with a fractional stream", JSON.stringify({ type: "signal", to: "x", data: { kind: "file", transfer: "A".repeat(22), channel: 2.5 } }), "bad-message"],
    ["an unknown mode", JSON.stringify({ type: "set-mode", mode: "webinar" }), "bad-message"],
    ["a set-mode without mode", '{"type":"set-mode"}', "bad-message"],
    ["an unknown seat", JSON.stringify({ type: "set-seat", id: "abc", seat: "host" }), "bad-message"],
    ["a set-seat with a malformed id", JSON.stringify({ type: "set-seat", id: "a b", seat: "viewer" }), "bad-message"],
    ["a hand that is not a boolean", JSON.stringify({ type: "hand", up: 1 }), "bad-message"],
    ["a voice upload of another type", JSON.stringify({ type: "voice-upload", cid: "v", mime: "video/webm", bytes: 10, durationMs: 10 }), "bad-message"],
    ["a voice upload with a codec parameter", JSON.stringify({ type: "voice-upload", cid: "v", mime: "audio/webm;codecs=opus", bytes: 10, durationMs: 10 }), "bad-message"],
    ["a voice upload without cid", JSON.stringify({ type: "voice-upload", mime: "audio/webm", bytes: 10, durationMs: 10 }), "bad-message"],
    ["an empty voice upload", JSON.stringify({ type: "voice-upload", cid: "v", mime: "audio/webm", bytes: 0, durationMs: 10 }), "bad-voice"],
    ["a voice upload past 5 MiB", JSON.stringify({ type: "voice-upload", cid: "v", mime: "audio/webm", bytes: VOICE_MAX_BYTES + 1, durationMs: 10 }), "bad-voice"],
    ["a voice upload past 5 minutes", JSON.stringify({ type: "voice-upload", cid: "v", mime: "audio/mp4", bytes: 10, durationMs: VOICE_MAX_MS + 5_001 }), "bad-voice"],
    ["a fractional voice size", JSON.stringify({ type: "voice-upload", cid: "v", mime: "audio/mp4", bytes: 1.5, durationMs: 10 }), "bad-voice"],
    ["a chat with a malformed voice key", JSON.stringify({ type: "chat", text: "", cid: "c", voice: { key: "short" } }), "bad-message"],
    ["a chat with a voice that is not an object", JSON.stringify({ type: "chat", text: "", cid: "c", voice: KEY }), "bad-message"],
    ["a react without reactions", '{"type":"react"}', "bad-message"],
    ["an empty react", JSON.stringify({ type: "react", reactions: [] }), "bad-message"],
    ["a react of six", JSON.stringify({ type: "react", reactions: Array(6).fill("clap") }), "bad-message"],
    ["a react with an unknown code", JSON.stringify({ type: "react", reactions: ["clap", "wave"] }), "bad-message"],
    ["a react with an emoji for a code", JSON.stringify({ type: "react", reactions: ["👏"] }), "bad-message"],
    ["a react of free text", JSON.stringify({ type: "react", reactions: "clap clap" }), "bad-message"],
    ["a react with a code in another case", JSON.stringify({ type: "react", reactions: ["Clap"] }), "bad-message"],
    ["a react with a code and a variation selector", JSON.stringify({ type: "react", reactions: ["heart\ufe0f"] }), "bad-message"],
    ["a react with a number", JSON.stringify({ type: "react", reactions: [1] }), "bad-message"],
    ["a react as one object", JSON.stringify({ type: "react", reactions: { 0: "clap", length: 1 } }), "bad-message"],
    ["a recording without kind", '{"type":"recording"}', "bad-message"],
    ["a recording of an unknown kind", JSON.stringify({ type: "recording", kind: "screen" }), "bad-message"],
    ["a recording with a kind in another case", JSON.stringify({ type: "recording", kind: "Self" }), "bad-message"],
    ["a recording with a boolean kind", JSON.stringify({ type: "recording", kind: false }), "bad-message"],
    ["a recording with a kind as an object", JSON.stringify({ type: "recording", kind: { kind: "self", since: 1 } }), "bad-message"],
    ["an access with a string recording", JSON.stringify({ type: "access", recording: "off" }), "bad-message"],
    ["an access with a null recording", JSON.stringify({ type: "access", recording: null }), "bad-message"],
  ])("refuses %s", (_what, frame, code) => {
    const r = parseClientMessage(frame);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe(code);
      expect(r.error.message.length).toBeGreaterThan(0);
    }
  });

  it("counts limits in characters as people see them, and frame size in UTF-8 bytes", () => {
    expect(parse({ type: "chat", text: "😀".repeat(LIMITS.chatMaxChars), cid: "c" }).ok).toBe(true);
    expect(charCount("😀a")).toBe(2);
    const frame = JSON.stringify({ type: "chat", text: "ж".repeat(600), cid: "c" }); // ~1.2 KB in UTF-8
    expect(parseClientMessage(frame, 1100)).toMatchObject({ ok: false, error: { code: "too-large" } });
    expect(parseClientMessage(frame, 1300).ok).toBe(true);
  });

  it("measures bytes exactly only when the cheap bound does not decide", () => {
    expect(exceedsBytes("abc", 9)).toBe(false);
    expect(exceedsBytes("a".repeat(10), 9)).toBe(true);
    expect(exceedsBytes("ж".repeat(5), 9)).toBe(true); // 10 bytes in 5 UTF-16 units
    expect(exceedsBytes("ж".repeat(4), 9)).toBe(false);
  });

  it("strips control characters from names", () => {
    expect(cleanName("\u0000A\u001fB\u2028")).toBe("AB");
  });
});

describe("parseServerMessage", () => {
  it("reads what the room sends and rejects malformed frames", () => {
    const welcome = {
      type: "welcome", v: 1, you: { id: "a", name: "A", media, joined: 5, away: false, role: "member", seat: "speaker", recording: null, sfu: null }, peers: [], chat: [{ seq: 1, from: "a", name: "A", text: "t", ts: 1, cid: "c" }],
      lastSeq: 1, settings: { capacity: 8, maxFrameBytes: 65536, nameMaxChars: 64, chatMaxChars: 4000, heartbeatMs: 10000, uploadBudgetKbps: 2500, stageViewers: 25, meshMax: 6, meshViewers: 25, sfuMeetingMax: 50 },
      ice: { iceServers: [{ urls: ["stun:127.0.0.1:3478"] }, { urls: ["turn:127.0.0.1:3478"], username: "1:a/b", credential: "x" }], expiresAt: 5, relay: "available" },
      resumeToken: "t", resumed: false, access: { lobby: false, locked: false, passcode: false, recording: true }, knocks: [],
      stage: { mode: "stage", hands: ["b", "c"], liveSince: 1000 }, mediaToken: "M".repeat(22), reactions: [{ from: "b", reactions: ["clap", "clap"], at: 900 }], transport: { kind: "sfu", sfu: true },
      files: { open: [{ side: "from-you", transfer: "T".repeat(22), to: "b", step: "offered", url: null }], ended: [{ transfer: "E".repeat(22), reason: "declined" }] },
      audience: 947,
    };
    expect(parseServerMessage(JSON.stringify(welcome))).toEqual(welcome);
    expect(parseServerMessage(JSON.stringify({ ...welcome, peers: [{ id: 1 }] }))).toBeNull();
    expect(parseServerMessage(JSON.stringify({ ...welcome, ice: { ...welcome.ice, relay: "maybe" } }))).toBeNull();
    expect(parseServerMessage(JSON.stringify({ ...welcome, ice: { ...welcome.ice, iceServers: [{ urls: "turn:x" }] } }))).toBeNull();
    expect(parseServerMessage(JSON.stringify({ type: "ice", ice: welcome.ice }))).toEqual({ type: "ice", ice: welcome.ice });
    expect(parseServerMessage(JSON.stringify({ type: "peer-presence", id: "a", away: true }))).toEqual({ type: "peer-presence", id: "a", away: true });
    expect(parseServerMessage(JSON.stringify({ ...welcome, resumed: "yes" }))).toBeNull();
    expect(parseServerMessage(JSON.stringify({ type: "error", code: "room-full", message: "full" }))).toEqual({ type: "error", code: "room-full", message: "full" });
    expect(parseServerMessage(JSON.stringify({ type: "error", code: "room-full", message: "full", limit: 6 }))).toEqual({ type: "error", code: "room-full", message: "full", limit: 6 });
    // A limit that is not a count goes; the error stays (its code alone says what happened).
    for (const limit of [-1, 2.5, "6", null, 2_000_000]) {
      expect(parseServerMessage(JSON.stringify({ type: "error", code: "room-full", message: "full", limit }))).toEqual({ type: "error", code: "room-full", message: "full" });
    }
    expect(parseServerMessage(JSON.stringify({ type: "error", code: "made-up", message: "?" }))).toBeNull();
    expect(parseServerMessage(JSON.stringify({ ...welcome, stage: { mode: "stage", hands: ["a b"], liveSince: 1 } }))).toBeNull();
    expect(parseServerMessage(JSON.stringify({ ...welcome, stage: { mode: "stage", hands: [], liveSince: -1 } }))).toBeNull();
    expect(parseServerMessage(JSON.stringify({ ...welcome, you: { ...welcome.you, seat: "host" } }))).toBeNull();
    const { stage: _stage, ...noStage } = welcome;
    expect(parseServerMessage(JSON.stringify(noStage))).toBeNull();
    const { files: _files, ...noFiles } = welcome;
    expect(parseServerMessage(JSON.stringify(noFiles))).toBeNull();
    const stage = { type: "stage", stage: { mode: "meeting", hands: [], liveSince: null } };
    expect(parseServerMessage(JSON.stringify(stage))).toEqual(stage);
    expect(parseServerMessage(JSON.stringify({ type: "stage", stage: { mode: "party", hands: [], liveSince: null } }))).toBeNull();
    expect(parseServerMessage(JSON.stringify({ type: "peer-seat", id: "a", seat: "viewer" }))).toEqual({ type: "peer-seat", id: "a", seat: "viewer" });
    expect(parseServerMessage(JSON.stringify({ type: "peer-seat", id: "a", seat: "chair" }))).toBeNull();
    expect(parseServerMessage(JSON.stringify({ type: "signal", from: "a", data: { kind: "tier", video: true } }))).toEqual({ type: "signal", from: "a", data: { kind: "tier", video: true } });
    const ref = { key: KEY, type: "audio/mp4", bytes: 1200, durationMs: 3400 };
    const voiceChat = { type: "chat", message: { seq: 2, from: "a", name: "A", text: "", ts: 1, cid: "c", voice: ref } };
    expect(parseServerMessage(JSON.stringify(voiceChat))).toEqual(voiceChat);
    expect(parseServerMessage(JSON.stringify({ ...welcome, chat: [voiceChat.message] }))).toEqual({ ...welcome, chat: [voiceChat.message] });
    for (const bad of [{ ...ref, key: "x" }, { ...ref, type: "text/html" }, { ...ref, bytes: 0 }, { ...ref, bytes: VOICE_MAX_BYTES + 1 }, { ...ref, durationMs: -1 }, "ref"]) {
      expect(parseServerMessage(JSON.stringify({ type: "chat", message: { ...voiceChat.message, voice: bad } })), JSON.stringify(bad)).toBeNull();
    }
    const upload = { type: "voice-upload", cid: "v", key: KEY, url: `/api/rooms/${"r".repeat(22)}/voice/${KEY}?cap=${"c".repeat(22)}`, expires: 61_000 };
    expect(parseServerMessage(JSON.stringify(upload))).toEqual(upload);
    expect(parseServerMessage(JSON.stringify({ ...upload, url: "https://evil.example/upload" }))).toBeNull();
    expect(parseServerMessage(JSON.stringify({ ...upload, key: "k" }))).toBeNull();
    expect(parseServerMessage(JSON.stringify({ ...welcome, mediaToken: 5 }))).toBeNull();
    const { mediaToken: _token, ...noToken } = welcome;
    expect(parseServerMessage(JSON.stringify(noToken))).toBeNull();
    expect(parseServerMessage("pong")).toBeNull();
    expect(parseServerMessage(JSON.stringify({ type: "future-thing" }))).toBeNull();
  });
});

describe("numbers and lists in server frames", () => {
  const settings = { capacity: 8, maxFrameBytes: 65536, nameMaxChars: 64, chatMaxChars: 4000, heartbeatMs: 10000, uploadBudgetKbps: 2500, stageViewers: 25, meshMax: 6, meshViewers: 25, sfuMeetingMax: 50 };
  const welcome = {
    type: "welcome", v: 1, you: { id: "a", name: "A", media, joined: 5, away: false, role: "member", seat: "speaker", recording: null, sfu: null }, peers: [], chat: [],
    lastSeq: 0, settings, ice: { iceServers: [], expiresAt: null, relay: "none" }, resumeToken: "t", resumed: false,
    access: { lobby: false, locked: false, passcode: false, recording: true }, knocks: [], stage: { mode: "meeting", hands: [], liveSince: null }, mediaToken: "M".repeat(22), reactions: [], transport: { kind: "mesh", sfu: false }, files: { open: [], ended: [] }, audience: 0,
  };

  it("refuses settings a broken server could use to make the client spin or stall", () => {
    expect(parseServerMessage(JSON.stringify(welcome))).toEqual(welcome);
    for (const [key, [min, max]] of Object.entries(SETTINGS_RANGES)) {
      for (const bad of [min - 1, max + 1, 1.5, null, "10", Number.NaN]) {
        const frame = JSON.stringify({ ...welcome, settings: { ...settings, [key]: bad } });
        expect(parseServerMessage(frame), `${key}: ${String(bad)}`).toBeNull();
      }
    }
    // heartbeatMs: 0 in particular (the client pings every heartbeat/2).
    expect(parseServerMessage(JSON.stringify({ ...welcome, settings: { ...settings, heartbeatMs: 0 } }))).toBeNull();
    const missing: Record<string, number> = { ...settings };
    delete missing.uploadBudgetKbps;
    expect(parseServerMessage(JSON.stringify({ ...welcome, settings: missing }))).toBeNull();
  });

  it("refuses negative times, fractional sequence numbers and malformed peer ids", () => {
    expect(parseServerMessage(JSON.stringify({ ...welcome, you: { ...welcome.you, joined: -1 } }))).toBeNull();
    expect(parseServerMessage(JSON.stringify({ ...welcome, lastSeq: 1.5 }))).toBeNull();
    expect(parseServerMessage(JSON.stringify({ ...welcome, ice: { ...welcome.ice, expiresAt: -5 } }))).toBeNull();
    expect(parseServerMessage(JSON.stringify({ type: "peer-left", id: "a b" }))).toBeNull();
    expect(parseServerMessage(JSON.stringify({ type: "chat", message: { seq: 1, from: "a", name: "A", text: "t", ts: "now", cid: "c" } }))).toBeNull();
    expect(parseServerMessage(JSON.stringify({ type: "signal", from: "a", data: { kind: "description", description: { type: "bogus", sdp: "" } } }))).toBeNull();
  });

  it("reads a provider's RTCIceServer with one url or many, and nothing else", () => {
    expect(parseIceServer({ urls: "turn:x", username: "u", credential: "c" })).toEqual({ urls: ["turn:x"], username: "u", credential: "c" });
    expect(parseIceServer({ urls: ["stun:a", "stun:b"] })).toEqual({ urls: ["stun:a", "stun:b"] });
    expect(parseIceServer({ urls: [1] })).toBeNull();
    expect(parseIceServer({ urls: "turn:x", username: 5 })).toBeNull();
    expect(parseIceServer(null)).toBeNull();
  });

  it("lists each error code once, and reads every one of them", () => {
    expect(new Set(ERROR_CODES).size).toBe(ERROR_CODES.length);
    for (const code of ERROR_CODES) {
      expect(parseServerMessage(JSON.stringify({ type: "error", code, message: "m" }))).toEqual({ type: "error", code, message: "m" });
    }
  });
});


describe("reactions and lowering hands", () => {
  it("takes the codes as they are, in order, repeats included, and nothing beside them", () => {
    expect(parse({ type: "react", reactions: ["clap", "heart", "clap"], from: "spoofed", at: 5 })).toEqual({ ok: true, value: { type: "react", reactions: ["clap", "heart", "clap"] } });
    expect(parse({ type: "lower-hands", all: false })).toEqual({ ok: true, value: { type: "lower-hands" } });
    for (const code of REACTIONS) expect(parse({ type: "react", reactions: [code] }).ok, code).toBe(true);
    expect(parse({ type: "react", reactions: Array(MAX_REACTIONS_PER_FRAME).fill("party") }).ok).toBe(true);
  });

  it("knows a code only as the palette spells it", () => {
    expect(REACTIONS.every(isReactionCode)).toBe(true);
    for (const v of ["", "wave", "CLAP", " clap", "👍", null, 5, ["clap"], "toString", "__proto__"]) expect(isReactionCode(v), String(v)).toBe(false);
  });

  it("refuses a long list by its length, whatever it holds", () => {
    const r = parse({ type: "react", reactions: Array(5_000).fill("clap") });
    expect(r).toMatchObject({ ok: false, error: { code: "bad-message", message: expect.stringContaining("1–5") } });
  });

  it("reads a relayed reaction and the welcome's recent ones, and refuses what a room would never send", () => {
    const reaction = { type: "reaction", from: "p1", reactions: ["thumbs-up", "sad"], at: 1_700_000_000_000 };
    expect(parseServerMessage(JSON.stringify(reaction))).toEqual(reaction);
    for (const bad of [
      { ...reaction, from: "a b" },
      { ...reaction, from: undefined },
      { ...reaction, reactions: [] },
      { ...reaction, reactions: ["thumbs-up", "boo"] },
      { ...reaction, reactions: Array(MAX_REACTIONS_PER_FRAME + 1).fill("sad") },
      { ...reaction, at: -1 },
      { ...reaction, at: "now" },
    ]) {
      expect(parseServerMessage(JSON.stringify(bad)), JSON.stringify(bad)).toBeNull();
    }
    const welcome = {
      type: "welcome", v: 1, you: { id: "a", name: "A", media, joined: 5, away: false, role: "member", seat: "viewer", recording: null, sfu: null }, peers: [], chat: [], lastSeq: 0,
      settings: { capacity: 8, maxFrameBytes: 65536, nameMaxChars: 64, chatMaxChars: 4000, heartbeatMs: 10000, uploadBudgetKbps: 2500, stageViewers: 25, meshMax: 6, meshViewers: 25, sfuMeetingMax: 50 },
      ice: { iceServers: [], expiresAt: null, relay: "none" }, resumeToken: "t", resumed: false, access: { lobby: false, locked: false, passcode: false, recording: true }, knocks: [],
      stage: { mode: "stage", hands: [], liveSince: 1 }, mediaToken: "M".repeat(22), reactions: [] as unknown[], transport: { kind: "mesh", sfu: false }, files: { open: [], ended: [] }, audience: 0,
    };
    const batch = { from: "b", reactions: ["clap"], at: 3 };
    expect(parseServerMessage(JSON.stringify(welcome))).toEqual(welcome);
    const full = { ...welcome, reactions: Array(REACTION_RECENT_MAX).fill(batch) };
    expect(parseServerMessage(JSON.stringify(full))).toEqual(full);
    expect(parseServerMessage(JSON.stringify({ ...welcome, reactions: Array(REACTION_RECENT_MAX + 1).fill(batch) }))).toBeNull();
    expect(parseServerMessage(JSON.stringify({ ...welcome, reactions: [batch, { ...batch, reactions: ["boo"] }] }))).toBeNull();
    expect(parseServerMessage(JSON.stringify({ ...welcome, reactions: null }))).toBeNull();
    const { reactions: _reactions, ...none } = welcome;
    expect(parseServerMessage(JSON.stringify(none))).toBeNull();
  });
});

describe("names and text that look like something else", () => {
  it("cleans names: NFC, no controls, bidi or zero-width characters; refuses a name that cleans to nothing", () => {
    expect(cleanName("G1\u200b")).toBe("G1");
    expect(cleanName("\u202eevil\u202c")).toBe("evil");
    expect(cleanName("a\u0085b\u009fc")).toBe("abc"); // C1 controls
    expect(cleanName("\u2066x\u2069\ufeff")).toBe("x");
    expect(cleanName("Гу\u0308лнар")).toBe("Гӱлнар"); // composed: U+0443 U+0308 → U+04F1
    expect(cleanName("👩\u200d💻")).toBe("👩\u200d💻"); // ZWJ inside an emoji sequence stays
    expect(cleanName("G1\u200d")).toBe("G1"); // anywhere else it goes
    expect(cleanName("A\u3164\u2800B")).toBe("AB"); // blank "letters"
    expect(parse({ type: "join", v: 1, name: "\u200b\u200e\u2066", media })).toMatchObject({ ok: false, error: { code: "bad-message" } });
  });

  it("stores what it echoes: lone surrogates become U+FFFD before the room sees the text", () => {
    const r = parseClientMessage('{"type":"chat","text":"a\\ud800b\\udc00","cid":"c"}');
    expect(r).toEqual({ ok: true, value: { type: "chat", text: "a\ufffdb\ufffd", cid: "c" } });
    const pair = parseClientMessage('{"type":"chat","text":"\\ud83d\\ude00","cid":"c"}');
    expect(pair).toEqual({ ok: true, value: { type: "chat", text: "😀", cid: "c" } });
    expect(cleanName("x\udc00")).toBe("x\ufffd");
  });
});

describe("recording", () => {
  const peer = { id: "a", name: "A", media, joined: 5, away: false, role: "member", seat: "speaker", recording: null, sfu: null };
  const info = { kind: "composite", since: 1_700_000_000_000 };

  it("takes a kind or null and nothing beside it: `since` and `id` are the room's to stamp", () => {
    expect(parse({ type: "recording", kind: "self", since: 1, id: "spoofed" })).toEqual({ ok: true, value: { type: "recording", kind: "self" } });
    expect(parse({ type: "recording", kind: null })).toEqual({ ok: true, value: { type: "recording", kind: null } });
    expect(parse({ type: "access", recording: false, extra: 1 })).toEqual({ ok: true, value: { type: "access", recording: false } });
  });

  it("reads peer-recording with a recording or null, and refuses malformed ones", () => {
    for (const recording of [info, { kind: "self", since: 0 }, null]) {
      const frame = { type: "peer-recording", id: "p1", recording };
      expect(parseServerMessage(JSON.stringify(frame)), JSON.stringify(recording)).toEqual(frame);
    }
    // Stray fields in the recording are not passed on.
    expect(parseServerMessage(JSON.stringify({ type: "peer-recording", id: "p1", recording: { ...info, by: "x" } }))).toEqual({ type: "peer-recording", id: "p1", recording: info });
    for (const bad of [
      { type: "peer-recording", id: "p1" },
      { type: "peer-recording", id: "a b", recording: info },
      { type: "peer-recording", recording: info },
      { type: "peer-recording", id: "p1", recording: false },
      { type: "peer-recording", id: "p1", recording: "composite" },
      { type: "peer-recording", id: "p1", recording: { kind: "screen", since: 1 } },
      { type: "peer-recording", id: "p1", recording: { kind: "self" } },
      { type: "peer-recording", id: "p1", recording: { kind: "self", since: -1 } },
      { type: "peer-recording", id: "p1", recording: { kind: "self", since: "now" } },
      { type: "peer-recording", id: "p1", recording: { kind: "self", since: Number.MAX_VALUE * 2 } },
      { type: "peer-recording", id: "p1", recording: [info] },
    ]) {
      expect(parseServerMessage(JSON.stringify(bad)), JSON.stringify(bad)).toBeNull();
    }
  });

  it("needs PeerInfo.recording in every roster entry (null or a recording), and access.recording as a boolean", () => {
    const joined = { type: "peer-joined", peer: { ...peer, recording: info } };
    expect(parseServerMessage(JSON.stringify(joined))).toEqual(joined);
    expect(parseServerMessage(JSON.stringify({ type: "peer-joined", peer }))).toEqual({ type: "peer-joined", peer });
    const { recording: _recording, ...missing } = peer;
    for (const p of [missing, { ...peer, recording: true }, { ...peer, recording: { kind: "all", since: 1 } }, { ...peer, recording: { since: 1 } }]) {
      expect(parseServerMessage(JSON.stringify({ type: "peer-joined", peer: p })), JSON.stringify(p)).toBeNull();
    }
    const access = { type: "access", access: { lobby: false, locked: false, passcode: false, recording: false } };
    expect(parseServerMessage(JSON.stringify(access))).toEqual(access);
    for (const recording of [undefined, null, 0, "false"]) {
      expect(parseServerMessage(JSON.stringify({ type: "access", access: { ...access.access, recording } })), String(recording)).toBeNull();
    }
  });

  it("knows \"recording-off\" as an error code", () => {
    expect(ERROR_CODES).toContain("recording-off");
  });
});

describe("transport (mesh or SFU) and roster batches", () => {
  const peer = { id: "a", name: "A", media, joined: 5, away: false, role: "member", seat: "speaker", recording: null, sfu: null };
  const SESSION = "0123456789abcdef0123456789abcdef";
  const tracks = [{ name: "mic-1", role: "mic" }, { name: "cam-1", role: "camera", rids: ["h", "m", "l"], height: 720 }, { name: "scr", role: "screen" }, { name: "scr-a", role: "screen-audio" }];

  it("takes sfu-tracks of at most four tracks with distinct names and roles, and nothing beside them", () => {
    expect(parse({ type: "sfu-tracks", session: SESSION, tracks, id: "spoofed" })).toEqual({ ok: true, value: { type: "sfu-tracks", session: SESSION, tracks } });
    expect(parse({ type: "sfu-tracks", session: SESSION, tracks: [] })).toEqual({ ok: true, value: { type: "sfu-tracks", session: SESSION, tracks: [] } });
    // Stray fields in a track are not passed on.
    expect(parse({ type: "sfu-tracks", session: SESSION, tracks: [{ name: "m", role: "mic", mid: "0" }] })).toEqual({ ok: true, value: { type: "sfu-tracks", session: SESSION, tracks: [{ name: "m", role: "mic" }] } });
    // A height says how tall the layers are; without layers it says nothing and is not passed on.
    expect(parse({ type: "sfu-tracks", session: SESSION, tracks: [{ name: "c", role: "camera", height: 360 }] })).toEqual({ ok: true, value: { type: "sfu-tracks", session: SESSION, tracks: [{ name: "c", role: "camera" }] } });
    for (const bad of [
      { session: SESSION },
      { session: SESSION, tracks: "cam" },
      { session: "", tracks: [] },
      { session: "has space", tracks: [] },
      { session: "s".repeat(129), tracks: [] },
      { session: 5, tracks: [] },
      { session: SESSION, tracks: [...tracks, { name: "five", role: "mic" }] },
      { session: SESSION, tracks: [{ name: "a", role: "mic" }, { name: "a", role: "camera" }] },
      { session: SESSION, tracks: [{ name: "a", role: "mic" }, { name: "b", role: "mic" }] },
      { session: SESSION, tracks: [{ name: "", role: "mic" }] },
      { session: SESSION, tracks: [{ name: "a b", role: "mic" }] },
      { session: SESSION, tracks: [{ name: "x".repeat(129), role: "mic" }] },
      { session: SESSION, tracks: [{ name: "a", role: "speaker" }] },
      { session: SESSION, tracks: [{ name: "a", role: "camera", rids: [] }] },
      { session: SESSION, tracks: [{ name: "a", role: "camera", rids: ["a", "b", "c", "d"] }] },
      { session: SESSION, tracks: [{ name: "a", role: "camera", rids: ["h", "h"] }] },
      { session: SESSION, tracks: [{ name: "a", role: "camera", rids: ["h!"] }] },
      { session: SESSION, tracks: [{ name: "a", role: "camera", rids: "h" }] },
      { session: SESSION, tracks: [{ name: "a", role: "camera", rids: ["h"], height: 0 }] },
      { session: SESSION, tracks: [{ name: "a", role: "camera", rids: ["h"], height: 360.5 }] },
      { session: SESSION, tracks: [{ name: "a", role: "camera", rids: ["h"], height: 4321 }] },
      { session: SESSION, tracks: [{ name: "a", role: "camera", rids: ["h"], height: "360" }] },
      { session: SESSION, tracks: [null] },
    ]) {
      const r = parse({ type: "sfu-tracks", ...bad });
      expect(r.ok, JSON.stringify(bad)).toBe(false);
      if (!r.ok) expect(r.error.code).toBe("bad-message");
    }
  });

  it("reads transport and peer-sfu, and PeerInfo.sfu in every roster entry (null or a publication)", () => {
    for (const transport of [{ kind: "mesh", sfu: false }, { kind: "sfu", sfu: true }]) {
      expect(parseServerMessage(JSON.stringify({ type: "transport", transport }))).toEqual({ type: "transport", transport });
    }
    for (const transport of [{ kind: "p2p", sfu: true }, { kind: "sfu" }, null, "sfu"]) expect(parseServerMessage(JSON.stringify({ type: "transport", transport }))).toBeNull();
    const sfu = { session: SESSION, tracks };
    expect(parseServerMessage(JSON.stringify({ type: "peer-sfu", id: "p1", sfu }))).toEqual({ type: "peer-sfu", id: "p1", sfu });
    expect(parseServerMessage(JSON.stringify({ type: "peer-sfu", id: "p1", sfu: null }))).toEqual({ type: "peer-sfu", id: "p1", sfu: null });
    for (const bad of [{ id: "p1" }, { id: "p1", sfu: { session: SESSION } }, { id: "a b", sfu: null }, { id: "p1", sfu: { session: SESSION, tracks: [{ name: "a", role: "x" }] } }]) {
      expect(parseServerMessage(JSON.stringify({ type: "peer-sfu", ...bad })), JSON.stringify(bad)).toBeNull();
    }
    expect(parseServerMessage(JSON.stringify({ type: "peer-joined", peer: { ...peer, sfu } }))).toEqual({ type: "peer-joined", peer: { ...peer, sfu } });
    const { sfu: _sfu, ...missing } = peer;
    expect(parseServerMessage(JSON.stringify({ type: "peer-joined", peer: missing }))).toBeNull();
    expect(ERROR_CODES).toContain("not-sfu");
  });

  it("reads a roster batch of roster frames only, bounded, each checked as it would be alone", () => {
    const frames = [
      { type: "peer-joined", peer },
      { type: "peer-presence", id: "a", away: true },
      { type: "peer-sfu", id: "a", sfu: null },
      { type: "peer-left", id: "a" },
    ];
    expect(parseServerMessage(JSON.stringify({ type: "roster", frames }))).toEqual({ type: "roster", frames });
    for (const bad of [
      [],
      [{ type: "chat", message: { seq: 1, from: "a", name: "A", text: "t", ts: 1, cid: "c" } }],
      [{ type: "roster", frames }],
      [{ type: "peer-left", id: "a b" }],
      Array(257).fill({ type: "peer-left", id: "a" }),
      "peer-left",
    ]) {
      expect(parseServerMessage(JSON.stringify({ type: "roster", frames: bad })), JSON.stringify(bad).slice(0, 80)).toBeNull();
    }
  });

  it("needs the transport's settings and welcome field", () => {
    expect(SETTINGS_RANGES).toMatchObject({ meshMax: [2, 50], meshViewers: [0, 1000], sfuMeetingMax: [2, 1000] });
  });
});
